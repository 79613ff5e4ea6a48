import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transitionItem } from '#domain/claims.js';
import { statusIndexKeys } from '#domain/file-item.js';
import { findStuckFiles, requeueStuckFiles } from '#domain/redrive.js';
import { localCredentials } from '../../local/aws-environment.js';
import {
  type RunningEmulator,
  startDynamoDbEmulator,
} from '../../local/emulators.js';
import { ensureTable } from '../../local/resources.js';
import { runRedriveCommand } from '../helpers/redrive-command.js';

const region = 'us-east-1';
const createdAt = '2026-01-01T00:00:00.000Z';
let emulator: RunningEmulator;
let dynamoDb: DynamoDBDocumentClient;
let tableCount = 0;

beforeAll(async () => {
  emulator = await startDynamoDbEmulator(0);
  dynamoDb = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      credentials: localCredentials,
      endpoint: emulator.url,
    }),
  );
});

afterAll(async () => {
  dynamoDb?.destroy();
  await emulator?.close();
});

/** Creates a table with two stuck files, one raw and one queued file. */
async function seedTable() {
  const table = {
    tableName: `redrive-${++tableCount}`,
    statusIndexName: 'StatusIndex',
    statusShardCount: 4,
  };
  await ensureTable(dynamoDb as unknown as DynamoDBClient, table.tableName);
  const item = (id: string, status: string, shardStatus: string) => ({
    id,
    file: `${id}.csv`,
    status,
    createdAt,
    updatedAt: createdAt,
    claimId: 'claim-1',
    dispatchAttempts: 5,
    ...statusIndexKeys(id, shardStatus, createdAt, table.statusShardCount),
  });
  const items = [
    item('stuck-1', 'queued', 'stuck'),
    item('stuck-2', 'queued', 'stuck'),
    item('raw-1', 'raw', 'raw'),
    item('queued-1', 'queued', 'queued'),
  ];
  await dynamoDb.send(
    new BatchWriteCommand({
      RequestItems: {
        [table.tableName]: items.map((Item) => ({ PutRequest: { Item } })),
      },
    }),
  );

  return table;
}

async function readItem(tableName: string, id: string) {
  const output = await dynamoDb.send(
    new GetCommand({ TableName: tableName, Key: { id }, ConsistentRead: true }),
  );

  return output.Item;
}

function runRedrive(args: readonly string[]) {
  return runRedriveCommand(args, { dynamoDbEndpoint: emulator.url, region });
}

describe('Command: bin/redrive.ts', () => {
  it('only lists stuck files with --dry-run', async () => {
    const { tableName } = await seedTable();

    const { stdout } = await runRedrive([
      '--table-name',
      tableName,
      '--dry-run',
    ]);

    expect(stdout).toContain('stuck files found: 2\n');
    expect(stdout).toContain('stuck: stuck-1 "stuck-1.csv"\n');
    expect((await readItem(tableName, 'stuck-1'))?.status).toBe('queued');
  });

  it('moves stuck files back to raw', async () => {
    const { tableName } = await seedTable();

    const { stdout } = await runRedrive(['--table-name', tableName]);

    const requeued = await readItem(tableName, 'stuck-2');
    expect(stdout).toContain('moved to raw: stuck-1\n');
    expect(stdout).toContain('moved to raw: stuck-2\n');
    expect(requeued?.status).toBe('raw');
    expect(requeued?.statusShard).toMatch(/^raw#\d$/);
    expect(requeued?.statusSince).toBe(createdAt);
    expect(requeued?.dispatchAttempts).toBe(0);
    expect(requeued?.claimId).toBeUndefined();
    expect((await readItem(tableName, 'queued-1'))?.statusShard).toMatch(
      /^queued#/,
    );
  });

  it('exits with status 2 without a table name', async () => {
    const failure = await runRedrive([]).catch((error: unknown) => error);

    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain(
      'Missing --table-name',
    );
  });
});

describe('Function: requeueStuckFiles', () => {
  it('skips a file processed meanwhile', async () => {
    const table = await seedTable();
    const stuck = await findStuckFiles(dynamoDb, table, 10);
    const now = new Date().toISOString();
    await transitionItem(dynamoDb, table, {
      id: 'stuck-1',
      expected: 'queued',
      status: 'processed',
      since: now,
      now,
    });

    const summary = await requeueStuckFiles(dynamoDb, table, stuck);

    expect(summary.requeued).toEqual(['stuck-2']);
    expect(summary.skipped).toEqual(['stuck-1']);
    expect((await readItem(table.tableName, 'stuck-1'))?.status).toBe(
      'processed',
    );
  });
});
