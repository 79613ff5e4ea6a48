import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { batchWriteAll } from './batch-write.js';
import type { Lease, LockStore } from './lock.js';
import { queryStatusShard } from './status-index.js';

/** Dependencies and settings of {@link deleteProcessedFiles}. */
export interface DeleteDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly table: TableConfig;
  readonly lock: LockStore;
  readonly owner: string;
  readonly leaseMs: number;
  /** Tells whether another batch fits in the time budget. */
  readonly hasTime: () => boolean;
  readonly now?: () => number;
  /** Ids deleted per batch, across shards. @default 100 */
  readonly batchLimit?: number;
  /**
   * Milliseconds a file must have been `processed` before it is deleted.
   * One processor timeout lets a processor that is still running read its
   * own write back (see `transitionItem`). @default 0
   */
  readonly minProcessedAgeMs?: number;
  /** Called once per confirmed batch with the number of files it deleted. */
  readonly onDeleted?: (count: number) => void;
  /** Called when the release fails after the run itself failed. */
  readonly onReleaseFailed?: (error: unknown) => void;
}

/** Counts of one deleter run while it had the lock. */
export interface DeleteSummary {
  readonly fence: number;
  readonly deleted: number;
  readonly batches: number;
  /** Ids a previous holder left unconfirmed, deleted and counted here. */
  readonly inherited: number;
}

/**
 * Takes the lock, then deletes `processed` items in batches until none is
 * left or the time budget runs out, and releases the lock, also on error.
 *
 * Counting is exact. Before each batch, a write fenced on this holder's
 * token stores the ids on the lock item. After the batch, a second fenced
 * write clears them, and only then is the batch counted. A holder that
 * lost the lock fails the second write and counts nothing. The next
 * holder inherits the stored ids, deletes them again (a no-op for those
 * already gone) and counts them once.
 *
 * @throws LockHeldError when another deleter holds the lock.
 * @throws LockLostError when the lock was taken over during the run.
 */
export async function deleteProcessedFiles(
  deps: DeleteDeps,
): Promise<DeleteSummary> {
  const now = deps.now ?? Date.now;
  const acquired = await deps.lock.acquire(deps.owner, deps.leaseMs, now());
  let lease = acquired.lease;
  let carried = [...acquired.pendingIds];
  let deleted = 0;
  let batches = 0;
  let failed = false;
  try {
    while (deps.hasTime()) {
      const ids = await nextBatch(deps, carried);
      if (ids.length === 0) break;
      lease = await deps.lock.renew(lease, deps.leaseMs, now(), ids);
      const result = await deleteIds(deps, ids, lease.expiresAt);
      lease = await deps.lock.renew(lease, deps.leaseMs, now(), result.left);
      const count = ids.length - result.left.length;
      deleted += count;
      batches++;
      deps.onDeleted?.(count);
      if (result.error) throw result.error;
      carried = result.left;
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await release(deps, lease, failed);
  }

  return {
    fence: lease.fence,
    deleted,
    batches,
    inherited: acquired.pendingIds.length,
  };
}

async function nextBatch(
  deps: DeleteDeps,
  carried: readonly string[],
): Promise<string[]> {
  const limit = deps.batchLimit ?? 100;
  const perShard = Math.max(
    1,
    Math.ceil((limit - carried.length) / deps.table.statusShardCount),
  );
  const shards = Array.from(
    { length: deps.table.statusShardCount },
    (_, shard) => shard,
  );
  const minAgeMs = deps.minProcessedAgeMs ?? 0;
  const now = deps.now ?? Date.now;
  const before =
    minAgeMs > 0 ? new Date(now() - minAgeMs).toISOString() : undefined;
  const pages = await Promise.all(
    shards.map((shard) =>
      queryStatusShard(deps.dynamoDb, deps.table, {
        status: 'processed',
        shard,
        limit: perShard,
        ...(before === undefined ? {} : { before }),
      }),
    ),
  );
  const ids = new Set(carried);
  for (const item of pages.flat()) ids.add(item.id);

  return [...ids].slice(0, Math.max(limit, carried.length));
}

/**
 * Deletes the ids and returns those still unprocessed after retries, with
 * an error when a call failed or throttling left items behind, so the run
 * stops instead of retrying the same batch until its time runs out.
 */
async function deleteIds(
  deps: DeleteDeps,
  ids: readonly string[],
  leaseExpiresAt: number,
): Promise<{ left: string[]; error?: Error }> {
  const now = deps.now ?? Date.now;
  const requests = ids.map((id) => ({ DeleteRequest: { Key: { id } } }));
  // Retries stop at half the lease, so the batch ends while the lease
  // holds and the next renewal still finds this holder's fence.
  const result = await batchWriteAll(
    deps.dynamoDb,
    deps.table.tableName,
    requests,
    { mayRetry: () => now() < leaseExpiresAt - deps.leaseMs / 2 },
  );
  const left = result.unprocessed.map((request) =>
    String(request.DeleteRequest?.Key?.id),
  );
  const error =
    result.errors[0] ??
    (left.length > 0
      ? new Error(`BatchWriteItem left ${left.length} deletes unprocessed`)
      : undefined);

  return error ? { left, error } : { left };
}

/**
 * Releases the lock. When the run already failed, a failed release goes
 * to `onReleaseFailed`, so that it does not hide the run's error. The
 * lease then expires on its own.
 */
async function release(
  deps: DeleteDeps,
  lease: Lease,
  runFailed: boolean,
): Promise<void> {
  try {
    await deps.lock.release(lease);
  } catch (error) {
    if (!runFailed) throw error;
    deps.onReleaseFailed?.(error);
  }
}
