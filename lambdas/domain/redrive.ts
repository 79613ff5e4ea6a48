import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { transitionItem } from './claims.js';
import type { FileItem } from './file-item.js';
import { queryStatusShard } from './status-index.js';

/** Result of moving stuck files back to `raw`. */
export interface RequeueSummary {
  readonly requeued: readonly string[];
  /** Ids that changed after they were found, and were left alone. */
  readonly skipped: readonly string[];
}

/**
 * Finds the files that the dispatcher marked stuck after their last
 * dispatch attempt: `queued` items in the status index partitions
 * `stuck#0` … `stuck#N-1`, oldest first.
 *
 * @param limit - maximum files to return from each shard.
 */
export async function findStuckFiles(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  limit: number,
): Promise<FileItem[]> {
  const shards = Array.from({ length: table.statusShardCount }, (_, i) => i);
  const pages = await Promise.all(
    shards.map((shard) =>
      queryStatusShard(client, table, { status: 'stuck', shard, limit }),
    ),
  );

  return pages.flat();
}

/**
 * Moves stuck files back to `raw` with their dispatch attempts reset, so
 * the next dispatcher run sends them again. Each write is conditional on
 * the file still being `queued` under the claim it was stuck with, so a
 * file that was processed meanwhile is skipped.
 */
export async function requeueStuckFiles(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  items: readonly FileItem[],
  now: Date = new Date(),
): Promise<RequeueSummary> {
  const outcomes = await Promise.all(
    items.map((item) =>
      transitionItem(client, table, {
        id: item.id,
        expected: 'queued',
        expectedClaimId: item.claimId ?? '',
        status: 'raw',
        since: item.createdAt,
        now: now.toISOString(),
        resetAttempts: true,
      }),
    ),
  );

  return {
    requeued: items
      .filter((_, index) => outcomes[index] === 'written')
      .map((item) => item.id),
    skipped: items
      .filter((_, index) => outcomes[index] !== 'written')
      .map((item) => item.id),
  };
}
