import { tableSchema } from '#shared/table-schema.js';

/** Life cycle of a data file item; a deleted item is gone from the table. */
export type FileStatus = 'raw' | 'queued' | 'processed';

/** A data file item as stored in the table. */
export interface FileItem {
  readonly id: string;
  readonly file: string;
  readonly status: FileStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly statusShard?: string;
  readonly statusSince?: string;
  readonly claimId?: string;
  readonly dispatchAttempts?: number;
  /** Random id of the last status change, written by `transitionItem`. */
  readonly transitionId?: string;
}

/**
 * Picks the write shard of an item's status index key from its id, so the
 * items of one status spread over `shardCount` index partitions.
 */
export function shardOf(id: string, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < id.length; index++) {
    hash ^= id.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }

  return (hash >>> 0) % shardCount;
}

/** Builds the status index partition key, such as `raw#2`. */
export function statusShardKey(status: string, shard: number): string {
  return `${status}#${shard}`;
}

/** Builds the status index attributes of an item entering `status`. */
export function statusIndexKeys(
  id: string,
  status: string,
  since: string,
  shardCount: number,
): Record<string, string> {
  return {
    [tableSchema.statusIndexPartitionKey]: statusShardKey(
      status,
      shardOf(id, shardCount),
    ),
    [tableSchema.statusIndexSortKey]: since,
  };
}
