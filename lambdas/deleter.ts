import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type DeleteSummary, deleteProcessedFiles } from '#domain/delete.js';
import { DynamoDbLockStore } from '#domain/dynamodb-lock.js';
import { LockHeldError } from '#domain/lock.js';
import { oldestAgeSeconds } from '#domain/status-index.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { toError } from '#shared/errors.js';
import { MetricName } from '#shared/metric-names.js';
import { logger, metrics } from '#shared/powertools.js';
import { hasTimeLeft } from '#shared/time-budget.js';

/** Id of the lock item, in the data file table. */
const lockId = 'lock#deleter';
const table = readTableConfig();
const lock = new DynamoDbLockStore(dynamoDb, table.tableName, lockId, {
  safetyMarginMs: requirePositiveInteger('LOCK_SAFETY_MARGIN_SECONDS') * 1000,
});
const leaseMs = requirePositiveInteger('LOCK_LEASE_SECONDS') * 1000;
const batchLimit = requirePositiveInteger('DELETE_BATCH_SIZE');
const minProcessedAgeMs =
  requirePositiveInteger('PROCESSOR_TIMEOUT_SECONDS') * 1000;

/** Result of one deleter run. */
export type DeleterResult = DeleteSummary | { readonly lockHeld: true };

/**
 * Runs on a schedule: takes the lock and deletes `processed` files, or
 * exits without deleting when another deleter holds the lock.
 */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<DeleterResult> => {
  logger.addContext(context);
  logger.appendKeys({ lockId });
  try {
    const summary = await deleteProcessedFiles({
      dynamoDb,
      table,
      lock,
      owner: context.awsRequestId,
      leaseMs,
      batchLimit,
      minProcessedAgeMs,
      hasTime: hasTimeLeft(context),
      onDeleted: publishDeleted,
      onReleaseFailed: (error) =>
        logger.warn('lock release failed after an error; the lease expires', {
          error: toError(error),
        }),
    });
    metrics.addMetric(MetricName.LockAcquired, MetricUnit.Count, 1);
    reportDeletes(summary);
    return summary;
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    metrics.addMetric(MetricName.LockContended, MetricUnit.Count, 1);
    logger.info('lock held by another deleter; exiting', {
      holder: error.holder,
      expiresAt: error.expiresAt,
    });
    return { lockHeld: true };
  } finally {
    await addProcessedAgeGauge();
    metrics.publishStoredMetrics();
    logger.removeKeys(['lockId']);
  }
};

/** Publishes each confirmed batch at once, so a later crash loses none. */
function publishDeleted(count: number): void {
  metrics.addMetric(MetricName.DeletedDataCount, MetricUnit.Count, count);
  metrics.publishStoredMetrics();
}

function reportDeletes(summary: DeleteSummary): void {
  if (summary.deleted > 0) {
    logger.info(`Deleted ${summary.deleted} files`, { ...summary });
  } else {
    logger.info('No files to delete', { ...summary });
  }
}

async function addProcessedAgeGauge(): Promise<void> {
  try {
    const age = await oldestAgeSeconds(
      dynamoDb,
      table,
      'processed',
      new Date(),
    );
    metrics.addMetric(
      MetricName.OldestProcessedAgeSeconds,
      MetricUnit.Seconds,
      age,
    );
  } catch (error) {
    logger.warn('backlog gauge unavailable', { error: toError(error) });
  }
}
