import { randomUUID } from 'node:crypto';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { isAwsError } from '#shared/errors.js';
import { tableSchema } from '#shared/table-schema.js';
import { type FileItem, shardOf, statusShardKey } from './file-item.js';

/** Outcome of one conditional write on one item. */
export type WriteOutcome = 'written' | 'condition-failed';

const names = {
  '#status': 'status',
  '#pk': tableSchema.statusIndexPartitionKey,
  '#sk': tableSchema.statusIndexSortKey,
};

/** A status change of one item, for {@link transitionItem}. */
export interface Transition {
  readonly id: string;
  readonly expected: string;
  readonly expectedClaimId?: string;
  readonly status: string;
  readonly since: string;
  readonly now: string;
  readonly claimId?: string;
  readonly countAttempt?: boolean;
  /** Sets `dispatchAttempts` back to 0, for a file an operator requeues. */
  readonly resetAttempts?: boolean;
}

/**
 * Moves an item to `status` only if it is still in `expected` (and, when
 * given, still carries the claim `expectedClaimId`).
 *
 * Each call writes a new `transitionId`. A write can be applied although
 * its caller sees a failure: the SDK retries it after a lost response (a
 * 500 or a timeout), and the retry fails the condition or the retries run
 * out. In both cases this reads the item back, and reports the write as
 * `written` when the item carries this call's `transitionId`, so the
 * caller counts it once.
 *
 * NOTE: an applied write still goes uncounted when the read-back fails
 * too, or when another writer changed the item again before it. The
 * deleter waits one processor timeout before deleting a processed file
 * so that the processor's read-back finds it.
 *
 * @returns `condition-failed` when another writer changed the item first.
 * @throws the SDK error for anything but a failed condition.
 */
export async function transitionItem(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  change: Transition,
): Promise<WriteOutcome> {
  const transitionId = randomUUID();
  const input = buildTransition(table, change, transitionId);
  const isOwnWrite = async () =>
    (await readTransitionId(client, table, change.id)) === transitionId;
  let outcome: WriteOutcome;
  try {
    outcome = await conditionalUpdate(client, input);
  } catch (error) {
    if (await isOwnWrite().catch(() => false)) return 'written';
    throw error;
  }
  if (outcome === 'written' || (await isOwnWrite())) return 'written';

  return 'condition-failed';
}

function buildTransition(
  table: TableConfig,
  change: Transition,
  transitionId: string,
): UpdateCommandInput {
  const shard = shardOf(change.id, table.statusShardCount);
  // TODO: `queued` items keep status index keys so that expired claims can
  // be found, which costs 2 index writes per file (10 units in all, not
  // the 8 a sparse index would need). Per-claim lease items would let
  // queued items leave the index.
  const sets = [
    '#status = :status',
    '#pk = :pk',
    '#sk = :since',
    'updatedAt = :now',
    'transitionId = :transitionId',
  ];
  const values: Record<string, unknown> = {
    ':transitionId': transitionId,
    ':status': change.status,
    ':pk': statusShardKey(change.status, shard),
    ':since': change.since,
    ':now': change.now,
    ':expected': change.expected,
  };
  if (change.claimId !== undefined) {
    sets.push('claimId = :claimId');
    values[':claimId'] = change.claimId;
  }
  if (change.countAttempt) {
    sets.push(
      'dispatchAttempts = if_not_exists(dispatchAttempts, :zero) + :one',
    );
    values[':zero'] = 0;
    values[':one'] = 1;
  } else if (change.resetAttempts) {
    sets.push('dispatchAttempts = :zero');
    values[':zero'] = 0;
  }
  let condition = '#status = :expected';
  if (change.expectedClaimId !== undefined) {
    condition += ' AND claimId = :expectedClaimId';
    values[':expectedClaimId'] = change.expectedClaimId;
  }
  const removal = change.claimId === undefined ? ' REMOVE claimId' : '';

  return {
    TableName: table.tableName,
    Key: { id: change.id },
    UpdateExpression: `SET ${sets.join(', ')}${removal}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * Moves a `queued` item out of the status index under `stuck#N`, so the
 * dispatcher stops sending it and an operator can find it.
 */
export async function markStuck(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  item: FileItem,
  now: string,
): Promise<WriteOutcome> {
  const shard = shardOf(item.id, table.statusShardCount);

  return conditionalUpdate(client, {
    TableName: table.tableName,
    Key: { id: item.id },
    UpdateExpression: 'SET #pk = :pk, updatedAt = :now',
    ConditionExpression: '#status = :queued AND claimId = :claimId',
    ExpressionAttributeNames: { '#status': 'status', '#pk': names['#pk'] },
    ExpressionAttributeValues: {
      ':pk': statusShardKey('stuck', shard),
      ':now': now,
      ':queued': 'queued',
      ':claimId': item.claimId,
    },
  });
}

async function readTransitionId(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  id: string,
): Promise<unknown> {
  const output = await client.send(
    new GetCommand({
      TableName: table.tableName,
      Key: { id },
      ProjectionExpression: 'transitionId',
      ConsistentRead: true,
    }),
  );

  return output.Item?.transitionId;
}

async function conditionalUpdate(
  client: DynamoDBDocumentClient,
  input: UpdateCommandInput,
): Promise<WriteOutcome> {
  try {
    await client.send(new UpdateCommand(input));
    return 'written';
  } catch (error) {
    if (isAwsError(error, 'ConditionalCheckFailedException')) {
      return 'condition-failed';
    }
    throw error;
  }
}
