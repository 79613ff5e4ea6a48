import type { SQSRecord } from 'aws-lambda';
import { expect } from 'vitest';
import {
  type LocalPipeline,
  startLocalPipeline,
} from '../../local/pipeline.js';
import type { LocalPipelineOptions } from '../../local/pipeline-options.js';
import { type DrainState, PipelineProbe, ProcessedLog } from './drain.js';
import { FaultInjector } from './faults.js';
import { OutputLines } from './output-lines.js';

/**
 * Settings that make retries take seconds: a 1 s processor timeout gives
 * a 6 s visibility timeout, and the dispatch lease may not be shorter.
 * Three SDK attempts keep throttled calls short, because the SDK waits
 * up to 1 s, then 2 s, before it retries a throttled call.
 */
export const faultTestSettings = {
  processorTimeoutSeconds: 1,
  dispatchLeaseSeconds: 6,
  sdkMaxAttempts: 3,
  maxReceiveCount: 3,
} as const;

/** A local pipeline with a fault injector, a probe and its output. */
export interface FaultPipeline {
  readonly pipeline: LocalPipeline;
  readonly faults: FaultInjector;
  readonly probe: PipelineProbe;
  readonly output: OutputLines;
  readonly processedLog: ProcessedLog;
  stop(): Promise<void>;
}

/**
 * Starts a quiet local pipeline in this process with short intervals and
 * the fault injector's handlers.
 */
export async function startFaultPipeline(
  options: {
    readonly seed?: number;
    readonly settings?: LocalPipelineOptions['settings'];
  } = {},
): Promise<FaultPipeline> {
  const faults = new FaultInjector(options.seed ?? 1);
  const pipeline = await startLocalPipeline({
    settings: { ...faultTestSettings, ...options.settings },
    handlers: faults.handlers,
    dispatchIntervalSeconds: 0.5,
    deleteIntervalSeconds: 1,
    pollIdleDelayMs: 50,
    printOutput: false,
  });
  const output = new OutputLines();
  const processedLog = new ProcessedLog();
  pipeline.onOutputLine(output.push);
  pipeline.onOutputLine(processedLog.read);
  await faults.load();
  const probe = new PipelineProbe(pipeline);

  return {
    pipeline,
    faults,
    probe,
    output,
    processedLog,
    async stop() {
      probe.destroy();
      await pipeline.stop();
    },
  };
}

/**
 * Asserts the guarantees after a drain: each accepted file processed
 * once and deleted, the three counters equal, nothing left in flight.
 */
export function expectDrained(
  running: FaultPipeline,
  accepted: readonly string[],
  state: DrainState,
  options: { readonly deadLetterMessages?: number } = {},
): void {
  const { never, twice } = running.processedLog.notProcessedOnce(accepted);

  expect(never, 'files never logged as processed').toEqual([]);
  expect(twice, 'files logged as processed twice').toEqual([]);
  expect(state.raw, 'RawDataCount').toBe(accepted.length);
  expect(state.processed, 'ProcessedDataCount').toBe(accepted.length);
  expect(state.deleted, 'DeletedDataCount').toBe(accepted.length);
  expect(state.fileItems, 'file items left').toBe(0);
  expect(state.workMessages, 'work queue messages').toBe(0);
  expect(state.deadLetterMessages, 'dead-letter queue messages').toBe(
    options.deadLetterMessages ?? 0,
  );
  expect(state.lockPendingIds, 'lock pending ids').toBe(0);
}

/** Builds `count` distinct file names with a prefix. */
export function fileNames(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}

/**
 * Tells whether a record is on its first receive. A fault that fails only
 * the first receive still lets each test drain.
 */
export function firstReceive(record: SQSRecord): boolean {
  return record.attributes.ApproximateReceiveCount === '1';
}
