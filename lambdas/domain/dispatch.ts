import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { toError } from '#shared/errors.js';
import { markStuck, transitionItem } from './claims.js';
import type { FileItem } from './file-item.js';
import { type QueueSender, sendFileBatches } from './send-batches.js';
import { queryStatusShard } from './status-index.js';

/** Dependencies and settings of {@link dispatchFiles}. */
export interface DispatchDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly queue: QueueSender;
  readonly table: TableConfig;
  /** File ids per SQS message. */
  readonly batchSize: number;
  /** Seconds a claimed file may stay `queued` before it is sent again. */
  readonly leaseSeconds: number;
  readonly maxDispatchAttempts: number;
  /** Tells whether another round fits in the time budget. */
  readonly hasTime: () => boolean;
  readonly now?: () => Date;
  /** Items read per status shard in one round. @default 100 */
  readonly pageSize?: number;
  /**
   * Counts the messages waiting on the work queue. While any wait, files
   * whose lease expired are not sent again, because their messages may
   * be among them. Without the check, a backlog older than the lease
   * makes every round add copies to it. @default no check
   */
  readonly countWaitingMessages?: () => Promise<number>;
}

/** Counts of one dispatcher run, file by file. */
export interface DispatchSummary {
  claimed: number;
  redispatched: number;
  sent: number;
  messages: number;
  returnedToRaw: number;
  stuck: string[];
  rounds: number;
  /** Writes that failed after the SDK's retries; their items wait a lease. */
  failedWrites: number;
  /** Status index queries that failed after the SDK's retries. */
  failedReads: number;
  /** Rounds that left expired claims alone while messages were waiting. */
  deferredReclaims: number;
  firstError?: Error;
}

/** Creates a summary with every count at zero. */
export function emptyDispatchSummary(): DispatchSummary {
  return {
    claimed: 0,
    redispatched: 0,
    sent: 0,
    messages: 0,
    returnedToRaw: 0,
    stuck: [],
    rounds: 0,
    failedWrites: 0,
    failedReads: 0,
    deferredReclaims: 0,
  };
}

/**
 * Claims `raw` items (`raw → queued`), re-claims `queued` items whose lease
 * expired, and sends their ids to SQS, round after round until no work is
 * left or the time budget runs out.
 *
 * Every write is conditional, so two runs at once never send one claim
 * twice: the loser of a race gets a failed condition and skips the item.
 *
 * @param summary - filled in as the run goes, so a caller still has the
 *   counts of the rounds done when the run throws.
 */
export async function dispatchFiles(
  deps: DispatchDeps,
  summary: DispatchSummary = emptyDispatchSummary(),
): Promise<DispatchSummary> {
  while (deps.hasTime()) {
    const claimId = randomUUID();
    const fresh = await claimRawItems(deps, claimId, summary);
    summary.claimed += fresh.length;
    const expired = await reclaimExpiredItems(deps, claimId, summary);
    summary.redispatched += expired.length;
    const claimed = [...fresh, ...expired];
    if (claimed.length === 0) break;
    summary.rounds++;
    const result = await sendFileBatches(deps.queue, claimed, deps.batchSize);
    summary.sent += result.sentIds.length;
    summary.messages += result.messages;
    summary.firstError ??= result.errors[0];
    summary.returnedToRaw += await returnToRaw(
      deps,
      result.failed,
      claimId,
      summary,
    );
    // A round that sent nothing would fail the same way again at once.
    if (result.sentIds.length === 0) break;
  }

  return summary;
}

async function claimRawItems(
  deps: DispatchDeps,
  claimId: string,
  summary: DispatchSummary,
): Promise<FileItem[]> {
  const raw = await queryAllShards(deps, 'raw');
  const now = currentTime(deps);
  const outcomes = await settle(
    summary,
    raw.map((item) =>
      transitionItem(deps.dynamoDb, deps.table, {
        id: item.id,
        expected: 'raw',
        status: 'queued',
        since: now,
        now,
        claimId,
        countAttempt: true,
      }),
    ),
  );

  return raw.filter((_, index) => outcomes[index] === 'written');
}

/** Leases after which an expired claim is sent again in any case. */
const overdueLeases = 4;

async function reclaimExpiredItems(
  deps: DispatchDeps,
  claimId: string,
  summary: DispatchSummary,
): Promise<FileItem[]> {
  const nowDate = deps.now?.() ?? new Date();
  const cutoff = new Date(nowDate.getTime() - deps.leaseSeconds * 1000);
  let expired: FileItem[];
  try {
    expired = await queryAllShards(deps, 'queued', cutoff.toISOString());
  } catch (error) {
    // The claims of this round still go out; expired ones wait a run.
    summary.failedReads++;
    summary.firstError ??= toError(error);
    return [];
  }
  if (expired.length === 0) return [];
  if (await hasWaitingMessages(deps, summary)) {
    // Claims older than four leases go out even while messages wait, so
    // a queue that never empties cannot hold a lost file forever.
    const overdue = new Date(
      nowDate.getTime() - overdueLeases * deps.leaseSeconds * 1000,
    ).toISOString();
    const waiting = expired.length;
    expired = expired.filter((item) => (item.statusSince ?? overdue) < overdue);
    if (expired.length < waiting) summary.deferredReclaims++;
    if (expired.length === 0) return [];
  }
  const now = nowDate.toISOString();
  const reclaimed: FileItem[] = [];
  await settle(
    summary,
    expired.map(async (item) => {
      if ((item.dispatchAttempts ?? 0) >= deps.maxDispatchAttempts) {
        const outcome = await markStuck(deps.dynamoDb, deps.table, item, now);
        if (outcome === 'written') summary.stuck.push(item.id);
        return;
      }
      const outcome = await transitionItem(deps.dynamoDb, deps.table, {
        id: item.id,
        expected: 'queued',
        expectedClaimId: item.claimId ?? '',
        status: 'queued',
        since: now,
        now,
        claimId,
        countAttempt: true,
      });
      if (outcome === 'written') reclaimed.push(item);
    }),
  );

  return reclaimed;
}

/**
 * Tells whether messages wait on the work queue. A failed count is
 * treated as a backlog, so the reclaim waits for a later round.
 */
async function hasWaitingMessages(
  deps: DispatchDeps,
  summary: DispatchSummary,
): Promise<boolean> {
  if (deps.countWaitingMessages === undefined) return false;
  try {
    return (await deps.countWaitingMessages()) > 0;
  } catch (error) {
    summary.failedReads++;
    summary.firstError ??= toError(error);
    return true;
  }
}

async function returnToRaw(
  deps: DispatchDeps,
  items: readonly FileItem[],
  claimId: string,
  summary: DispatchSummary,
): Promise<number> {
  const now = currentTime(deps);
  const outcomes = await settle(
    summary,
    items.map((item) =>
      transitionItem(deps.dynamoDb, deps.table, {
        id: item.id,
        expected: 'queued',
        expectedClaimId: claimId,
        status: 'raw',
        since: item.createdAt,
        now,
      }),
    ),
  );

  return outcomes.filter((outcome) => outcome === 'written').length;
}

async function queryAllShards(
  deps: DispatchDeps,
  status: string,
  before?: string,
): Promise<FileItem[]> {
  const shards = Array.from(
    { length: deps.table.statusShardCount },
    (_, shard) => shard,
  );
  const limit = deps.pageSize ?? 100;
  const pages = await Promise.all(
    shards.map((shard) =>
      queryStatusShard(deps.dynamoDb, deps.table, {
        status,
        shard,
        limit,
        ...(before === undefined ? {} : { before }),
      }),
    ),
  );

  return pages.flat();
}

/**
 * Waits for every write and counts the ones that failed, so one throttled
 * item does not abort the round. A failed claim or release leaves its item
 * `queued`, and the next run after the lease sends it again.
 */
async function settle<T>(
  summary: DispatchSummary,
  writes: readonly Promise<T>[],
): Promise<(T | undefined)[]> {
  const results = await Promise.allSettled(writes);

  return results.map((result) => {
    if (result.status === 'fulfilled') return result.value;
    summary.failedWrites++;
    summary.firstError ??= toError(result.reason);
    return undefined;
  });
}

function currentTime(deps: DispatchDeps): string {
  return (deps.now?.() ?? new Date()).toISOString();
}
