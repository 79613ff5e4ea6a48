import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isAwsError, StorageError } from '#shared/errors.js';
import { tableSchema } from '#shared/table-schema.js';
import { statusIndexKeys } from './file-item.js';
import { IdempotencyInProgressError } from './idempotency-errors.js';
import { deriveFileIds, hashFileList } from './idempotency-key.js';
import {
  claimIdempotencyRecord,
  completeIdempotencyRecord,
  expirationAttribute,
  type IdempotencyRecord,
  markRecordPublishing,
  releaseIdempotencyRecord,
} from './idempotency-record.js';
import type { IngestDeps } from './raw-files.js';

/** An ingest request that carries an idempotency key. */
export interface IdempotentIngestRequest {
  readonly key: string;
  readonly files: readonly string[];
  /**
   * Milliseconds this attempt owns the key. It must last until the
   * attempt can no longer write, such as the function's remaining time.
   */
  readonly leaseMs: number;
  /** Called when a record update fails after the items were handled. */
  readonly onRecordUpdateFailed?: (error: unknown) => void;
}

/**
 * The response to send: the stored one of an earlier request with the
 * same key, or a new one with the ids of the files stored.
 */
export type IngestOutcome =
  | {
      readonly replayed: true;
      readonly statusCode: number;
      readonly body: string;
    }
  | {
      readonly replayed: false;
      readonly statusCode: number;
      readonly body: string;
      readonly ids: readonly string[];
    };

/** Conditional single-item writes in flight at once. */
const writeConcurrency = 25;

/**
 * Stores one `raw` item per file at most once per idempotency key.
 *
 * BatchWriteItem takes no conditions, so each item is written with
 * conditional single-item writes, in two phases. First every item is put
 * unpublished, without status index keys and with a TTL, so no other
 * function can see it yet. Then each item is published: it gets its
 * status index keys and loses its TTL, on condition that it is still
 * unpublished. A retry after a crash repeats only the phase it reached, so
 * it never recreates an item the pipeline already processed and deleted,
 * and it never resets one that moved on. `onStored` counts publications,
 * so each file counts once across all attempts.
 *
 * NOTE: this relies on an attempt not writing after its lease ends, which
 * the function timeout enforces on Lambda.
 *
 * @throws IdempotencyKeyReusedError, IdempotencyInProgressError from the
 *   claim, and StorageError (503) when writes kept failing; a retry with
 *   the same key then continues the same items.
 */
export async function storeRawFilesOnce(
  deps: IngestDeps,
  request: IdempotentIngestRequest,
  onStored: (count: number) => void,
): Promise<IngestOutcome> {
  const now = (deps.now?.() ?? new Date()).getTime();
  const claim = await claimIdempotencyRecord(deps, {
    key: request.key,
    requestHash: hashFileList(request.files),
    now,
    leaseMs: request.leaseMs,
  });
  if (claim.kind === 'replay') return { ...claim.response, replayed: true };
  const record = claim.record;
  const ids = deriveFileIds(
    record.id,
    Date.parse(record.createdAt),
    request.files.length,
  );
  try {
    await writeItems(deps, record, ids, request.files, onStored);
  } catch (error) {
    await releaseAfterFailure(deps, record, request);
    throw error;
  }
  const response = {
    statusCode: 201,
    body: JSON.stringify({ ids, count: ids.length }),
  };
  await completeAfterSuccess(deps, record, response, request);

  return { ...response, replayed: false, ids };
}

async function writeItems(
  deps: IngestDeps,
  record: IdempotencyRecord,
  ids: readonly string[],
  files: readonly string[],
  onStored: (count: number) => void,
): Promise<void> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  if (record.state === 'storing') {
    const items = files.map((file, index) => ({
      id: ids[index] as string,
      file,
      status: 'raw',
      createdAt: record.createdAt,
      updatedAt: now,
      [expirationAttribute]: record[expirationAttribute],
    }));
    await writeEach(items, (item) => putUnpublished(deps, item));
    if (!(await markRecordPublishing(deps, record))) {
      // Another attempt took the record over and continues from here.
      throw new IdempotencyInProgressError(1);
    }
  }
  let published = 0;
  try {
    await writeEach(ids, async (id) => {
      const applied = await publish(deps, id, now);
      if (applied) published++;
    });
  } finally {
    onStored(published);
  }
}

/**
 * Runs one write per file with bounded concurrency.
 *
 * @throws StorageError when any write failed, after all were tried.
 */
async function writeEach<T>(
  inputs: readonly T[],
  write: (input: T) => Promise<unknown>,
): Promise<void> {
  const errors: unknown[] = [];
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < inputs.length; index = next++) {
      try {
        await write(inputs[index] as T);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: writeConcurrency }, worker));
  if (errors.length > 0) {
    throw new StorageError(
      `Could not store ${errors.length} of ${inputs.length} files. Send the same request again with the same Idempotency-Key.`,
      {},
      errors[0],
    );
  }
}

/** Puts an unpublished item unless it exists. */
async function putUnpublished(
  deps: IngestDeps,
  item: Record<string, unknown>,
): Promise<boolean> {
  try {
    await deps.dynamoDb.send(
      new PutCommand({
        TableName: deps.table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(id)',
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

/** Publishes an item if it is still unpublished. */
async function publish(
  deps: IngestDeps,
  id: string,
  now: string,
): Promise<boolean> {
  const keys = statusIndexKeys(id, 'raw', now, deps.table.statusShardCount);
  try {
    await deps.dynamoDb.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: { id },
        UpdateExpression:
          'SET #pk = :pk, #sk = :sk, updatedAt = :now REMOVE #expiration',
        ConditionExpression:
          'attribute_exists(#expiration) AND attribute_not_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': tableSchema.statusIndexPartitionKey,
          '#sk': tableSchema.statusIndexSortKey,
          '#expiration': expirationAttribute,
        },
        ExpressionAttributeValues: {
          ':pk': keys[tableSchema.statusIndexPartitionKey],
          ':sk': keys[tableSchema.statusIndexSortKey],
          ':now': now,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

async function releaseAfterFailure(
  deps: IngestDeps,
  record: IdempotencyRecord,
  request: IdempotentIngestRequest,
): Promise<void> {
  try {
    await releaseIdempotencyRecord(deps, record);
  } catch (error) {
    // The lease then ends on its own and a retry waits until then.
    request.onRecordUpdateFailed?.(error);
  }
}

async function completeAfterSuccess(
  deps: IngestDeps,
  record: IdempotencyRecord,
  response: { statusCode: number; body: string },
  request: IdempotentIngestRequest,
): Promise<void> {
  try {
    await completeIdempotencyRecord(deps, record, response);
  } catch (error) {
    // Every item is published, so the 201 response is still correct. A
    // retry after the lease takes the record over, publishes nothing and
    // completes it.
    request.onRecordUpdateFailed?.(error);
  }
}
