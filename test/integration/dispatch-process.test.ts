import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DispatchDeps, dispatchFiles } from '#domain/dispatch.js';
import { processFiles } from '#domain/process.js';
import { storeRawFiles } from '#domain/raw-files.js';
import { defaultSettings } from '../../lib/settings.js';
import {
  type RunningEmulator,
  startSqsEmulator,
} from '../../local/emulators.js';
import { ensureQueues, ensureTable } from '../../local/resources.js';
import { startTestDynamoDb } from '../helpers/dynamo.js';

const region = 'us-east-1';
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const emulators: RunningEmulator[] = [];
let dynamoDb: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let testCount = 0;

/**
 * Gives each test its own table and queue, so no test reads another's
 * items or messages.
 */
async function newTable() {
  const name = `dispatch-test-${Date.now()}-${++testCount}`;
  await ensureTable(dynamoDb as unknown as DynamoDBClient, name);
  const names = {
    tableName: name,
    workQueueName: name,
    deadLetterQueueName: `${name}-dlq`,
  };
  const queues = await ensureQueues(sqs, names, defaultSettings);
  queueUrl = queues.workQueue.url;

  return {
    tableName: name,
    statusIndexName: 'StatusIndex',
    statusShardCount: 4,
  };
}

function dispatchDeps(
  table: DispatchDeps['table'],
  overrides: Partial<DispatchDeps> = {},
): DispatchDeps {
  return {
    dynamoDb,
    table,
    queue: { client: sqs, queueUrl },
    batchSize: 3,
    leaseSeconds: 60,
    maxDispatchAttempts: 3,
    hasTime: () => true,
    ...overrides,
  };
}

async function receiveAllIds(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
      }),
    );
    const messages = output.Messages ?? [];
    if (messages.length === 0) return ids;
    for (const message of messages) {
      ids.push(...JSON.parse(message.Body ?? '').ids);
    }
  }
}

async function statusOf(tableName: string, id: string) {
  const output = await dynamoDb.send(
    new GetCommand({ TableName: tableName, Key: { id } }),
  );

  return output.Item?.status;
}

async function ingest(table: DispatchDeps['table'], count: number) {
  const files = Array.from({ length: count }, (_, i) => `file_${i}`);
  const stored = await storeRawFiles({ dynamoDb, table }, files, () => {});

  return [...stored.ids];
}

beforeAll(async () => {
  const sqsEmulator = await startSqsEmulator(0, region);
  emulators.push(sqsEmulator);
  const dynamoDbEmulator = await startTestDynamoDb();
  emulators.push(dynamoDbEmulator);
  const dynamoDbUrl = dynamoDbEmulator.url;
  const common = { region, credentials, maxAttempts: 2 };
  dynamoDb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, endpoint: dynamoDbUrl }),
  );
  sqs = new SQSClient({ ...common, endpoint: sqsEmulator.url });
});

afterAll(async () => {
  dynamoDb?.destroy();
  sqs?.destroy();
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

describe('Dispatch and process on the emulators', () => {
  it('sends every raw file once in messages of batchSize', async () => {
    const table = await newTable();
    const ids = await ingest(table, 10);

    const summary = await dispatchFiles(dispatchDeps(table));

    const sent = await receiveAllIds();
    expect(summary.claimed).toBe(10);
    expect(summary.messages).toBe(4);
    expect(sent.sort()).toEqual([...ids].sort());
    expect(await statusOf(table.tableName, ids[0] ?? '')).toBe('queued');
  });

  it('never claims one file twice when two runs overlap', async () => {
    const table = await newTable();
    const ids = await ingest(table, 60);

    const [first, second] = await Promise.all([
      dispatchFiles(dispatchDeps(table)),
      dispatchFiles(dispatchDeps(table)),
    ]);

    const sent = await receiveAllIds();
    expect((first?.claimed ?? 0) + (second?.claimed ?? 0)).toBe(60);
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.sort()).toEqual([...ids].sort());
  });

  it('returns claimed files to raw when SQS rejects the send', async () => {
    const table = await newTable();
    const ids = await ingest(table, 4);
    const missingQueue = `${queueUrl}-missing`;

    const summary = await dispatchFiles(
      dispatchDeps(table, { queue: { client: sqs, queueUrl: missingQueue } }),
    );

    expect(summary.returnedToRaw).toBe(4);
    expect(summary.firstError).toBeInstanceOf(Error);
    expect(await statusOf(table.tableName, ids[0] ?? '')).toBe('raw');
  });

  it('sends a lost claim again after its lease', async () => {
    const table = await newTable();
    await ingest(table, 5);
    await dispatchFiles(dispatchDeps(table));
    // Received and never deleted: lost until the visibility timeout ends.
    expect(await receiveAllIds()).toHaveLength(5);
    const later = () => new Date(Date.now() + 61_000);

    const summary = await dispatchFiles(dispatchDeps(table, { now: later }));

    expect(summary.claimed).toBe(0);
    expect(summary.redispatched).toBe(5);
    expect(await receiveAllIds()).toHaveLength(5);
  });

  it('reports a file as stuck after the maximum dispatch attempts', async () => {
    const table = await newTable();
    const [id] = await ingest(table, 1);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const offset = attempt * 61_000;
      const now = () => new Date(Date.now() + offset);
      await dispatchFiles(dispatchDeps(table, { now }));
    }
    const afterLease = () => new Date(Date.now() + 4 * 61_000);

    const summary = await dispatchFiles(
      dispatchDeps(table, { now: afterLease }),
    );

    expect(summary.stuck).toEqual([id]);
    expect(summary.redispatched).toBe(0);
  });

  it('processes each file once under duplicate deliveries', async () => {
    const table = await newTable();
    const ids = await ingest(table, 3);
    await dispatchFiles(dispatchDeps(table));

    const [first, duplicate] = await Promise.all([
      processFiles({ dynamoDb, table }, ids),
      processFiles({ dynamoDb, table }, ids),
    ]);

    const processed = [
      ...(first?.processed ?? []),
      ...(duplicate?.processed ?? []),
    ];
    expect(processed.sort()).toEqual([...ids].sort());
    expect(await statusOf(table.tableName, ids[0] ?? '')).toBe('processed');
  });

  it('skips files that are gone or still raw', async () => {
    const table = await newTable();
    const [rawId = ''] = await ingest(table, 1);

    const result = await processFiles({ dynamoDb, table }, [
      rawId,
      '01ARZ3NDEKTSV4RRFFQ69G5FAV',
    ]);

    expect(result.processed).toEqual([]);
    expect(result.skipped).toHaveLength(2);
  });
});
