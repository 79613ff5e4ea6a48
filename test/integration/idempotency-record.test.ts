import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IdempotencyInProgressError,
  IdempotencyKeyReusedError,
} from '#domain/idempotency-errors.js';
import { storeRawFilesOnce } from '#domain/idempotency-ingest.js';
import { deriveFileIds, hashFileList } from '#domain/idempotency-key.js';
import {
  type ClaimRequest,
  claimIdempotencyRecord,
  completeIdempotencyRecord,
  type IdempotencyRecord,
  idempotencyRecordTtlSeconds,
  markRecordPublishing,
  releaseIdempotencyRecord,
} from '#domain/idempotency-record.js';
import type { IngestDeps } from '#domain/raw-files.js';
import { startTestTable, type TestTable } from '../helpers/dynamo.js';

const start = Date.parse('2026-01-05T10:00:00.000Z');
const leaseMs = 30_000;

function claimRequest(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key: randomUUID(),
    requestHash: 'hash-a',
    now: start,
    leaseMs,
    ...overrides,
  };
}

async function rejection(action: Promise<unknown>): Promise<unknown> {
  try {
    await action;
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to fail');
}

describe('Function: claimIdempotencyRecord, on dynalite', () => {
  let table: TestTable;
  let deps: IngestDeps;

  beforeAll(async () => {
    table = await startTestTable();
    deps = {
      dynamoDb: table.documentClient,
      table: {
        tableName: table.tableName,
        statusIndexName: 'StatusIndex',
        statusShardCount: 4,
      },
    };
  });

  afterAll(async () => {
    await table?.close();
  });

  async function claimRun(request: ClaimRequest): Promise<IdempotencyRecord> {
    const claim = await claimIdempotencyRecord(deps, request);
    if (claim.kind !== 'run')
      throw new Error(`expected a run, got ${claim.kind}`);
    return claim.record;
  }

  it('creates a record owned by the first attempt', async () => {
    const request = claimRequest();

    const record = await claimRun(request);

    expect(record.attempt).toBe(1);
    expect(record.state).toBe('storing');
    expect(record.createdAt).toBe(new Date(start).toISOString());
    expect(record.leaseExpiresAt).toBe(start + leaseMs);
    expect(record.expiration).toBe(start / 1000 + idempotencyRecordTtlSeconds);
  });

  it('rejects a second attempt while the lease runs', async () => {
    const request = claimRequest();
    await claimRun(request);

    const error = await rejection(
      claimIdempotencyRecord(deps, { ...request, now: start + 10_500 }),
    );

    expect(error).toBeInstanceOf(IdempotencyInProgressError);
    expect((error as IdempotencyInProgressError).retryAfterSeconds).toBe(20);
  });

  it('rejects another request hash with 422', async () => {
    const request = claimRequest();
    await claimRun(request);

    const error = await rejection(
      claimIdempotencyRecord(deps, { ...request, requestHash: 'hash-b' }),
    );

    expect(error).toBeInstanceOf(IdempotencyKeyReusedError);
    expect((error as IdempotencyKeyReusedError).statusCode).toBe(422);
  });

  it('takes over after the lease, keeping the creation time', async () => {
    const request = claimRequest();
    const first = await claimRun(request);
    await markRecordPublishing(deps, first);

    const second = await claimRun({ ...request, now: start + leaseMs + 1 });

    expect(second.attempt).toBe(2);
    expect(second.createdAt).toBe(first.createdAt);
    expect(second.state).toBe('publishing');
    expect(second.leaseExpiresAt).toBe(start + 2 * leaseMs + 1);
  });

  it('lets a retry take over at once after a release', async () => {
    const request = claimRequest();
    const first = await claimRun(request);
    await releaseIdempotencyRecord(deps, first);

    const second = await claimRun({ ...request, now: start + 1 });

    expect(second.attempt).toBe(2);
  });

  it('fences a superseded attempt', async () => {
    const request = claimRequest();
    const first = await claimRun(request);
    const second = await claimRun({ ...request, now: start + leaseMs + 1 });

    const published = await markRecordPublishing(deps, first);
    const completed = await completeIdempotencyRecord(deps, first, {
      statusCode: 201,
      body: 'stale',
    });
    const released = await releaseIdempotencyRecord(deps, first);

    expect([published, completed, released]).toEqual([false, false, false]);
    const stillOwned = await rejection(
      claimIdempotencyRecord(deps, { ...request, now: start + leaseMs + 2 }),
    );
    expect(stillOwned).toBeInstanceOf(IdempotencyInProgressError);
    expect(
      await completeIdempotencyRecord(deps, second, {
        statusCode: 201,
        body: 'fresh',
      }),
    ).toBe(true);
  });

  it('replays the stored response of a completed record', async () => {
    const request = claimRequest();
    const record = await claimRun(request);
    const response = { statusCode: 201, body: '{"ids":[],"count":0}' };
    await completeIdempotencyRecord(deps, record, response);

    const claim = await claimIdempotencyRecord(deps, {
      ...request,
      now: start + 60 * 60 * 1000,
    });

    expect(claim).toEqual({ kind: 'replay', response });
  });

  it('starts over once the record expired', async () => {
    const request = claimRequest();
    const record = await claimRun(request);
    await completeIdempotencyRecord(deps, record, {
      statusCode: 201,
      body: 'old',
    });
    const later = start + (idempotencyRecordTtlSeconds + 1) * 1000;

    const fresh = await claimRun({
      ...request,
      now: later,
      requestHash: 'new',
    });

    expect(fresh.attempt).toBe(1);
    expect(fresh.createdAt).toBe(new Date(later).toISOString());
  });

  it('writes the first attempt ids after takeover', async () => {
    const key = randomUUID();
    const files = ['a.csv', 'b.csv'];
    const first = await claimRun(
      claimRequest({ key, requestHash: hashFileList(files) }),
    );
    let stored = 0;

    const outcome = await storeRawFilesOnce(
      { ...deps, now: () => new Date(start + leaseMs + 1) },
      { key, files, leaseMs },
      (count) => {
        stored += count;
      },
    );

    expect(outcome.replayed).toBe(false);
    expect(JSON.parse(outcome.body).ids).toEqual(
      deriveFileIds(first.id, start, files.length),
    );
    expect(stored).toBe(2);
  });
});
