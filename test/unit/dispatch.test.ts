import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DispatchDeps, dispatchFiles } from '#domain/dispatch.js';

const table = {
  tableName: 'files',
  statusIndexName: 'StatusIndex',
  statusShardCount: 1,
};
const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const dynamoMock = mockClient(dynamoDb);
const sqsMock = mockClient(sqs);
const expiredFile = {
  id: 'file-1',
  file: 'file-1.csv',
  status: 'queued',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  claimId: 'claim-0',
  dispatchAttempts: 1,
  // Claimed two leases of 60 s ago.
  statusSince: new Date(Date.now() - 120_000).toISOString(),
};

/** Dependencies for one round, because the mocked query never empties. */
function deps(overrides: Partial<DispatchDeps> = {}): DispatchDeps {
  let rounds = 0;

  return {
    dynamoDb,
    table,
    queue: { client: sqs, queueUrl: 'http://127.0.0.1:9/000000000000/work' },
    batchSize: 3,
    leaseSeconds: 60,
    maxDispatchAttempts: 5,
    hasTime: () => rounds++ < 1,
    ...overrides,
  };
}

/** Serves no raw files and one queued file whose lease has expired. */
function serveQueued(file: typeof expiredFile): void {
  dynamoMock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const pk = String(input.ExpressionAttributeValues?.[':pk']);
    return { Items: pk.startsWith('queued#') ? [file] : [] };
  });
}

beforeEach(() => {
  serveQueued(expiredFile);
  dynamoMock.on(UpdateCommand).resolves({});
  sqsMock.on(SendMessageBatchCommand).resolves({
    Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: '' }],
  });
});

afterEach(() => {
  dynamoMock.reset();
  sqsMock.reset();
});

describe('Function: dispatchFiles', () => {
  it('sends an expired claim again when no message waits', async () => {
    const summary = await dispatchFiles(
      deps({ countWaitingMessages: async () => 0 }),
    );

    expect(summary.redispatched).toBe(1);
    expect(summary.deferredReclaims).toBe(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('leaves expired claims alone while messages wait', async () => {
    const summary = await dispatchFiles(
      deps({ countWaitingMessages: async () => 25 }),
    );

    expect(summary.redispatched).toBe(0);
    expect(summary.deferredReclaims).toBe(1);
    expect(summary.stuck).toEqual([]);
    expect(dynamoMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  it('sends a claim four leases old even while messages wait', async () => {
    serveQueued({
      ...expiredFile,
      statusSince: new Date(Date.now() - 241_000).toISOString(),
    });

    const summary = await dispatchFiles(
      deps({ countWaitingMessages: async () => 25 }),
    );

    expect(summary.redispatched).toBe(1);
    expect(summary.deferredReclaims).toBe(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });

  it('leaves expired claims alone when the count fails', async () => {
    const summary = await dispatchFiles(
      deps({
        countWaitingMessages: async () => {
          throw new Error('queue attributes unavailable');
        },
      }),
    );

    expect(summary.redispatched).toBe(0);
    expect(summary.deferredReclaims).toBe(1);
    expect(summary.failedReads).toBe(1);
    expect(summary.firstError?.message).toBe('queue attributes unavailable');
  });
});
