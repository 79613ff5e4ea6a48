import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  type DynamoDBDocumentClient,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '#shared/errors.js';
import { metrics } from '#shared/powertools.js';

/**
 * A data file item of the baseline: the columns of the Rails `DataFile`
 * model and nothing for an index, so only a Scan finds work.
 */
export interface NaiveItem {
  readonly id: string;
  readonly file: string;
  readonly status: 'raw' | 'queued' | 'processed';
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Reads every item that matches a filter, page by page, with Scan. Every
 * page reads the whole table, whatever the filter keeps.
 */
export async function scanItems(
  client: DynamoDBDocumentClient,
  tableName: string,
  filter: {
    readonly expression: string;
    readonly names: Record<string, string>;
    readonly values: Record<string, unknown>;
  },
): Promise<NaiveItem[]> {
  const items: NaiveItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: filter.expression,
        ExpressionAttributeNames: filter.names,
        ExpressionAttributeValues: filter.values,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((output.Items ?? []) as NaiveItem[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey);

  return items;
}

/**
 * Moves one item from `expected` to `status` with a conditional update.
 *
 * @returns false when the item was no longer in `expected`.
 */
export async function moveItem(
  client: DynamoDBDocumentClient,
  tableName: string,
  change: { id: string; expected: string; status: string; now: string },
): Promise<boolean> {
  try {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: { id: change.id },
        UpdateExpression: 'SET #status = :status, updatedAt = :now',
        ConditionExpression: '#status = :expected',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': change.status,
          ':expected': change.expected,
          ':now': change.now,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

/**
 * Publishes one EMF document with a count of 1, as the original counters
 * were incremented once per file.
 */
export function publishFileMetric(name: string): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
