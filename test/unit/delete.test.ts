import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DeleteDeps, deleteProcessedFiles } from '#domain/delete.js';
import {
  InMemoryLockStore,
  LockHeldError,
  LockLostError,
} from '#domain/lock.js';

const table = {
  tableName: 'files',
  statusIndexName: 'StatusIndex',
  statusShardCount: 1,
};
const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const dynamoMock = mockClient(client);
let stored: Set<string>;

/** Serves Query and BatchWriteItem from `stored`, as processed items. */
function serveTable(beforeDelete: () => Promise<void> = async () => {}) {
  dynamoMock.on(QueryCommand).callsFake((input: QueryCommandInput) => ({
    Items: [...stored].slice(0, input.Limit).map((id) => ({ id })),
  }));
  dynamoMock
    .on(BatchWriteCommand)
    .callsFake(async (input: BatchWriteCommandInput) => {
      await beforeDelete();
      for (const request of input.RequestItems?.files ?? []) {
        stored.delete(String(request.DeleteRequest?.Key?.id));
      }
      return {};
    });
}

function deps(overrides: Partial<DeleteDeps> = {}): DeleteDeps {
  return {
    dynamoDb: client,
    table,
    lock: new InMemoryLockStore(),
    owner: 'deleter-a',
    leaseMs: 60_000,
    hasTime: () => true,
    ...overrides,
  };
}

beforeEach(() => {
  stored = new Set(Array.from({ length: 250 }, (_, i) => `id-${i}`));
});

afterEach(() => {
  dynamoMock.reset();
});

describe('Function: deleteProcessedFiles', () => {
  it('deletes every processed item in batches and counts each once', async () => {
    serveTable();
    const counts: number[] = [];

    const summary = await deleteProcessedFiles(
      deps({ batchLimit: 100, onDeleted: (count) => counts.push(count) }),
    );

    expect(stored.size).toBe(0);
    expect(summary.deleted).toBe(250);
    expect(summary.batches).toBe(3);
    expect(counts).toEqual([100, 100, 50]);
  });

  it('releases the lock after the run', async () => {
    serveTable();
    const lock = new InMemoryLockStore();

    await deleteProcessedFiles(deps({ lock }));

    expect(lock.peek()?.owner).toBeUndefined();
    expect(lock.peek()?.pendingIds).toEqual([]);
  });

  it('releases the lock when a delete fails', async () => {
    dynamoMock.on(QueryCommand).resolves({ Items: [{ id: 'id-1' }] });
    dynamoMock.on(BatchWriteCommand).rejects(new Error('socket hang up'));
    const lock = new InMemoryLockStore();

    const run = deleteProcessedFiles(deps({ lock }));

    await expect(run).rejects.toThrow('socket hang up');
    expect(lock.peek()?.owner).toBeUndefined();
    expect(lock.peek()?.pendingIds).toEqual(['id-1']);
  });

  it('deletes only files processed before the minimum age', async () => {
    serveTable();
    const now = Date.parse('2026-01-01T00:00:10.000Z');

    await deleteProcessedFiles(
      deps({ now: () => now, minProcessedAgeMs: 2_000 }),
    );

    const [query] = dynamoMock.commandCalls(QueryCommand);
    expect(query?.args[0].input.KeyConditionExpression).toBe(
      '#pk = :pk AND #sk < :before',
    );
    expect(query?.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':before': '2026-01-01T00:00:08.000Z',
    });
  });

  it('exits with LockHeldError while another deleter holds the lock', async () => {
    serveTable();
    const lock = new InMemoryLockStore();
    await lock.acquire('deleter-b', 60_000, Date.now());

    const run = deleteProcessedFiles(deps({ lock }));

    await expect(run).rejects.toBeInstanceOf(LockHeldError);
    expect(dynamoMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('counts a batch once when the lock is lost during it', async () => {
    const lock = new InMemoryLockStore();
    let clock = 0;
    const countsA: number[] = [];
    const countsB: number[] = [];
    let takeover: Promise<unknown> | undefined;
    serveTable(async () => {
      if (takeover) return;
      clock += 120_000;
      takeover = deleteProcessedFiles(
        deps({
          lock,
          owner: 'deleter-b',
          now: () => clock,
          onDeleted: (count) => countsB.push(count),
        }),
      );
      await takeover;
    });

    const runA = deleteProcessedFiles(
      deps({
        lock,
        now: () => clock,
        batchLimit: 40,
        onDeleted: (count) => countsA.push(count),
      }),
    );

    await expect(runA).rejects.toBeInstanceOf(LockLostError);
    const total = [...countsA, ...countsB].reduce((sum, n) => sum + n, 0);
    expect(countsA).toEqual([]);
    expect(stored.size).toBe(0);
    expect(total).toBe(250);
  });
});
