import { AsyncLocalStorage } from 'node:async_hooks';
import type { CapacityUse } from '../capacity/capacity-model.js';

/** Sender of a request: one of the functions, or the SQS event source. */
export type Caller =
  | 'ingest'
  | 'dispatcher'
  | 'processor'
  | 'deleter'
  | 'eventSource';

/** Totals of one operation of one service, made by one caller. */
export interface OperationTotals {
  /** HTTP requests sent, retries included. */
  requests: number;
  /** SDK commands that returned or threw, counted by the middleware. */
  sdkCalls: number;
  tableReadUnits: number;
  tableWriteUnits: number;
  indexReadUnits: number;
  indexWriteUnits: number;
  /** Capacity units that the emulator returned, for comparison. */
  reportedUnits: number;
}

/** Log output of one caller, as it would reach CloudWatch Logs. */
export interface OutputTotals {
  lines: number;
  bytes: number;
  /** Lines that are Embedded Metric Format documents. */
  emfDocuments: number;
  emfBytes: number;
}

/** Invocations of one function and their duration. */
export interface InvocationTotals {
  invocations: number;
  /** Runs that found no work: a dispatcher that sent nothing, and so on. */
  idleInvocations: number;
  durationMs: number;
  /** Duration as Lambda bills it: each invocation rounded up to 1 ms. */
  billedMs: number;
  /** The part of `billedMs` spent in idle runs. */
  idleBilledMs: number;
  maxDurationMs: number;
}

/** Requests and output, split into work and idle runs. */
export interface Tallies {
  readonly operations: Map<string, OperationTotals>;
  readonly output: Map<Caller, OutputTotals>;
}

/** The state of one invocation in progress. */
interface InvocationScope {
  readonly caller: Caller;
  readonly tallies: Tallies;
}

const scopes = new AsyncLocalStorage<InvocationScope>();

/**
 * Counts what the pipeline does while it runs in this process: requests
 * per caller, service and operation, DynamoDB capacity, log output and
 * invocations. Requests made during an invocation are kept apart until it
 * ends and then added to the work or the idle totals, so that the cost of
 * scheduled runs that find nothing can be reported on its own.
 */
export class Recorder {
  #work = emptyTallies();
  #idle = emptyTallies();
  #invocations = new Map<Caller, InvocationTotals>();
  #paused = false;
  #running = 0;

  /** Stops counting, for the benchmark's own checks. */
  pause(): void {
    this.#paused = true;
  }

  /** Forgets everything counted so far and counts again. */
  reset(): void {
    this.#work = emptyTallies();
    this.#idle = emptyTallies();
    this.#invocations = new Map();
    this.#paused = false;
  }

  /** Counts one HTTP request to an AWS service. */
  addRequest(service: string, operation: string): void {
    if (this.#paused) return;
    this.#operation(service, operation).requests++;
  }

  /** Adds the capacity of one SDK command. */
  addCapacity(
    service: string,
    operation: string,
    use: CapacityUse,
    reportedUnits: number,
  ): void {
    if (this.#paused) return;
    const totals = this.#operation(service, operation);
    totals.sdkCalls++;
    totals.tableReadUnits += use.tableReadUnits;
    totals.tableWriteUnits += use.tableWriteUnits;
    totals.indexReadUnits += use.indexReadUnits;
    totals.indexWriteUnits += use.indexWriteUnits;
    totals.reportedUnits += reportedUnits;
  }

  /** Counts one line of output. */
  addOutputLine(line: string, isEmf: boolean): void {
    if (this.#paused) return;
    const scope = scopes.getStore();
    const tallies = scope?.tallies ?? this.#work;
    const caller = scope?.caller ?? 'eventSource';
    let totals = tallies.output.get(caller);
    if (totals === undefined) {
      totals = { lines: 0, bytes: 0, emfDocuments: 0, emfBytes: 0 };
      tallies.output.set(caller, totals);
    }
    const bytes = Buffer.byteLength(line, 'utf8') + 1;
    totals.lines++;
    totals.bytes += bytes;
    if (isEmf) {
      totals.emfDocuments++;
      totals.emfBytes += bytes;
    }
  }

  /**
   * Runs one invocation of a function, counting everything it does in its
   * own scope.
   *
   * @param isIdle - decides from the handler's result whether the run
   *   found no work.
   */
  async runInvocation<T>(
    caller: Caller,
    run: () => Promise<T>,
    isIdle: (result: T) => boolean,
  ): Promise<T> {
    const scope: InvocationScope = { caller, tallies: emptyTallies() };
    const started = performance.now();
    let idle = false;
    this.#running++;
    try {
      const result = await scopes.run(scope, run);
      idle = isIdle(result);
      return result;
    } finally {
      this.#running--;
      const durationMs = performance.now() - started;
      if (!this.#paused) {
        this.#addInvocation(caller, durationMs, idle);
        mergeTallies(idle ? this.#idle : this.#work, scope.tallies);
      }
    }
  }

  /**
   * Resolves once no invocation is running, such as an ingest request that
   * a load client gave up on but the handler still serves.
   */
  async settle(pollMs = 5): Promise<void> {
    while (this.#running > 0) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Returns a copy of the totals counted so far. */
  snapshot(): RecorderSnapshot {
    return {
      work: toPlainTallies(this.#work),
      idle: toPlainTallies(this.#idle),
      invocations: Object.fromEntries(
        [...this.#invocations].map(([caller, totals]) => [
          caller,
          { ...totals },
        ]),
      ),
    };
  }

  #operation(service: string, operation: string): OperationTotals {
    const scope = scopes.getStore();
    const tallies = scope?.tallies ?? this.#work;
    const key = operationKey(
      scope?.caller ?? 'eventSource',
      service,
      operation,
    );
    let totals = tallies.operations.get(key);
    if (totals === undefined) {
      totals = emptyOperationTotals();
      tallies.operations.set(key, totals);
    }

    return totals;
  }

  #addInvocation(caller: Caller, durationMs: number, idle: boolean): void {
    let totals = this.#invocations.get(caller);
    if (totals === undefined) {
      totals = {
        invocations: 0,
        idleInvocations: 0,
        durationMs: 0,
        billedMs: 0,
        idleBilledMs: 0,
        maxDurationMs: 0,
      };
      this.#invocations.set(caller, totals);
    }
    totals.invocations++;
    totals.durationMs += durationMs;
    totals.billedMs += Math.ceil(durationMs);
    if (idle) {
      totals.idleInvocations++;
      totals.idleBilledMs += Math.ceil(durationMs);
    }
    totals.maxDurationMs = Math.max(totals.maxDurationMs, durationMs);
  }
}

/** One row of request totals, as JSON carries it. */
export interface OperationRow extends OperationTotals {
  readonly caller: Caller;
  readonly service: string;
  readonly operation: string;
}

/** Work or idle totals, as JSON carries them. */
export interface PlainTallies {
  readonly operations: OperationRow[];
  readonly output: Partial<Record<Caller, OutputTotals>>;
}

/** Everything a recorder counted, as JSON carries it. */
export interface RecorderSnapshot {
  readonly work: PlainTallies;
  readonly idle: PlainTallies;
  readonly invocations: Partial<Record<Caller, InvocationTotals>>;
}

function emptyTallies(): Tallies {
  return { operations: new Map(), output: new Map() };
}

function emptyOperationTotals(): OperationTotals {
  return {
    requests: 0,
    sdkCalls: 0,
    tableReadUnits: 0,
    tableWriteUnits: 0,
    indexReadUnits: 0,
    indexWriteUnits: 0,
    reportedUnits: 0,
  };
}

function operationKey(caller: Caller, service: string, operation: string) {
  return `${caller}\t${service}\t${operation}`;
}

function mergeTallies(into: Tallies, from: Tallies): void {
  for (const [key, totals] of from.operations) {
    const target = into.operations.get(key) ?? emptyOperationTotals();
    for (const name of Object.keys(totals) as (keyof OperationTotals)[]) {
      target[name] += totals[name];
    }
    into.operations.set(key, target);
  }
  for (const [caller, totals] of from.output) {
    const target = into.output.get(caller) ?? {
      lines: 0,
      bytes: 0,
      emfDocuments: 0,
      emfBytes: 0,
    };
    target.lines += totals.lines;
    target.bytes += totals.bytes;
    target.emfDocuments += totals.emfDocuments;
    target.emfBytes += totals.emfBytes;
    into.output.set(caller, target);
  }
}

function toPlainTallies(tallies: Tallies): PlainTallies {
  const operations = [...tallies.operations].map(([key, totals]) => {
    const [caller, service, operation] = key.split('\t') as [
      Caller,
      string,
      string,
    ];
    return { caller, service, operation, ...totals };
  });

  return {
    operations,
    output: Object.fromEntries(
      [...tallies.output].map(([caller, totals]) => [caller, { ...totals }]),
    ),
  };
}
