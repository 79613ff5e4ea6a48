import {
  type DynamoDBDocumentClient,
  UpdateCommand,
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

/**
 * Moves an item to `status` only if it is still in `expected` (and, when
 * given, still carries the claim `expectedClaimId`).
 *
 * @returns `condition-failed` when another writer changed the item first.
 * @throws the SDK error for anything but a failed condition.
 */
export async function transitionItem(
  client: DynamoDBDocumentClient,
  table: TableConfig,
  change: {
    readonly id: string;
    readonly expected: string;
    readonly expectedClaimId?: string;
    readonly status: string;
    readonly since: string;
    readonly now: string;
    readonly claimId?: string;
    readonly countAttempt?: boolean;
  },
): Promise<WriteOutcome> {
  const shard = shardOf(change.id, table.statusShardCount);
  const sets = [
    '#status = :status',
    '#pk = :pk',
    '#sk = :since',
    'updatedAt = :now',
  ];
  const values: Record<string, unknown> = {
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
  }
  let condition = '#status = :expected';
  if (change.expectedClaimId !== undefined) {
    condition += ' AND claimId = :expectedClaimId';
    values[':expectedClaimId'] = change.expectedClaimId;
  }
  const removal = change.claimId === undefined ? ' REMOVE claimId' : '';

  return conditionalUpdate(client, {
    TableName: table.tableName,
    Key: { id: change.id },
    UpdateExpression: `SET ${sets.join(', ')}${removal}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
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

async function conditionalUpdate(
  client: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof UpdateCommand>[0],
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
