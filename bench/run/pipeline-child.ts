import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type LocalPipeline,
  startLocalPipeline,
} from '../../local/pipeline.js';
import type { ShadowTable } from '../capacity/capacity-model.js';
import {
  isEmfLine,
  observeAwsRequests,
  observeDynamoDbCapacity,
} from '../measure/observers.js';
import { Recorder } from '../measure/recorder.js';
import type {
  ChildMessage,
  ChildTask,
  DrainResult,
  ParentMessage,
} from './child-protocol.js';
import { checkEndState, drainFiles } from './drain.js';
import { countingHandlers } from './variant-handlers.js';

/**
 * Entry point of one benchmark child process: starts the local pipeline
 * with one variant's handlers and runs one phase. A process can load the
 * handler modules only once, so each phase and variant gets its own.
 */
async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as ChildTask;
  const recorder = new Recorder();
  const stopObserving = observeAwsRequests(recorder);
  const counting = countingHandlers(task.variant, recorder);
  const pipeline = await startLocalPipeline({
    settings: task.settings,
    port: 0,
    printOutput: false,
    dispatchIntervalSeconds: task.dispatchIntervalSeconds,
    deleteIntervalSeconds: task.deleteIntervalSeconds,
    handlers: counting.handlers,
  });
  try {
    await counting.load();
    const { dynamoDb } = await import('#shared/clients.js');
    const shadow = observeDynamoDbCapacity(
      dynamoDb as DynamoDBDocumentClient,
      recorder,
    );
    pipeline.onOutputLine((line) =>
      recorder.addOutputLine(line, isEmfLine(line)),
    );
    recorder.reset();
    if (task.phase === 'drain') {
      const result = await runDrain(task, pipeline, recorder, shadow);
      send({ type: 'drained', result });
    } else {
      send({ type: 'ready', url: pipeline.url });
      await serveIngestPhase(recorder);
    }
  } finally {
    stopObserving();
    await pipeline.stop();
  }
}

async function runDrain(
  task: ChildTask,
  pipeline: LocalPipeline,
  recorder: Recorder,
  shadow: ShadowTable,
): Promise<DrainResult> {
  const timings = await drainFiles(pipeline, {
    files: task.files,
    filesPerRequest: task.filesPerRequest,
    timeoutMs: task.drainTimeoutMs,
  });
  // Invocations add their counts when they end, and the last deleter run
  // publishes its count before it ends.
  await recorder.settle();
  const recorded = recorder.snapshot();
  recorder.pause();
  const checks = {
    ...(await checkEndState(pipeline)),
    shadowItemsLeft: shadow.countItems((item) => item.file !== undefined),
  };

  return {
    files: task.files,
    filesPerRequest: task.filesPerRequest,
    timings,
    checks,
    recorded,
  };
}

/**
 * Serves the parent's requests while it drives the HTTP API: reset the
 * counts before a load run, send them after it, and stop. Each answer
 * waits for the invocations still running: a request that the load client
 * abandoned at the end of the warm-up finishes before the reset, and one
 * abandoned at the end of a measured run counts in that run.
 */
function serveIngestPhase(recorder: Recorder): Promise<void> {
  return new Promise((resolve) => {
    process.on('message', (message: ParentMessage) => {
      void recorder.settle().then(() => {
        switch (message.type) {
          case 'reset':
            recorder.reset();
            send({ type: 'snapshot', recorded: recorder.snapshot() });
            break;
          case 'collect':
            send({ type: 'snapshot', recorded: recorder.snapshot() });
            break;
          case 'stop':
            resolve();
            break;
        }
      });
    });
  });
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

main().then(
  () => process.disconnect?.(),
  (error: unknown) => {
    const text =
      error instanceof Error ? (error.stack ?? error.message) : String(error);
    send({ type: 'failed', error: text });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
