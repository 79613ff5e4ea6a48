import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '#shared/errors.js';
import { tableSchema } from '#shared/table-schema.js';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
} from './idempotency-errors.js';
import { sha256Hex } from './idempotency-key.js';

/**
 * Name of the TTL attribute, in epoch seconds, of idempotency records and
 * of items not yet published. The table's time-to-live setting must name
 * it. The lock item's `expiresAt` is in milliseconds and must not be used.
 */
export const expirationAttribute = tableSchema.timeToLiveAttribute;

/** Seconds a key is remembered after its first use: 24 hours. */
export const idempotencyRecordTtlSeconds = 24 * 60 * 60;

/**
 * Progress of the request a record guards: its items are being written
 * unpublished, then published, then the response is stored.
 */
export type RecordState = 'storing' | 'publishing' | 'completed';

/** A response stored for replay. */
export interface StoredResponse {
  readonly statusCode: number;
  readonly body: string;
}

/** An idempotency record, one table item per key. */
export interface IdempotencyRecord {
  /** `idempotency#` and the SHA-256 of the key, in hex. */
  readonly id: string;
  /** SHA-256 of the request's file list. */
  readonly requestHash: string;
  readonly state: RecordState;
  /** Fencing token: increases when an attempt takes over the record. */
  readonly attempt: number;
  /** ISO-8601 time of the first attempt; the item ids derive from it. */
  readonly createdAt: string;
  /** Epoch milliseconds until which the current attempt owns the record. */
  readonly leaseExpiresAt: number;
  /** Epoch seconds after which the record is forgotten (TTL). */
  readonly [expirationAttribute]: number;
  readonly response?: StoredResponse;
}

/**
 * Outcome of {@link claimIdempotencyRecord}: run the request, or replay
 * the stored response.
 */
export type Claim =
  | { readonly kind: 'run'; readonly record: IdempotencyRecord }
  | { readonly kind: 'replay'; readonly response: StoredResponse };

/** Client and table of the idempotency records. */
export interface RecordDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly table: { readonly tableName: string };
}

/** A request to own an idempotency key. */
export interface ClaimRequest {
  readonly key: string;
  readonly requestHash: string;
  /** Epoch milliseconds. */
  readonly now: number;
  /** How long the new attempt owns the record, in milliseconds. */
  readonly leaseMs: number;
}

// STATE and RESPONSE are DynamoDB reserved words.
const stateName = { '#state': 'state' } as const;
const maxClaimRounds = 3;

/** Builds the table id of a key's record. */
export function idempotencyRecordId(key: string): string {
  return `idempotency#${sha256Hex(key)}`;
}

/**
 * Claims a key for one attempt, with conditional writes only. A new key,
 * or one whose record expired, gets a fresh record. A record whose
 * attempt's lease expired is taken over, with its state and creation time
 * kept so the new attempt writes the same items.
 *
 * @returns `run` with the record the attempt now owns, or `replay` with
 *   the stored response of a completed request.
 * @throws IdempotencyKeyReusedError when the record has another request
 *   hash.
 * @throws IdempotencyInProgressError when another attempt owns the record.
 */
export async function claimIdempotencyRecord(
  deps: RecordDeps,
  request: ClaimRequest,
): Promise<Claim> {
  const id = idempotencyRecordId(request.key);
  for (let round = 0; round < maxClaimRounds; round++) {
    const created = await putNewRecord(deps, id, request);
    if (created) return { kind: 'run', record: created };
    const existing = await readRecord(deps, id);
    if (existing === undefined) continue;
    const claim = await claimExisting(deps, existing, request);
    if (claim) return claim;
  }

  // Other attempts won every round; the client may retry at once.
  throw new IdempotencyInProgressError(1);
}

async function putNewRecord(
  deps: RecordDeps,
  id: string,
  request: ClaimRequest,
): Promise<IdempotencyRecord | undefined> {
  const record: IdempotencyRecord = {
    id,
    requestHash: request.requestHash,
    state: 'storing',
    attempt: 1,
    createdAt: new Date(request.now).toISOString(),
    leaseExpiresAt: request.now + request.leaseMs,
    [expirationAttribute]:
      epochSeconds(request.now) + idempotencyRecordTtlSeconds,
  };
  try {
    await deps.dynamoDb.send(
      new PutCommand({
        TableName: deps.table.tableName,
        Item: record,
        // DynamoDB removes expired items in the background, some time after
        // they expire, so an expired record may still be there.
        ConditionExpression:
          'attribute_not_exists(id) OR #expiration < :nowSeconds',
        ExpressionAttributeNames: { '#expiration': expirationAttribute },
        ExpressionAttributeValues: { ':nowSeconds': epochSeconds(request.now) },
      }),
    );
    return record;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
    throw error;
  }
}

/**
 * Reads a record with a consistent read. DynamoDB can return the old item
 * of a failed condition, but dynalite 4.0.0 ignores that option, so the
 * read is a separate call.
 */
async function readRecord(
  deps: RecordDeps,
  id: string,
): Promise<IdempotencyRecord | undefined> {
  const output = await deps.dynamoDb.send(
    new GetCommand({
      TableName: deps.table.tableName,
      Key: { id },
      ConsistentRead: true,
    }),
  );

  return output.Item as IdempotencyRecord | undefined;
}

async function claimExisting(
  deps: RecordDeps,
  existing: IdempotencyRecord,
  request: ClaimRequest,
): Promise<Claim | undefined> {
  if (existing[expirationAttribute] < epochSeconds(request.now)) {
    return undefined;
  }
  if (existing.requestHash !== request.requestHash) {
    throw new IdempotencyKeyReusedError();
  }
  if (existing.state === 'completed' && existing.response) {
    return { kind: 'replay', response: existing.response };
  }
  if (existing.leaseExpiresAt >= request.now) {
    const waitMs = existing.leaseExpiresAt - request.now;
    throw new IdempotencyInProgressError(Math.max(1, Math.ceil(waitMs / 1000)));
  }
  const record = await takeOver(deps, existing, request);

  return record ? { kind: 'run', record } : undefined;
}

async function takeOver(
  deps: RecordDeps,
  existing: IdempotencyRecord,
  request: ClaimRequest,
): Promise<IdempotencyRecord | undefined> {
  try {
    const output = await deps.dynamoDb.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: { id: existing.id },
        UpdateExpression: 'SET attempt = :next, leaseExpiresAt = :lease',
        ConditionExpression:
          'createdAt = :createdAt AND attempt = :seen AND #state <> :completed',
        ExpressionAttributeNames: stateName,
        ExpressionAttributeValues: {
          ':next': existing.attempt + 1,
          ':lease': request.now + request.leaseMs,
          ':createdAt': existing.createdAt,
          ':seen': existing.attempt,
          ':completed': 'completed',
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return output.Attributes as IdempotencyRecord;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return undefined;
    throw error;
  }
}

/**
 * Moves the record to the publishing state.
 *
 * @returns false when another attempt took the record over.
 */
export function markRecordPublishing(
  deps: RecordDeps,
  record: IdempotencyRecord,
): Promise<boolean> {
  return fencedUpdate(deps, record, {
    expression: 'SET #state = :publishing',
    names: stateName,
    values: { ':publishing': 'publishing' },
  });
}

/**
 * Stores the response and completes the record, so that replays return it.
 *
 * @returns false when another attempt took the record over.
 */
export function completeIdempotencyRecord(
  deps: RecordDeps,
  record: IdempotencyRecord,
  response: StoredResponse,
): Promise<boolean> {
  return fencedUpdate(deps, record, {
    expression: 'SET #state = :completed, #response = :response',
    names: { ...stateName, '#response': 'response' },
    values: { ':completed': 'completed', ':response': response },
  });
}

/**
 * Ends the attempt's lease, so that a retry takes the record over at once
 * and writes the same items.
 *
 * @returns false when another attempt took the record over.
 */
export function releaseIdempotencyRecord(
  deps: RecordDeps,
  record: IdempotencyRecord,
): Promise<boolean> {
  return fencedUpdate(deps, record, {
    expression: 'SET leaseExpiresAt = :zero',
    values: { ':zero': 0 },
  });
}

/** Updates the record only if this attempt still owns it. */
async function fencedUpdate(
  deps: RecordDeps,
  record: IdempotencyRecord,
  update: {
    readonly expression: string;
    readonly names?: Record<string, string>;
    readonly values: Record<string, unknown>;
  },
): Promise<boolean> {
  try {
    await deps.dynamoDb.send(
      new UpdateCommand({
        TableName: deps.table.tableName,
        Key: { id: record.id },
        UpdateExpression: update.expression,
        ConditionExpression: 'createdAt = :createdAt AND attempt = :attempt',
        ExpressionAttributeNames: update.names,
        ExpressionAttributeValues: {
          ...update.values,
          ':createdAt': record.createdAt,
          ':attempt': record.attempt,
        },
      }),
    );
    return true;
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) return false;
    throw error;
  }
}

function epochSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
