import {
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { tableSchema } from '#shared/table-schema.js';
import { type FileItem, statusShardKey } from './file-item.js';

/** A query of one status shard, oldest first. */
export interface StatusQuery {
  readonly status: string;
  readonly shard: number;
  /** Items to return at most. */
  readonly limit: number;
  /** Only items that entered the status before this ISO-8601 time. */
  readonly before?: string;
}

/**
 * Finds the oldest items of one status shard through the status index.
 *
 * Pages until it has `limit` items or DynamoDB returns no
 * `LastEvaluatedKey`: a page may be short or empty and still have more
 * behind it.
 */
export async function queryStatusShard(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  query: StatusQuery,
): Promise<FileItem[]> {
  const { statusIndexPartitionKey: pk, statusIndexSortKey: sk } = tableSchema;
  const items: FileItem[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new QueryCommand({
        TableName: table.tableName,
        IndexName: table.statusIndexName,
        KeyConditionExpression:
          query.before === undefined
            ? '#pk = :pk'
            : '#pk = :pk AND #sk < :before',
        ExpressionAttributeNames:
          query.before === undefined ? { '#pk': pk } : { '#pk': pk, '#sk': sk },
        ExpressionAttributeValues: {
          ':pk': statusShardKey(query.status, query.shard),
          ...(query.before === undefined ? {} : { ':before': query.before }),
        },
        Limit: query.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...((output.Items ?? []) as FileItem[]));
    startKey = output.LastEvaluatedKey;
  } while (startKey && items.length < query.limit);

  return items;
}

/**
 * Measures the age in seconds of the oldest item of a status over all
 * shards, or 0 when there is none.
 */
export async function oldestAgeSeconds(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  status: string,
  now: Date,
): Promise<number> {
  const shards = Array.from({ length: table.statusShardCount }, (_, i) => i);
  const oldest = await Promise.all(
    shards.map((shard) =>
      queryStatusShard(client, table, { status, shard, limit: 1 }),
    ),
  );
  const times = oldest
    .flat()
    .map((item) => Date.parse(item.statusSince ?? ''))
    .filter((time) => Number.isFinite(time));
  if (times.length === 0) return 0;

  return Math.max(0, (now.getTime() - Math.min(...times)) / 1000);
}
