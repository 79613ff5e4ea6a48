import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchWriteAll } from '#domain/batch-write.js';
import { type DeleteSummary, deleteProcessedFiles } from '#domain/delete.js';
import { DynamoDbLockStore } from '#domain/dynamodb-lock.js';
import { statusIndexKeys } from '#domain/file-item.js';
import {
  InMemoryLockStore,
  LockHeldError,
  LockLostError,
  type LockStore,
} from '#domain/lock.js';
import type { TableConfig } from '#shared/config.js';
import {
  type CallInterval,
  createDocumentClient,
  findOverlaps,
  interceptCalls,
  recordCalls,
  startTestTable,
  type TestTable,
} from '../helpers/dynamo.js';
import {
  createBarrier,
  createGate,
  type HoldInterval,
  type RecordingHooks,
  RecordingLockStore,
} from './lock-recording.js';

const lockId = 'lock#deleter';
const leaseMs = 10_000;
/** Ids per batch; a batch may exceed it by up to three, one per shard. */
const batchLimit = 5;

/** Builds the lock handle of one deleter, sharing one lock per arena. */
type LockAdapter = (
  tableName: string,
  safetyMarginMs: number,
) => (client: DynamoDBDocumentClient) => LockStore;

const adapters: [string, LockAdapter][] = [
  [
    'DynamoDbLockStore',
    (tableName, safetyMarginMs) => (client) =>
      new DynamoDbLockStore(client, tableName, lockId, { safetyMarginMs }),
  ],
  [
    'InMemoryLockStore',
    (_tableName, safetyMarginMs) => {
      const store = new InMemoryLockStore({ safetyMarginMs });
      return () => store;
    },
  ],
];

let server: TestTable;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  server = await startTestTable();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await server?.close();
});

/** One table and one lock that the deleters of a test compete for. */
interface Arena {
  readonly table: TableConfig;
  readonly lockFor: (client: DynamoDBDocumentClient) => LockStore;
  readonly holds: HoldInterval[];
}

/** One deleter process with its own SDK client. */
interface Deleter {
  readonly owner: string;
  readonly client: DynamoDBDocumentClient;
  run(): Promise<DeleteSummary>;
  /** Sum of the counts the run reported through `onDeleted`. */
  counted(): number;
  deletes(): (CallInterval & { owner: string })[];
}

interface DeleterOptions {
  readonly now?: () => number;
  readonly hooks?: RecordingHooks;
}

async function createArena(
  adapter: LockAdapter,
  safetyMarginMs: number,
): Promise<Arena> {
  const tableName = await server.addTable();

  return {
    table: { tableName, statusIndexName: 'StatusIndex', statusShardCount: 4 },
    lockFor: adapter(tableName, safetyMarginMs),
    holds: [],
  };
}

function createDeleter(arena: Arena, options: DeleterOptions = {}): Deleter {
  const owner = `deleter-${randomUUID()}`;
  const client = createDocumentClient(server.endpoint);
  clients.push(client);
  const calls = recordCalls(client, 'BatchWriteItemCommand');
  const lock = new RecordingLockStore(
    arena.lockFor(client),
    arena.holds,
    options.hooks,
  );
  let counted = 0;

  return {
    owner,
    client,
    run: () =>
      deleteProcessedFiles({
        dynamoDb: client,
        table: arena.table,
        lock,
        owner,
        leaseMs,
        hasTime: () => true,
        ...(options.now ? { now: options.now } : {}),
        batchLimit,
        onDeleted: (count) => {
          counted += count;
        },
        onReleaseFailed: () => {},
      }),
    counted: () => counted,
    deletes: () => calls.map((call) => ({ ...call, owner })),
  };
}

async function seedProcessed(arena: Arena, count: number): Promise<void> {
  const now = new Date().toISOString();
  const shards = arena.table.statusShardCount;
  const requests = Array.from({ length: count }, () => {
    const id = ulid();
    const keys = statusIndexKeys(id, 'processed', now, shards);
    const item = {
      id,
      file: `${id}.csv`,
      status: 'processed',
      createdAt: now,
      updatedAt: now,
      ...keys,
    };
    return { PutRequest: { Item: item } };
  });
  const result = await batchWriteAll(
    server.documentClient,
    arena.table.tableName,
    requests,
  );
  expect(result.unprocessed).toHaveLength(0);
}

async function countProcessed(arena: Arena): Promise<number> {
  const output = await server.documentClient.send(
    new ScanCommand({
      TableName: arena.table.tableName,
      FilterExpression: '#status = :processed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':processed': 'processed' },
    }),
  );
  return output.Count ?? 0;
}

function injectedFailure(): Error {
  return Object.assign(new Error('injected InternalServerError'), {
    name: 'InternalServerError',
  });
}

async function settle<T>(promise: Promise<T>) {
  const [result] = await Promise.allSettled([promise]);
  return result as PromiseSettledResult<T>;
}

function reasonOf(result: PromiseSettledResult<unknown>): unknown {
  return result.status === 'rejected' ? result.reason : undefined;
}

describe.each(adapters)(
  'Function: deleteProcessedFiles with %s',
  (_name, adapter) => {
    it.each([2, 3, 4, 5, 6, 7, 8])(
      'lets one of %i deleters win a round',
      async (count) => {
        const arena = await createArena(adapter, 1_000);
        await seedProcessed(arena, 12);
        const barrier = createBarrier(count);
        const deleters = Array.from({ length: count }, () =>
          createDeleter(arena, {
            hooks: {
              onAcquireSettled: barrier.arrive,
              beforeRelease: () => barrier.opened,
            },
          }),
        );

        const results = await Promise.allSettled(deleters.map((d) => d.run()));

        const winners = results.filter(
          (result) => result.status === 'fulfilled',
        );
        const losers = results.filter((result) => result.status === 'rejected');
        expect(winners).toHaveLength(1);
        for (const loser of losers) {
          expect(loser.reason).toBeInstanceOf(LockHeldError);
        }
        expect(winners[0]?.value.deleted).toBe(12);
        const counted = deleters.map((deleter) => deleter.counted());
        expect(counted.reduce((sum, value) => sum + value, 0)).toBe(12);
        expect(await countProcessed(arena)).toBe(0);
        expect(findOverlaps(arena.holds)).toEqual([]);
        expect(findOverlaps(deleters.flatMap((d) => d.deletes()))).toEqual([]);
      },
    );

    it('keeps deleters apart over rounds while files arrive', async () => {
      const arena = await createArena(adapter, 1_000);
      const deleters = Array.from({ length: 6 }, () => createDeleter(arena));
      let seeded = 0;
      const seeder = (async () => {
        for (let round = 0; round < 6; round++) {
          await seedProcessed(arena, 10);
          seeded += 10;
          await sleep(5);
        }
      })();
      const loops = deleters.map(async (deleter) => {
        for (let round = 0; round < 5; round++) {
          const result = await settle(deleter.run());
          if (result.status === 'rejected') {
            expect(result.reason).toBeInstanceOf(LockHeldError);
          }
          await sleep(Math.random() * 10);
        }
      });

      await Promise.all([seeder, ...loops]);
      const drain = createDeleter(arena);
      await drain.run();

      const everyone = [...deleters, drain];
      const counted = everyone.map((deleter) => deleter.counted());
      expect(counted.reduce((sum, value) => sum + value, 0)).toBe(seeded);
      expect(await countProcessed(arena)).toBe(0);
      expect(findOverlaps(arena.holds)).toEqual([]);
      expect(findOverlaps(everyone.flatMap((d) => d.deletes()))).toEqual([]);
    });

    it('hands the lock of a dead holder over after its lease', async () => {
      const marginMs = 50;
      const arena = await createArena(adapter, marginMs);
      await seedProcessed(arena, 3);
      const deadClient = createDocumentClient(server.endpoint);
      clients.push(deadClient);
      const dead = await arena
        .lockFor(deadClient)
        .acquire('dead-holder', 300, Date.now());

      const early = await settle(createDeleter(arena).run());
      await sleep(dead.lease.expiresAt + marginMs + 20 - Date.now());
      const late = await createDeleter(arena).run();

      expect(reasonOf(early)).toBeInstanceOf(LockHeldError);
      expect((reasonOf(early) as LockHeldError).holder).toBe('dead-holder');
      expect(late.fence).toBe(dead.lease.fence + 1);
      expect(late.deleted).toBe(3);
    });

    it('releases the lock when a delete call fails mid-run', async () => {
      const arena = await createArena(adapter, 1_000);
      await seedProcessed(arena, 12);
      const failing = createDeleter(arena);
      interceptCalls(failing.client, 'BatchWriteItemCommand', (call) => {
        if (call === 2) throw injectedFailure();
      });

      const failed = await settle(failing.run());
      const next = await createDeleter(arena).run();

      expect((reasonOf(failed) as Error).name).toBe('InternalServerError');
      expect(next.fence).toBe(2);
      expect(failing.counted() + next.deleted).toBe(12);
      expect(await countProcessed(arena)).toBe(0);
    });

    it.each(['before', 'after'])(
      'counts once when the lock is lost %s deleting',
      async (pausePoint) => {
        const marginMs = 100;
        const arena = await createArena(adapter, marginMs);
        await seedProcessed(arena, 7);
        const resume = createGate();
        const paused = createGate();
        const pause = async () => {
          paused.open();
          await resume.opened;
        };
        let journaled: readonly string[] = [];
        const first = createDeleter(arena, {
          hooks: {
            beforeRenew: (call, pendingIds) => {
              if (call === 1) journaled = pendingIds;
              return pausePoint === 'after' && call === 2 ? pause() : undefined;
            },
          },
        });
        interceptCalls(first.client, 'BatchWriteItemCommand', (call) =>
          pausePoint === 'before' && call === 1 ? pause() : undefined,
        );
        const firstRun = settle(first.run());
        await paused.opened;
        // The second deleter runs once the first one's lease has expired.
        const second = createDeleter(arena, {
          now: () => Date.now() + leaseMs + marginMs + 1,
        });

        const summary = await second.run();
        resume.open();
        const firstResult = await firstRun;

        expect(reasonOf(firstResult)).toBeInstanceOf(LockLostError);
        expect(first.counted()).toBe(0);
        expect(journaled.length).toBeGreaterThan(0);
        expect(summary.inherited).toBe(journaled.length);
        expect(second.counted()).toBe(7);
        expect(await countProcessed(arena)).toBe(0);
      },
    );

    it.each([0, 400, 800])(
      'holds against a clock %i ms ahead',
      async (skewMs) => {
        const arena = await createArena(adapter, 1_000);
        await seedProcessed(arena, 7);
        const resume = createGate();
        const paused = createGate();
        const holder = createDeleter(arena, {
          now: () => Date.now() - skewMs / 2,
        });
        interceptCalls(holder.client, 'BatchWriteItemCommand', async (call) => {
          if (call !== 1) return;
          paused.open();
          await resume.opened;
        });
        const holderRun = holder.run();
        await paused.opened;
        // The contender reads its clock at the end of the holder's lease.
        const contender = createDeleter(arena, {
          now: () => Date.now() + skewMs / 2 + leaseMs,
        });

        const contended = await settle(contender.run());
        resume.open();
        const summary = await holderRun;

        expect(reasonOf(contended)).toBeInstanceOf(LockHeldError);
        expect(summary.deleted).toBe(7);
        expect(findOverlaps(arena.holds)).toEqual([]);
      },
    );

    it('lets holders overlap when the skew exceeds the margin', async () => {
      const arena = await createArena(adapter, 0);
      await seedProcessed(arena, 7);
      const resume = createGate();
      const paused = createGate();
      const holder = createDeleter(arena, { now: () => Date.now() - 200 });
      interceptCalls(holder.client, 'BatchWriteItemCommand', async (call) => {
        if (call !== 1) return;
        paused.open();
        await resume.opened;
      });
      const holderRun = settle(holder.run());
      await paused.opened;
      const contender = createDeleter(arena, {
        now: () => Date.now() + 200 + leaseMs,
      });

      await contender.run();
      resume.open();
      const holderResult = await holderRun;

      expect(reasonOf(holderResult)).toBeInstanceOf(LockLostError);
      expect(findOverlaps(arena.holds)).toHaveLength(1);
    });
  },
);

describe('Function: deleteProcessedFiles with DynamoDbLockStore faults', () => {
  const [, dynamoAdapter] = adapters[0] as [string, LockAdapter];

  async function lockItem(arena: Arena) {
    const output = await server.documentClient.send(
      new GetCommand({ TableName: arena.table.tableName, Key: { id: lockId } }),
    );
    return output.Item;
  }

  it('releases the lock when a lease renewal fails', async () => {
    const arena = await createArena(dynamoAdapter, 1_000);
    await seedProcessed(arena, 12);
    const failing = createDeleter(arena);
    interceptCalls(failing.client, 'UpdateItemCommand', (call) => {
      // Call 1 acquires, call 2 renews before the first batch.
      if (call === 2) throw injectedFailure();
    });

    const failed = await settle(failing.run());

    expect((reasonOf(failed) as Error).name).toBe('InternalServerError');
    expect((await lockItem(arena))?.owner).toBeUndefined();
    expect(await countProcessed(arena)).toBe(12);
  });

  it('keeps the run error when the release fails too', async () => {
    const arena = await createArena(dynamoAdapter, 0);
    await seedProcessed(arena, 12);
    const failing = createDeleter(arena);
    interceptCalls(failing.client, 'BatchWriteItemCommand', () => {
      throw injectedFailure();
    });
    interceptCalls(failing.client, 'UpdateItemCommand', (_call, input) => {
      if (String(input.UpdateExpression).includes('REMOVE')) {
        throw new Error('injected release failure');
      }
    });

    const failed = await settle(failing.run());
    const held = await settle(createDeleter(arena).run());

    expect((reasonOf(failed) as Error).name).toBe('InternalServerError');
    expect((await lockItem(arena))?.owner).toBe(failing.owner);
    expect(reasonOf(held)).toBeInstanceOf(LockHeldError);
  });
});
