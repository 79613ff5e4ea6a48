import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { DynamoDbLockStore } from '#domain/dynamodb-lock.js';
import { type Lease, LockHeldError } from '#domain/lock.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { isAwsError } from '#shared/errors.js';
import { MetricName } from '#shared/metric-names.js';
import { logger } from '#shared/powertools.js';
import { hasTimeLeft } from '#shared/time-budget.js';
import { publishFileMetric, scanItems } from './naive-table.js';

const { tableName } = readTableConfig();
const lock = new DynamoDbLockStore(dynamoDb, tableName, 'lock#deleter');
const leaseMs = requirePositiveInteger('LOCK_LEASE_SECONDS') * 1000;

/** Summary of one baseline deleter run. */
export type NaiveDeleteSummary =
  | { readonly deleted: number }
  | { readonly lockHeld: true };

/**
 * Baseline deleter, the way the Rails `DataDeleteJob` worked: under the
 * lock, Scan for `processed` items and delete them with one conditional
 * DeleteItem and one metric document each, until a scan finds nothing or
 * its time runs out.
 */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<NaiveDeleteSummary> => {
  logger.addContext(context);
  let lease: Lease;
  try {
    ({ lease } = await lock.acquire(context.awsRequestId, leaseMs, Date.now()));
  } catch (error) {
    if (!(error instanceof LockHeldError)) throw error;
    logger.info('lock held by another deleter; exiting');
    return { lockHeld: true };
  }
  let deleted = 0;
  try {
    const hasTime = hasTimeLeft(context);
    while (hasTime()) {
      const processed = await scanItems(dynamoDb, tableName, {
        expression: '#status = :processed',
        names: { '#status': 'status' },
        values: { ':processed': 'processed' },
      });
      if (processed.length === 0) break;
      lease = await lock.renew(lease, leaseMs, Date.now(), []);
      for (const item of processed) {
        if (!hasTime()) break;
        if (await deleteProcessed(item.id)) deleted++;
      }
    }
  } finally {
    await lock.release(lease);
  }
  logger.info(deleted > 0 ? `Deleted ${deleted} files` : 'No files to delete');

  return { deleted };
};

/** Deletes one item if it is still `processed`, and counts it then. */
async function deleteProcessed(id: string): Promise<boolean> {
  try {
    await dynamoDb.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { id },
        ConditionExpression: '#status = :processed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':processed': 'processed' },
      }),
    );
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
  publishFileMetric(MetricName.DeletedDataCount);

  return true;
}
