import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalPipeline } from '../local/pipeline.js';
import {
  type DrainState,
  PipelineProbe,
  ProcessedLog,
  postFiles,
} from '../test/helpers/drain.js';
import {
  FaultInjector,
  type FaultRule,
  idsOf,
} from '../test/helpers/faults.js';

/**
 * Soak test of the local pipeline: ingests files through the HTTP API in
 * parallel requests while faults hit at random, drains the pipeline and
 * checks that every file was processed once and deleted, with exact
 * counters. Everything runs in this process, on 127.0.0.1.
 */

const usage = `Usage: npm run soak -- [options]

Options:
  --files N          files to ingest (default 20000)
  --per-request N    files per POST /data/input (default 100)
  --concurrency N    requests in flight at once (default 8)
  --seed N           seed of the random faults (default: random, printed)
  --timeout-seconds N  maximum seconds to wait for the drain (default 600)
  --no-faults        inject no faults, to measure the pipeline alone
  --help             print this help
`;

/**
 * Faults and their chances: per call for SDK faults, per record for
 * `failMessages`, per invocation for the other processor faults.
 */
const soakFaults: readonly FaultRule[] = [
  { kind: 'throttle', probability: 0.002 },
  { kind: 'throttleBeyondRetries', probability: 0.0005 },
  { kind: 'unprocessedItems', probability: 0.05 },
  { kind: 'writeResponseLost', probability: 0.002 },
  { kind: 'sendEntriesFailed', probability: 0.01 },
  { kind: 'duplicateMessage', probability: 0.01 },
  { kind: 'dispatcherCrash', probability: 0.002 },
  { kind: 'failMessages', probability: 0.01 },
  { kind: 'failBatch', probability: 0.005 },
  { kind: 'crashBeforeAnswer', probability: 0.01 },
  { kind: 'duplicateInvoke', probability: 0.005 },
  { kind: 'answerTooLate', probability: 0.003 },
];

/**
 * Files whose first message fails every receive, so it reaches the
 * dead-letter queue and the dispatcher sends the files again later.
 */
const poisonedFileNumbers = [777, 12_345];

/**
 * Local settings with short retries: a 2 s processor timeout gives a
 * 12 s visibility timeout and dispatch lease.
 */
const soakSettings = {
  processorTimeoutSeconds: 2,
  dispatchLeaseSeconds: 12,
  maxReceiveCount: 3,
  sdkMaxAttempts: 3,
};

/**
 * Writes to standard output. The local runtime, started with
 * `printOutput: false`, replaces `process.stdout.write` with a function
 * that reads the handlers' output and drops it, so this keeps the
 * original.
 */
const writeOutput = process.stdout.write.bind(process.stdout);

/** Processor batches the local runtime left on the queue, by outcome. */
const leftBatches = { failed: 0, timedOut: 0 };

function countLeftBatches(line: string): void {
  if (!line.includes('"batch left on the queue"')) return;
  const { invocation } = JSON.parse(line) as { invocation?: string };
  if (invocation === 'failed' || invocation === 'timedOut') {
    leftBatches[invocation]++;
  }
}

interface SoakOptions {
  readonly files: number;
  readonly perRequest: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly timeoutSeconds: number;
  readonly faults: boolean;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(usage);
    return 0;
  }
  print(`seed ${options.seed}`);
  const faults = new FaultInjector(options.seed);
  const pipeline = await startLocalPipeline({
    settings: soakSettings,
    handlers: faults.handlers,
    dispatchIntervalSeconds: 0.5,
    deleteIntervalSeconds: 1,
    pollIdleDelayMs: 20,
    printOutput: false,
  });
  const processedLog = new ProcessedLog();
  pipeline.onOutputLine(processedLog.read);
  pipeline.onOutputLine(countLeftBatches);
  await faults.load();
  const probe = new PipelineProbe(pipeline);
  try {
    if (options.faults) {
      for (const rule of soakFaults) faults.add(rule);
      addPoisonedFiles(faults, options);
    }
    const started = performance.now();
    const accepted = await ingest(pipeline.url, options);
    const ingestedMs = performance.now() - started;
    print(`files ingested: ${accepted.length} in ${seconds(ingestedMs)}`);
    const state = await drain(probe, accepted.length, options);
    const drainedMs = performance.now() - started;
    faults.clear();

    return await report({
      accepted,
      state,
      faults,
      processedLog,
      probe,
      deadLetterQueueUrl: pipeline.queues.deadLetterQueue.url,
      ingestedMs,
      drainedMs,
    });
  } finally {
    probe.destroy();
    await pipeline.stop();
  }
}

/** Posts the files with at most `concurrency` requests in flight. */
async function ingest(url: string, options: SoakOptions): Promise<string[]> {
  const accepted: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.files) {
      const first = next;
      next = Math.min(options.files, next + options.perRequest);
      const files = Array.from({ length: next - first }, (_, index) =>
        fileName(first + index),
      );
      accepted.push(...(await postFiles(url, files)));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));

  return accepted;
}

function fileName(index: number): string {
  return `soak/file-${String(index).padStart(6, '0')}`;
}

/**
 * Fails the messages of each poisoned file for `maxReceiveCount`
 * receives: those of its first message, unless other faults used some
 * of those receives.
 */
function addPoisonedFiles(faults: FaultInjector, options: SoakOptions): void {
  for (const index of poisonedFileNumbers) {
    if (index >= options.files) continue;
    const poisoned = fileName(index);
    faults.add({
      kind: 'failMessages',
      when: (record) =>
        idsOf(record).some((id) => faults.fileNameOf(id) === poisoned),
      times: soakSettings.maxReceiveCount,
    });
  }
}

/**
 * Waits for the metrics to count every file as deleted, then for the
 * table and the work queue to be empty. The metrics come first because a
 * scan of the whole table is slow while it is full.
 */
async function drain(
  probe: PipelineProbe,
  expected: number,
  options: SoakOptions,
): Promise<DrainState> {
  const deadline = performance.now() + options.timeoutSeconds * 1000;
  let lastPrint = performance.now();
  while ((probe.metrics().DeletedDataCount ?? 0) < expected) {
    if (performance.now() > deadline) break;
    if (performance.now() - lastPrint > 10_000) {
      await printProgress(probe, expected);
      lastPrint = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const remainingMs = Math.max(1_000, deadline - performance.now());

  try {
    return await probe.waitForDrain(expected, remainingMs);
  } catch (error) {
    print(
      `drain incomplete: ${error instanceof Error ? error.message : error}`,
    );
    return probe.state();
  }
}

/**
 * Prints the counters, the files not yet claimed and the messages on the
 * work queue, which show whether dispatch or processing lags.
 */
async function printProgress(
  probe: PipelineProbe,
  expected: number,
): Promise<void> {
  const metrics = probe.metrics();
  const claimed =
    (metrics.FilesClaimed ?? 0) - (metrics.FilesReturnedToRaw ?? 0);
  const messages = await probe.messageCount(probe.workQueueUrl);
  print(
    `progress: processed ${metrics.ProcessedDataCount}, deleted ${metrics.DeletedDataCount} of ${expected}; ${expected - claimed} files not claimed, ${messages} messages on the work queue`,
  );
}

interface SoakResult {
  readonly accepted: readonly string[];
  readonly state: DrainState;
  readonly faults: FaultInjector;
  readonly processedLog: ProcessedLog;
  readonly probe: PipelineProbe;
  readonly deadLetterQueueUrl: string;
  readonly ingestedMs: number;
  readonly drainedMs: number;
}

/** Prints the report and returns the exit code: 1 when a check failed. */
async function report(result: SoakResult): Promise<number> {
  const { accepted, state, faults, processedLog } = result;
  const counts = Object.entries(faults.counts());
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  print(`faults injected: ${total}`);
  for (const [kind, count] of counts) print(`  ${kind}: ${count}`);
  const { never, twice } = processedLog.notProcessedOnce(accepted);
  const left = await result.probe.fileItems();
  const lost = new Set([...never, ...left.map((item) => String(item.id))]);
  const deadLetterIds = await readDeadLetterIds(result);
  const unaccounted = deadLetterIds.filter(
    (id) => processedLog.timesProcessed(id) !== 1,
  );
  const runSeconds = result.drainedMs / 1000;
  const checks = {
    'files lost (not processed or not deleted)': lost.size,
    'files counted twice': twice.length,
    'metrics raw - accepted': state.raw - accepted.length,
    'metrics processed - accepted': state.processed - accepted.length,
    'metrics deleted - accepted': state.deleted - accepted.length,
    'work queue messages left': state.workMessages,
    'lock pending ids left': state.lockPendingIds,
    'dead-letter files not processed once': unaccounted.length,
  };
  print(
    `metrics: raw ${state.raw}, processed ${state.processed}, deleted ${state.deleted}`,
  );
  print(
    `dead-letter queue: ${state.deadLetterMessages} messages, ${deadLetterIds.length} files`,
  );
  print(
    `time to drain: ${seconds(result.drainedMs)} from the first request, ${seconds(result.drainedMs - result.ingestedMs)} after the last`,
  );
  for (const role of ['dispatcher', 'processor', 'deleter'] as const) {
    const stats = faults.invocationStats(role);
    print(
      `${role}: ${stats.count} invocations, busy ${seconds(stats.busyMs)} (${percent(stats.busyMs / 1000 / runSeconds)} of the run)`,
    );
  }
  print(
    `processor batches left on the queue: ${leftBatches.failed} failed, ${leftBatches.timedOut} timed out`,
  );
  print(
    `throughput: ${Math.round(accepted.length / runSeconds)} files per second from the first request to the drain`,
  );
  for (const [check, value] of Object.entries(checks)) {
    print(`${check}: ${value}${value === 0 ? '' : '  <-- FAILED'}`);
  }
  const failed = Object.values(checks).some((value) => value !== 0);
  print(failed ? 'soak FAILED' : 'soak passed');

  return failed ? 1 : 0;
}

/**
 * Reads the file ids of every message on the dead-letter queue. Each
 * receive hides the messages it returns, so the loop ends.
 */
async function readDeadLetterIds(result: SoakResult): Promise<string[]> {
  const bodies = new Map<string, string>();
  for (;;) {
    const output = await result.probe.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: result.deadLetterQueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      bodies.set(message.MessageId ?? '', message.Body ?? '{}');
    }
  }

  return [...bodies.values()].flatMap(
    (body) => (JSON.parse(body) as { ids?: string[] }).ids ?? [],
  );
}

function parseOptions(args: string[]): SoakOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: 'string', default: '20000' },
      'per-request': { type: 'string', default: '100' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string' },
      'timeout-seconds': { type: 'string', default: '600' },
      'no-faults': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;

  return {
    files: positiveInteger('files', values.files),
    perRequest: positiveInteger('per-request', values['per-request']),
    concurrency: positiveInteger('concurrency', values.concurrency),
    seed:
      values.seed === undefined
        ? randomInt(2 ** 31)
        : positiveInteger('seed', values.seed),
    timeoutSeconds: positiveInteger(
      'timeout-seconds',
      values['timeout-seconds'],
    ),
    faults: !values['no-faults'],
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${flag} must be a positive integer, got '${text}'`);
  }

  return value;
}

function print(line: string): void {
  writeOutput(`${line}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `Soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
