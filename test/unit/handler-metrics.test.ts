import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { setHandlerEnvironment } from './handler-env.js';

setHandlerEnvironment();
const { dynamoDb, sqs } = await import('#shared/clients.js');
const dynamoMock = mockClient(dynamoDb);
const sqsMock = mockClient(sqs);

interface EmfDocument {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
}

let output: MockInstance;

function context(remainingMs = 60_000): Context {
  return {
    awsRequestId: `request-${Math.random()}`,
    functionName: 'test-function',
    getRemainingTimeInMillis: () => remainingMs,
  } as unknown as Context;
}

/** Parses every EMF document the handlers printed since the test started. */
function emfDocuments(): EmfDocument[] {
  return output.mock.calls
    .flatMap((call) => String(call[0]).split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as EmfDocument);
}

/** Adds up one metric over every printed EMF document. */
function metricTotal(name: string): number {
  return emfDocuments().reduce((sum, document) => {
    const value = document[name];
    const values = Array.isArray(value) ? value : [value ?? 0];
    return sum + values.reduce((a: number, b) => a + Number(b), 0);
  }, 0);
}

function conditionFailed(): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
  });
}

function sqsRecord(messageId: string, ids: string[], receives = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: JSON.stringify({ ids }),
    attributes: { ApproximateReceiveCount: String(receives) },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:work',
    awsRegion: 'us-east-1',
  } as SQSRecord;
}

beforeAll(() => {
  process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';
});

beforeEach(() => {
  output = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  dynamoMock.reset();
  sqsMock.reset();
});

describe('Handler: ingest metrics', () => {
  it('publishes RawDataCount for the stored files', async () => {
    dynamoMock.on(BatchWriteCommand).resolves({});
    const { handler } = await import('../../lambdas/ingest.js');

    const response = await handler(
      {
        routeKey: 'POST /data/input',
        headers: { 'content-type': 'application/json' },
        body: '{"files":["a","b","c","d"]}',
        isBase64Encoded: false,
        requestContext: { requestId: 'r-1' },
      } as never,
      context(),
    );

    const [document] = emfDocuments();
    const directive = document?._aws.CloudWatchMetrics[0];
    expect(response.statusCode).toBe(201);
    expect(metricTotal('RawDataCount')).toBe(4);
    expect(directive?.Namespace).toBe('DatafilePipeline');
    expect(directive?.Dimensions).toEqual([['service']]);
    expect(directive?.Metrics).toContainEqual({
      Name: 'RawDataCount',
      Unit: 'Count',
    });
    expect(document?.service).toBe('datafile-pipeline');
  });

  it('publishes IngestRejected and no files for a bad request', async () => {
    const { handler } = await import('../../lambdas/ingest.js');

    const response = await handler(
      {
        routeKey: 'POST /data/input',
        headers: { 'content-type': 'application/json' },
        body: '{"files":[]}',
        isBase64Encoded: false,
        requestContext: { requestId: 'r-2' },
      } as never,
      context(),
    );

    expect(response.statusCode).toBe(400);
    expect(metricTotal('IngestRejected')).toBe(1);
    expect(metricTotal('RawDataCount')).toBe(0);
    expect(dynamoMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('keeps a GET of an unknown file out of IngestRejected', async () => {
    dynamoMock.on(GetCommand).resolves({});
    const { handler } = await import('../../lambdas/ingest.js');

    const response = await handler(
      {
        routeKey: 'GET /data/files/{id}',
        pathParameters: { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' },
        requestContext: { requestId: 'r-4' },
      } as never,
      context(),
    );

    expect(response.statusCode).toBe(404);
    expect(metricTotal('IngestRejected')).toBe(0);
  });

  it('counts only the stored files when storage fails', async () => {
    // Every call leaves its first request unprocessed, so each chunk of
    // 25 loses one file after the retries.
    dynamoMock.on(BatchWriteCommand).callsFake((input) => ({
      UnprocessedItems: { files: input.RequestItems.files.slice(0, 1) },
    }));
    const { handler } = await import('../../lambdas/ingest.js');
    const files = Array.from({ length: 30 }, (_, i) => `f${i}`);

    const response = await handler(
      {
        routeKey: 'POST /data/input',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ files }),
        isBase64Encoded: false,
        requestContext: { requestId: 'r-3' },
      } as never,
      context(),
    );

    const body = JSON.parse(String(response.body));
    expect(response.statusCode).toBe(503);
    expect(body.error.storedIds).toHaveLength(28);
    expect(body.error.unstoredFiles).toHaveLength(2);
    expect(metricTotal('RawDataCount')).toBe(28);
  });
});

describe('Handler: processor metrics', () => {
  it('counts processed files once and skips duplicates', async () => {
    dynamoMock
      .on(UpdateCommand)
      .resolvesOnce({})
      .resolvesOnce({})
      .rejects(conditionFailed());
    dynamoMock.on(GetCommand).resolves({ Item: { transitionId: 'earlier' } });
    const { handler } = await import('../../lambdas/processor.js');
    const event: SQSEvent = {
      Records: [sqsRecord('m-1', ['a', 'b']), sqsRecord('m-2', ['a', 'b'])],
    };

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([]);
    expect(metricTotal('ProcessedDataCount')).toBe(2);
  });

  it('reports the failed message and counts its files for the DLQ', async () => {
    dynamoMock.on(UpdateCommand).rejects(new Error('throttled'));
    const { handler } = await import('../../lambdas/processor.js');
    const event: SQSEvent = { Records: [sqsRecord('m-3', ['c'], 5)] };

    const response = await handler(event, context());

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-3' }]);
    expect(metricTotal('MessagesFailed')).toBe(1);
    expect(metricTotal('FilesSentToDeadLetterQueue')).toBe(1);
    expect(metricTotal('ProcessedDataCount')).toBe(0);
  });

  it('fails a message with an invalid body alone', async () => {
    dynamoMock.on(UpdateCommand).resolves({});
    const { handler } = await import('../../lambdas/processor.js');
    const bad = { ...sqsRecord('m-4', []), body: 'not json' };

    const response = await handler(
      { Records: [bad, sqsRecord('m-5', ['d'])] },
      context(),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-4' }]);
    expect(metricTotal('ProcessedDataCount')).toBe(1);
  });
});

describe('Handler: dispatcher metrics', () => {
  it('publishes claims and backlog gauges', async () => {
    dynamoMock
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ id: 'a', createdAt: '2026-01-01T00:00:00.000Z' }],
      })
      .resolves({ Items: [] });
    dynamoMock.on(UpdateCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const { handler } = await import('../../lambdas/dispatcher.js');

    const summary = await handler({}, context());

    expect(summary.claimed).toBe(1);
    expect(metricTotal('FilesClaimed')).toBe(1);
    expect(emfDocuments()[0]?.OldestRawAgeSeconds).toBe(0);
  });

  it('flushes the claims of a run that throws', async () => {
    const item = { id: 'a', createdAt: '2026-01-01T00:00:00.000Z' };
    // Round one reads one raw item and seven empty shard pages; round two
    // fails on its first read.
    let queries = dynamoMock.on(QueryCommand).resolvesOnce({ Items: [item] });
    for (let page = 0; page < 7; page++) {
      queries = queries.resolvesOnce({ Items: [] });
    }
    queries.rejects(new Error('endpoint unreachable'));
    dynamoMock.on(UpdateCommand).resolves({});
    sqsMock.on(SendMessageBatchCommand).resolves({});
    const { handler } = await import('../../lambdas/dispatcher.js');

    const run = handler({}, context());

    await expect(run).rejects.toThrow('endpoint unreachable');
    expect(metricTotal('FilesClaimed')).toBe(1);
  });
});

describe('Handler: deleter metrics', () => {
  it('publishes LockContended when another deleter holds the lock', async () => {
    dynamoMock.on(UpdateCommand).rejects(conditionFailed());
    dynamoMock.on(GetCommand).resolves({
      Item: { owner: 'other', expiresAt: Date.now() + 60_000 },
    });
    dynamoMock.on(QueryCommand).resolves({ Items: [] });
    const { handler } = await import('../../lambdas/deleter.js');

    const result = await handler({}, context());

    expect(result).toEqual({ lockHeld: true });
    expect(metricTotal('LockContended')).toBe(1);
    expect(dynamoMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('publishes DeletedDataCount per confirmed batch', async () => {
    dynamoMock.on(UpdateCommand).resolves({ Attributes: { fence: 1 } });
    dynamoMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ id: 'a' }, { id: 'b' }] })
      .resolves({ Items: [] });
    dynamoMock.on(BatchWriteCommand).resolves({});
    const { handler } = await import('../../lambdas/deleter.js');

    const result = await handler({}, context());

    expect(result).toMatchObject({ deleted: 2 });
    expect(metricTotal('DeletedDataCount')).toBe(2);
    expect(metricTotal('LockAcquired')).toBe(1);
  });
});
