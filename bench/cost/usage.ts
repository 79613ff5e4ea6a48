import type {
  Caller,
  OperationRow,
  RecorderSnapshot,
} from '../measure/recorder.js';
import type { UsagePerFile } from './cost.js';

/**
 * Memory of every function in MB: the default of `PipelineFunction` in
 * `lib/pipeline-function.ts`, which no construct overrides.
 */
export const functionMemoryMb = 256;

/** Requests of one operation per 1,000 files. */
export interface OperationRate {
  readonly service: string;
  readonly operation: string;
  readonly per1000Files: number;
}

const functionCallers: readonly Caller[] = [
  'ingest',
  'dispatcher',
  'processor',
  'deleter',
];

/**
 * Counts the requests that do work, per service and operation. The local
 * SQS poller receives without pause while the queue is empty, which the
 * Lambda event source does with long polls instead, so its receives count
 * as one per processor invocation: the receives that returned messages.
 */
export function workRequests(recorded: RecorderSnapshot): OperationRow[] {
  const processorRuns = recorded.invocations.processor?.invocations ?? 0;

  return recorded.work.operations.map((row) =>
    row.caller === 'eventSource' && row.operation === 'ReceiveMessage'
      ? { ...row, requests: processorRuns }
      : row,
  );
}

/** Requests per 1,000 files, per service and operation, busiest first. */
export function requestRates(
  recorded: RecorderSnapshot,
  files: number,
): OperationRate[] {
  const totals = new Map<string, number>();
  for (const row of workRequests(recorded)) {
    const key = `${row.service}\t${row.operation}`;
    totals.set(key, (totals.get(key) ?? 0) + row.requests);
  }

  return [...totals]
    .map(([key, requests]) => {
      const [service = '', operation = ''] = key.split('\t');
      return { service, operation, per1000Files: (requests * 1000) / files };
    })
    .sort((left, right) => right.per1000Files - left.per1000Files);
}

/**
 * Averages the billable usage of a run over its files. Idle scheduled
 * runs are left out, because they cost the same per hour whatever the
 * number of files; `idleUsagePerRun` reports them.
 */
export function usagePerFile(
  recorded: RecorderSnapshot,
  files: number,
): UsagePerFile {
  const rows = workRequests(recorded);
  const sum = (pick: (row: OperationRow) => number, service: string) =>
    rows
      .filter((row) => row.service === service)
      .reduce((total, row) => total + pick(row), 0);
  let invocations = 0;
  let billedMs = 0;
  for (const caller of functionCallers) {
    const totals = recorded.invocations[caller];
    if (totals === undefined) continue;
    invocations += totals.invocations - totals.idleInvocations;
    billedMs += totals.billedMs - totals.idleBilledMs;
  }
  const logBytes = Object.values(recorded.work.output).reduce(
    (total, output) => total + (output?.bytes ?? 0),
    0,
  );
  const ingestRuns = recorded.invocations.ingest?.invocations ?? 0;

  return {
    dynamoDbWriteUnits:
      sum((row) => row.tableWriteUnits + row.indexWriteUnits, 'DynamoDB') /
      files,
    dynamoDbReadUnits:
      sum((row) => row.tableReadUnits + row.indexReadUnits, 'DynamoDB') / files,
    sqsRequests: sum((row) => row.requests, 'SQS') / files,
    lambdaInvocations: invocations / files,
    lambdaGbSeconds: ((billedMs / 1000) * (functionMemoryMb / 1024)) / files,
    logBytes: logBytes / files,
    httpApiRequests: ingestRuns / files,
  };
}

/** Average requests and duration of one idle run of a scheduled function. */
export interface IdleRunProfile {
  readonly caller: Caller;
  readonly runs: number;
  readonly requestsPerRun: number;
  readonly readUnitsPerRun: number;
  readonly writeUnitsPerRun: number;
  readonly billedMsPerRun: number;
}

/** Profiles the idle runs of the dispatcher and the deleter. */
export function idleUsagePerRun(recorded: RecorderSnapshot): IdleRunProfile[] {
  return (['dispatcher', 'deleter'] as const).map((caller) => {
    const totals = recorded.invocations[caller];
    const runs = totals?.idleInvocations ?? 0;
    const rows = recorded.idle.operations.filter(
      (row) => row.caller === caller,
    );
    const per = (value: number) => (runs > 0 ? value / runs : 0);
    return {
      caller,
      runs,
      requestsPerRun: per(rows.reduce((sum, row) => sum + row.requests, 0)),
      readUnitsPerRun: per(
        rows.reduce((sum, r) => sum + r.tableReadUnits + r.indexReadUnits, 0),
      ),
      writeUnitsPerRun: per(
        rows.reduce((sum, r) => sum + r.tableWriteUnits + r.indexWriteUnits, 0),
      ),
      billedMsPerRun: per(totals?.idleBilledMs ?? 0),
    };
  });
}

/** DynamoDB units per file that one caller consumed. */
export interface CallerCapacity {
  readonly caller: Caller;
  readonly tableWriteUnits: number;
  readonly indexWriteUnits: number;
  readonly readUnits: number;
}

/** Splits the DynamoDB units per file by caller, for the floor analysis. */
export function capacityPerFile(
  recorded: RecorderSnapshot,
  files: number,
): CallerCapacity[] {
  return functionCallers.map((caller) => {
    const rows = recorded.work.operations.filter(
      (row) => row.caller === caller && row.service === 'DynamoDB',
    );
    const total = (pick: (row: OperationRow) => number) =>
      rows.reduce((sum, row) => sum + pick(row), 0) / files;
    return {
      caller,
      tableWriteUnits: total((row) => row.tableWriteUnits),
      indexWriteUnits: total((row) => row.indexWriteUnits),
      readUnits: total((row) => row.tableReadUnits + row.indexReadUnits),
    };
  });
}
