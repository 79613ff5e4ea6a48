import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import {
  type DispatchSummary,
  dispatchFiles,
  emptyDispatchSummary,
} from '#domain/dispatch.js';
import { countWaitingMessages } from '#domain/send-batches.js';
import { oldestAgeSeconds } from '#domain/status-index.js';
import { dynamoDb, sqs } from '#shared/clients.js';
import {
  readTableConfig,
  requireEnv,
  requirePositiveInteger,
} from '#shared/config.js';
import { MetricName } from '#shared/metric-names.js';
import { logger, metrics } from '#shared/powertools.js';
import { hasTimeLeft } from '#shared/time-budget.js';

const table = readTableConfig();
const settings = {
  queue: { client: sqs, queueUrl: requireEnv('WORK_QUEUE_URL') },
  batchSize: requirePositiveInteger('BATCH_SIZE'),
  leaseSeconds: requirePositiveInteger('DISPATCH_LEASE_SECONDS'),
  maxDispatchAttempts: requirePositiveInteger('MAX_DISPATCH_ATTEMPTS'),
};
const countWaiting = () => countWaitingMessages(settings.queue);

/** Runs on a schedule: sends `raw` and expired `queued` files to SQS. */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<DispatchSummary> => {
  logger.addContext(context);
  const summary = emptyDispatchSummary();
  try {
    await dispatchFiles(
      {
        ...settings,
        dynamoDb,
        table,
        hasTime: hasTimeLeft(context),
        countWaitingMessages: countWaiting,
      },
      summary,
    );
    reportDispatch(summary);
    if (summary.failedReads > 0 && summary.sent === 0) {
      throw new Error('Dispatch failed: the status index could not be read', {
        cause: summary.firstError,
      });
    }
    return summary;
  } finally {
    addDispatchMetrics(summary);
    await addBacklogGauges();
    metrics.publishStoredMetrics();
  }
};

function addDispatchMetrics(summary: DispatchSummary): void {
  const counts = {
    [MetricName.FilesClaimed]: summary.claimed,
    [MetricName.FilesRedispatched]: summary.redispatched,
    [MetricName.FilesReturnedToRaw]: summary.returnedToRaw,
    [MetricName.FilesStuck]: summary.stuck.length,
  };
  for (const [name, value] of Object.entries(counts)) {
    metrics.addMetric(name, MetricUnit.Count, value);
  }
}

function reportDispatch(summary: DispatchSummary): void {
  const { firstError, stuck, ...counts } = summary;
  if (summary.sent > 0) {
    logger.info(`Dispatched ${summary.sent} files`, counts);
  } else {
    logger.debug('no files to dispatch', counts);
  }
  if (stuck.length > 0) {
    logger.error('files stuck after the maximum dispatch attempts', {
      ids: stuck,
    });
  }
  if (firstError) {
    logger.warn('dispatch calls failed; their files wait for a later run', {
      failedWrites: summary.failedWrites,
      failedReads: summary.failedReads,
      error: firstError,
    });
  }
}

/** Publishes the age of the oldest raw and queued items. */
async function addBacklogGauges(): Promise<void> {
  const now = new Date();
  try {
    const [raw, queued] = await Promise.all([
      oldestAgeSeconds(dynamoDb, table, 'raw', now),
      oldestAgeSeconds(dynamoDb, table, 'queued', now),
    ]);
    metrics.addMetric(MetricName.OldestRawAgeSeconds, MetricUnit.Seconds, raw);
    metrics.addMetric(
      MetricName.OldestQueuedAgeSeconds,
      MetricUnit.Seconds,
      queued,
    );
  } catch (error) {
    logger.warn('backlog gauges unavailable', { error });
  }
}
