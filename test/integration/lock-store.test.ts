import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbLockStore } from '#domain/dynamodb-lock.js';
import {
  InMemoryLockStore,
  LockHeldError,
  LockLostError,
  type LockStore,
} from '#domain/lock.js';
import {
  createDocumentClient,
  startTestTable,
  type TestTable,
} from '../helpers/dynamo.js';

const t0 = Date.parse('2026-06-01T00:00:00.000Z');
const leaseMs = 60_000;
const marginMs = 15_000;

/** Builds handles on one lock, as separate deleter processes would hold. */
type LockFactory = (safetyMarginMs: number) => Promise<() => LockStore>;

let table: TestTable;
const clients: DynamoDBDocumentClient[] = [];

beforeAll(async () => {
  table = await startTestTable();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  await table?.close();
});

const adapters: [string, LockFactory][] = [
  [
    'DynamoDbLockStore on dynalite',
    async (safetyMarginMs) => {
      const tableName = await table.addTable();
      return () => {
        const client = createDocumentClient(table.endpoint);
        clients.push(client);
        return new DynamoDbLockStore(client, tableName, 'lock#deleter', {
          safetyMarginMs,
        });
      };
    },
  ],
  [
    'InMemoryLockStore',
    async (safetyMarginMs) => {
      const store = new InMemoryLockStore({ safetyMarginMs });
      return () => store;
    },
  ],
];

async function rejection(action: Promise<unknown>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to fail');
}

describe.each(adapters)('Class: %s', (_name, createLock) => {
  let a: LockStore;
  let b: LockStore;
  let c: LockStore;

  beforeEach(async () => {
    const handle = await createLock(marginMs);
    [a, b, c] = [handle(), handle(), handle()];
  });

  it('acquires a free lock with fence 1', async () => {
    const state = await a.acquire('a', leaseMs, t0);

    expect(state.lease).toEqual({
      owner: 'a',
      fence: 1,
      expiresAt: t0 + leaseMs,
    });
    expect(state.pendingIds).toEqual([]);
  });

  it('rejects a second owner while the lease runs', async () => {
    await a.acquire('a', leaseMs, t0);

    const error = await rejection(b.acquire('b', leaseMs, t0 + leaseMs - 1));

    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as LockHeldError).holder).toBe('a');
    expect((error as LockHeldError).expiresAt).toBe(t0 + leaseMs);
  });

  it('keeps a dead holder until lease and margin pass', async () => {
    const dead = await a.acquire('a', leaseMs, t0);

    const early = await rejection(
      b.acquire('b', leaseMs, t0 + leaseMs + marginMs),
    );
    const taken = await b.acquire('b', leaseMs, t0 + leaseMs + marginMs + 1);

    expect(early).toBeInstanceOf(LockHeldError);
    expect(taken.lease.owner).toBe('b');
    expect(taken.lease.fence).toBe(dead.lease.fence + 1);
  });

  it('hands the pending ids of a dead holder to the next', async () => {
    const { lease } = await a.acquire('a', leaseMs, t0);
    await a.renew(lease, leaseMs, t0 + 10, ['x', 'y']);

    const next = await b.acquire(
      'b',
      leaseMs,
      t0 + 10 + leaseMs + marginMs + 1,
    );

    expect(next.pendingIds).toEqual(['x', 'y']);
  });

  it('rejects renew and release after a takeover', async () => {
    const old = await a.acquire('a', leaseMs, t0);
    const later = t0 + leaseMs + marginMs + 1;
    const current = await b.acquire('b', leaseMs, later);
    await b.renew(current.lease, leaseMs, later + 1, ['kept']);

    const renewError = await rejection(
      a.renew(old.lease, leaseMs, later + 2, ['stale']),
    );
    const releaseError = await rejection(a.release(old.lease));

    expect(renewError).toBeInstanceOf(LockLostError);
    expect(releaseError).toBeInstanceOf(LockLostError);
    const held = await rejection(c.acquire('c', leaseMs, later + 3));
    expect((held as LockHeldError).holder).toBe('b');
    expect((held as LockHeldError).expiresAt).toBe(later + 1 + leaseMs);
    const afterB = later + 1 + leaseMs + marginMs + 1;
    const next = await c.acquire('c', leaseMs, afterB);
    expect(next.pendingIds).toEqual(['kept']);
    expect(next.lease.fence).toBe(3);
  });

  it('frees the lock on release and keeps pending ids', async () => {
    const { lease } = await a.acquire('a', leaseMs, t0);
    const renewed = await a.renew(lease, leaseMs, t0 + 1, ['x']);

    await a.release(renewed);
    const next = await b.acquire('b', leaseMs, t0 + 2);

    expect(next.lease.fence).toBe(2);
    expect(next.pendingIds).toEqual(['x']);
  });

  it('rejects a second release by the same holder', async () => {
    const { lease } = await a.acquire('a', leaseMs, t0);
    await a.release(lease);

    const error = await rejection(a.release(lease));

    expect(error).toBeInstanceOf(LockLostError);
  });

  it('rejects a renew after the holder released', async () => {
    const { lease } = await a.acquire('a', leaseMs, t0);
    await a.release(lease);

    const error = await rejection(a.renew(lease, leaseMs, t0 + 1, []));

    expect(error).toBeInstanceOf(LockLostError);
  });

  it.each([0, 1, marginMs / 2, marginMs - 1])(
    'keeps the lock from a clock %i ms ahead at lease end',
    async (skewMs) => {
      await a.acquire('a', leaseMs, t0);

      const error = await rejection(
        b.acquire('b', leaseMs, t0 + leaseMs + skewMs),
      );

      expect(error).toBeInstanceOf(LockHeldError);
    },
  );

  it.each([marginMs + 1, 2 * marginMs])(
    'yields to a clock %i ms ahead, past the margin',
    async (skewMs) => {
      await a.acquire('a', leaseMs, t0);

      const taken = await b.acquire('b', leaseMs, t0 + leaseMs + skewMs);

      expect(taken.lease.owner).toBe('b');
    },
  );
});

describe.each(adapters)('Class: %s without a margin', (_name, createLock) => {
  it('yields to a clock 1 ms ahead at lease end', async () => {
    const handle = await createLock(0);
    await handle().acquire('a', leaseMs, t0);

    const taken = await handle().acquire('b', leaseMs, t0 + leaseMs + 1);

    expect(taken.lease.owner).toBe('b');
  });
});
