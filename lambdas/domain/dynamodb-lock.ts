import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { isAwsError } from '#shared/errors.js';
import {
  type Lease,
  type LeaseState,
  LockHeldError,
  LockLostError,
  type LockStore,
  type LockStoreOptions,
  takeoverCutoff,
} from './lock.js';

/**
 * A {@link LockStore} kept as one item of a DynamoDB table, written only
 * with conditional single-item updates (no transactions), so it runs the
 * same on DynamoDB and on emulators such as dynalite.
 */
export class DynamoDbLockStore implements LockStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #key: { id: string };
  readonly #safetyMarginMs: number;

  constructor(
    client: DynamoDBDocumentClient,
    tableName: string,
    id: string,
    options: LockStoreOptions = {},
  ) {
    this.#client = client;
    this.#tableName = tableName;
    this.#key = { id };
    this.#safetyMarginMs = options.safetyMarginMs ?? 0;
  }

  async acquire(
    owner: string,
    leaseMs: number,
    now: number,
  ): Promise<LeaseState> {
    try {
      const output = await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: this.#key,
          UpdateExpression:
            'SET #owner = :owner, expiresAt = :expiresAt ADD fence :one',
          ConditionExpression:
            'attribute_not_exists(id) OR attribute_not_exists(#owner) OR expiresAt < :cutoff',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':owner': owner,
            ':expiresAt': now + leaseMs,
            ':one': 1,
            ':cutoff': takeoverCutoff(now, this.#safetyMarginMs),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const item = output.Attributes ?? {};
      const lease = {
        owner,
        fence: Number(item.fence),
        expiresAt: now + leaseMs,
      };
      return { lease, pendingIds: (item.pendingIds as string[]) ?? [] };
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      throw await this.#heldError();
    }
  }

  async renew(
    lease: Lease,
    leaseMs: number,
    now: number,
    pendingIds: readonly string[],
  ): Promise<Lease> {
    await this.#fencedUpdate(lease, {
      UpdateExpression: 'SET expiresAt = :expiresAt, pendingIds = :pendingIds',
      values: { ':expiresAt': now + leaseMs, ':pendingIds': pendingIds },
    });

    return { ...lease, expiresAt: now + leaseMs };
  }

  async release(lease: Lease): Promise<void> {
    await this.#fencedUpdate(lease, {
      UpdateExpression: 'SET expiresAt = :zero REMOVE #owner',
      values: { ':zero': 0 },
    });
  }

  async #fencedUpdate(
    lease: Lease,
    update: { UpdateExpression: string; values: Record<string, unknown> },
  ): Promise<void> {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: this.#key,
          UpdateExpression: update.UpdateExpression,
          ConditionExpression: 'fence = :fence AND #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ...update.values,
            ':fence': lease.fence,
            ':owner': lease.owner,
          },
        }),
      );
    } catch (error) {
      if (!isAwsError(error, 'ConditionalCheckFailedException')) throw error;
      throw new LockLostError(lease, { cause: error });
    }
  }

  /** Reads the current holder; DynamoDB emulators may not return it. */
  async #heldError(): Promise<LockHeldError> {
    const output = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: this.#key,
        ConsistentRead: true,
      }),
    );
    const item = output.Item;

    return new LockHeldError(
      item?.owner as string | undefined,
      item?.expiresAt as number | undefined,
    );
  }
}
