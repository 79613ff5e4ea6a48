import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { PipelineSettings } from '../lib/settings.js';
import type { PipelineFunctions } from './functions.js';
import { invokeFunction, type LocalFunction } from './invoke.js';
import type { ResolvedPipelineOptions } from './pipeline-options.js';
import type { QueueAddress } from './resources.js';
import { startSchedule } from './schedule.js';
import { startSqsPoller } from './sqs-poller.js';

/** The timers and the poller that invoke the functions. */
export interface Workers {
  /** Stops the timers and pollers, waiting for invocations in progress. */
  stop(): Promise<void>;
}

/** Everything `startWorkers` needs. */
export interface WorkersProps {
  readonly functions: PipelineFunctions;
  readonly sqs: SQSClient;
  readonly workQueue: QueueAddress;
  readonly settings: PipelineSettings;
  readonly options: ResolvedPipelineOptions;
  readonly logger: Logger;
}

/**
 * Starts the timers that replace the dispatcher and deleter schedules and
 * the poller that replaces the processor's SQS event source mapping.
 */
export function startWorkers(props: WorkersProps): Workers {
  const { functions, options, logger } = props;
  const dispatcher = startSchedule({
    intervalMs: options.dispatchIntervalSeconds * 1000,
    run: () => invokeScheduled(functions.dispatcher, logger),
  });
  const deleter = startSchedule({
    intervalMs: options.deleteIntervalSeconds * 1000,
    run: () => invokeScheduled(functions.deleter, logger),
  });
  const poller = startSqsPoller({
    sqs: props.sqs,
    queueUrl: props.workQueue.url,
    source: { queueArn: props.workQueue.arn, region: options.region },
    fn: functions.processor,
    batchSize: props.settings.processorBatchSize,
    idleDelayMs: options.pollIdleDelayMs,
    logger,
  });

  return {
    async stop() {
      await Promise.all([dispatcher.stop(), deleter.stop(), poller.stop()]);
    },
  };
}

/**
 * Invokes a scheduled function with an empty object as its event, since
 * the scheduled handlers take their event as `unknown`. `invokeFunction`
 * logs failures.
 */
async function invokeScheduled(
  fn: LocalFunction<unknown, unknown>,
  logger: Logger,
): Promise<void> {
  await invokeFunction(fn, {}, logger);
}
