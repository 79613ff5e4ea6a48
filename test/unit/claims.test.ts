import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { transitionItem } from '#domain/claims.js';

const table = {
  tableName: 'files',
  statusIndexName: 'StatusIndex',
  statusShardCount: 4,
};
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const dynamoMock = mockClient(client);
const change = {
  id: 'file-1',
  expected: 'queued',
  status: 'processed',
  since: '2026-01-01T00:00:00.000Z',
  now: '2026-01-01T00:00:00.000Z',
};

function conditionFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
  });
}

/**
 * Fails the update's condition and serves the item as written by the
 * update itself, or by another writer.
 */
function failConditionAfterWrite(writtenByThisCall: boolean): void {
  let token: unknown;
  dynamoMock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
    token = input.ExpressionAttributeValues?.[':transitionId'];
    throw conditionFailed();
  });
  dynamoMock.on(GetCommand).callsFake(() => ({
    Item: { transitionId: writtenByThisCall ? token : 'another-writer' },
  }));
}

afterEach(() => {
  dynamoMock.reset();
});

describe('Function: transitionItem', () => {
  it('writes a new transition id with each change', async () => {
    dynamoMock.on(UpdateCommand).resolves({});

    await transitionItem(client, table, change);
    await transitionItem(client, table, change);

    const tokens = dynamoMock
      .commandCalls(UpdateCommand)
      .map(
        (call) =>
          call.args[0].input.ExpressionAttributeValues?.[':transitionId'],
      );
    expect(tokens).toHaveLength(2);
    expect(typeof tokens[0]).toBe('string');
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  it('returns written when a retry finds its own write', async () => {
    failConditionAfterWrite(true);

    const outcome = await transitionItem(client, table, change);

    const [read] = dynamoMock.commandCalls(GetCommand);
    expect(outcome).toBe('written');
    expect(read?.args[0].input).toMatchObject({
      Key: { id: 'file-1' },
      ConsistentRead: true,
    });
  });

  it('returns condition-failed after another writer', async () => {
    failConditionAfterWrite(false);

    const outcome = await transitionItem(client, table, change);

    expect(outcome).toBe('condition-failed');
  });

  it('returns written when retries fail after its write', async () => {
    let token: unknown;
    dynamoMock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
      token = input.ExpressionAttributeValues?.[':transitionId'];
      throw new Error('No retry token available');
    });
    dynamoMock
      .on(GetCommand)
      .callsFake(() => ({ Item: { transitionId: token } }));

    const outcome = await transitionItem(client, table, change);

    expect(outcome).toBe('written');
  });

  it('throws the update error when its write was not applied', async () => {
    dynamoMock.on(UpdateCommand).rejects(new Error('throughput exceeded'));
    dynamoMock.on(GetCommand).resolves({ Item: { transitionId: 'earlier' } });

    const outcome = transitionItem(client, table, change);

    await expect(outcome).rejects.toThrow('throughput exceeded');
  });

  it('throws the update error when the read-back fails too', async () => {
    dynamoMock.on(UpdateCommand).rejects(new Error('throughput exceeded'));
    dynamoMock.on(GetCommand).rejects(new Error('read throttled'));

    const outcome = transitionItem(client, table, change);

    await expect(outcome).rejects.toThrow('throughput exceeded');
  });

  it('returns condition-failed when the item is gone', async () => {
    dynamoMock.on(UpdateCommand).rejects(conditionFailed());
    dynamoMock.on(GetCommand).resolves({});

    const outcome = await transitionItem(client, table, change);

    expect(outcome).toBe('condition-failed');
  });
});
