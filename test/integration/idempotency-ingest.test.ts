import { randomUUID } from 'node:crypto';
import {
  DeleteCommand,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { deriveFileIds } from '#domain/idempotency-key.js';
import { idempotencyRecordId } from '#domain/idempotency-record.js';
import { tableSchema } from '#shared/table-schema.js';
import { defaultSettings } from '../../lib/settings.js';
import {
  countItems,
  interceptCalls,
  startTestTable,
  type TestTable,
} from '../helpers/dynamo.js';
import {
  type ErrorBody,
  type IngestHandler,
  importIngestHandler,
  invoke,
  parseBody,
  postEvent,
} from './ingest-handler-setup.js';

type Created = { ids: string[]; count: number };

const json = 'application/json';

function keyedPost(key: string, body: string, isBase64Encoded = false) {
  return postEvent(body, {
    headers: { 'content-type': json, 'idempotency-key': key },
    isBase64Encoded,
  });
}

function filesBody(files: readonly string[]): string {
  return JSON.stringify({ files });
}

function fileNames(count: number): string[] {
  const run = randomUUID();
  return Array.from({ length: count }, (_, index) => `${run}-${index}.csv`);
}

/** Pauses calls until `open` runs, to hold a request in flight. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open: () => open() };
}

function injectedFailure(): Error {
  return Object.assign(new Error('injected InternalServerError'), {
    name: 'InternalServerError',
  });
}

describe('Handler: ingest, Idempotency-Key on dynalite', () => {
  let table: TestTable;
  let handler: IngestHandler;
  let addMetric: MockInstance;
  let removeInterceptions: (() => void)[] = [];
  let sharedClient: typeof import('#shared/clients.js')['dynamoDb'];

  beforeAll(async () => {
    table = await startTestTable();
    handler = await importIngestHandler(table);
    sharedClient = (await import('#shared/clients.js')).dynamoDb;
  });

  beforeEach(async () => {
    const { metrics } = await import('#shared/powertools.js');
    addMetric = vi.spyOn(metrics, 'addMetric');
  });

  afterEach(() => {
    for (const remove of removeInterceptions) remove();
    removeInterceptions = [];
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await table?.close();
  });

  const tableSize = () => countItems(table.client, table.tableName);
  const rawDataCount = () =>
    addMetric.mock.calls
      .filter(([name]) => name === 'RawDataCount')
      .reduce((sum, [, , value]) => sum + Number(value), 0);
  const intercept = (
    commandName: string,
    before: Parameters<typeof interceptCalls>[2],
  ) => {
    removeInterceptions.push(interceptCalls(sharedClient, commandName, before));
  };
  const isFilePut = (input: Record<string, unknown>) =>
    !String((input.Item as { id?: string } | undefined)?.id).startsWith(
      'idempotency#',
    );
  const readItem = async (id: string) => {
    const output = await table.documentClient.send(
      new GetCommand({ TableName: table.tableName, Key: { id } }),
    );
    return output.Item;
  };

  it('replays the first response', async () => {
    const key = randomUUID();
    const body = filesBody(fileNames(3));
    const first = await invoke(handler, keyedPost(key, body));
    const size = await tableSize();

    const replay = await invoke(handler, keyedPost(key, body));

    expect(first.statusCode).toBe(201);
    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(replay.headers?.['idempotent-replayed']).toBe('true');
    expect(first.headers?.['idempotent-replayed']).toBe('false');
    expect(await tableSize()).toBe(size);
    expect(rawDataCount()).toBe(3);
  });

  it('replays a base64 body with other spacing', async () => {
    const key = randomUUID();
    const files = fileNames(2);
    const first = await invoke(handler, keyedPost(key, filesBody(files)));
    const spaced = JSON.stringify({ files }, null, 2);
    const encoded = Buffer.from(spaced).toString('base64');
    const size = await tableSize();

    const replay = await invoke(handler, keyedPost(key, encoded, true));

    expect(replay.statusCode).toBe(201);
    expect(replay.body).toBe(first.body);
    expect(await tableSize()).toBe(size);
  });

  it('returns 422 for other files', async () => {
    const key = randomUUID();
    await invoke(handler, keyedPost(key, filesBody(fileNames(1))));
    const size = await tableSize();

    const response = await invoke(
      handler,
      keyedPost(key, filesBody(fileNames(1))),
    );

    expect(response.statusCode).toBe(422);
    const { error } = parseBody<ErrorBody>(response);
    expect(error.problems[0]?.field).toBe('Idempotency-Key');
    expect(error.problems[0]?.rule).toBe(
      'must not be reused with a different request body',
    );
    expect(await tableSize()).toBe(size);
  });

  it('returns 409 while the first runs', async () => {
    const key = randomUUID();
    const body = filesBody(fileNames(2));
    const pause = gate();
    let paused = () => {};
    const firstPutStarted = new Promise<void>((resolve) => {
      paused = resolve;
    });
    intercept('PutItemCommand', async (_call, input) => {
      if (!isFilePut(input)) return;
      paused();
      await pause.opened;
    });
    const first = invoke(handler, keyedPost(key, body));
    await firstPutStarted;

    const concurrent = await invoke(handler, keyedPost(key, body));
    pause.open();
    const completed = await first;
    const replay = await invoke(handler, keyedPost(key, body));

    expect(concurrent.statusCode).toBe(409);
    const { error } = parseBody<ErrorBody>(concurrent);
    expect(error.problems[0]?.field).toBe('Idempotency-Key');
    const retryAfter = Number(concurrent.headers?.['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(
      defaultSettings.ingestTimeoutSeconds + 5,
    );
    expect(completed.statusCode).toBe(201);
    expect(replay.body).toBe(completed.body);
    expect(rawDataCount()).toBe(2);
  });

  it('stores each file once when five requests race', async () => {
    const key = randomUUID();
    const body = filesBody(fileNames(4));
    const size = await tableSize();

    const responses = await Promise.all(
      Array.from({ length: 5 }, () => invoke(handler, keyedPost(key, body))),
    );
    const replay = await invoke(handler, keyedPost(key, body));

    const statuses = responses.map((response) => response.statusCode);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(
      true,
    );
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThan(
      0,
    );
    for (const response of responses.filter((r) => r.statusCode === 201)) {
      expect(response.body).toBe(replay.body);
    }
    expect(await tableSize()).toBe(size + 4 + 1);
    expect(rawDataCount()).toBe(4);
  });

  it('reuses the ids after a storing failure', async () => {
    const key = randomUUID();
    const body = filesBody(fileNames(6));
    const size = await tableSize();
    intercept('PutItemCommand', (call, input) => {
      if (isFilePut(input) && call === 4) throw injectedFailure();
    });
    const failed = await invoke(handler, keyedPost(key, body));
    const afterFailure = await tableSize();
    removeInterceptions.pop()?.();

    const retried = await invoke(handler, keyedPost(key, body));

    expect(failed.statusCode).toBe(503);
    expect(parseBody<ErrorBody>(failed).error.message).toContain(
      'same Idempotency-Key',
    );
    expect(afterFailure).toBe(size + 1 + 5);
    expect(retried.statusCode).toBe(201);
    expect(await tableSize()).toBe(size + 1 + 6);
    expect(rawDataCount()).toBe(6);
  });

  it('keeps moved-on items after a crash', async () => {
    const key = randomUUID();
    const body = filesBody(fileNames(4));
    let publishes = 0;
    intercept('UpdateItemCommand', (_call, input) => {
      const isPublish = String(input.UpdateExpression).includes('REMOVE');
      if (isPublish && ++publishes === 4) throw injectedFailure();
    });
    const failed = await invoke(handler, keyedPost(key, body));
    removeInterceptions.pop()?.();
    const ids = await expectedIds(key, 4);
    const published = await publishedIds(ids);
    const [processedId = '', deletedId = ''] = published;
    await markProcessed(processedId);
    await deleteItem(deletedId);

    const retried = await invoke(handler, keyedPost(key, body));

    expect(failed.statusCode).toBe(503);
    expect(published).toHaveLength(3);
    expect(retried.statusCode).toBe(201);
    expect(parseBody<Created>(retried).ids).toEqual(ids);
    expect((await readItem(processedId))?.status).toBe('processed');
    expect(await readItem(deletedId)).toBeUndefined();
    expect(await publishedIds(ids)).toHaveLength(3);
    expect(rawDataCount()).toBe(4);
  });

  it('keeps the record out of the index', async () => {
    const key = randomUUID();
    const before = Math.floor(Date.now() / 1000);

    await invoke(handler, keyedPost(key, filesBody(fileNames(1))));

    const record = await readItem(idempotencyRecordId(key));
    expect(record?.state).toBe('completed');
    expect(record?.[tableSchema.statusIndexPartitionKey]).toBeUndefined();
    expect(record?.[tableSchema.statusIndexSortKey]).toBeUndefined();
    expect(record?.expiration).toBeGreaterThanOrEqual(before + 86_400);
    expect(record?.expiration).toBeLessThanOrEqual(before + 86_401);
  });

  it('publishes items without a TTL', async () => {
    const key = randomUUID();

    const response = await invoke(
      handler,
      keyedPost(key, filesBody(fileNames(2))),
    );

    for (const id of parseBody<Created>(response).ids) {
      const item = await readItem(id);
      expect(item?.status).toBe('raw');
      expect(item?.expiration).toBeUndefined();
      expect(item?.[tableSchema.statusIndexPartitionKey]).toMatch(/^raw#\d+$/);
    }
  });

  /** Derives a key's item ids from its stored record, as ingest does. */
  async function expectedIds(key: string, count: number): Promise<string[]> {
    const record = await readItem(idempotencyRecordId(key));
    return deriveFileIds(
      String(record?.id),
      Date.parse(String(record?.createdAt)),
      count,
    );
  }

  /** Keeps the ids of items that have status index keys. */
  async function publishedIds(ids: readonly string[]): Promise<string[]> {
    const items = await Promise.all(ids.map(readItem));
    return ids.filter(
      (_, index) =>
        items[index]?.[tableSchema.statusIndexPartitionKey] !== undefined,
    );
  }

  async function markProcessed(id: string): Promise<void> {
    await table.documentClient.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { id },
        UpdateExpression: 'SET #status = :processed, #pk = :pk',
        ExpressionAttributeNames: {
          '#status': 'status',
          '#pk': tableSchema.statusIndexPartitionKey,
        },
        ExpressionAttributeValues: {
          ':processed': 'processed',
          ':pk': 'processed#0',
        },
      }),
    );
  }

  async function deleteItem(id: string): Promise<void> {
    await table.documentClient.send(
      new DeleteCommand({ TableName: table.tableName, Key: { id } }),
    );
  }
});
