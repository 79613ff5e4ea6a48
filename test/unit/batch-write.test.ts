import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { batchWriteAll } from '#domain/batch-write.js';

const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const dynamoMock = mockClient(client);
const put = (id: string) => ({ PutRequest: { Item: { id } } });
const fast = { baseDelayMs: 1 };

afterEach(() => {
  dynamoMock.reset();
});

describe('Function: batchWriteAll', () => {
  it('splits the requests into calls of 25', async () => {
    dynamoMock.on(BatchWriteCommand).resolves({});
    const requests = Array.from({ length: 60 }, (_, i) => put(`id-${i}`));

    const result = await batchWriteAll(client, 'files', requests, fast);

    const calls = dynamoMock.commandCalls(BatchWriteCommand);
    const sizes = calls.map(
      (call) => call.args[0].input.RequestItems?.files?.length,
    );
    expect(sizes.sort()).toEqual([10, 25, 25]);
    expect(result.written).toHaveLength(60);
    expect(result.unprocessed).toHaveLength(0);
  });

  it('retries the unprocessed items until they are written', async () => {
    dynamoMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { files: [put('b')] } })
      .resolvesOnce({});

    const result = await batchWriteAll(
      client,
      'files',
      [put('a'), put('b')],
      fast,
    );

    const second = dynamoMock.commandCalls(BatchWriteCommand)[1];
    expect(second?.args[0].input.RequestItems?.files).toEqual([put('b')]);
    expect(result.written).toHaveLength(2);
    expect(result.unprocessed).toHaveLength(0);
  });

  it('returns the items still unprocessed after the last retry', async () => {
    dynamoMock
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { files: [put('b')] } });

    const result = await batchWriteAll(client, 'files', [put('a'), put('b')], {
      ...fast,
      maxRetries: 2,
    });

    expect(dynamoMock.commandCalls(BatchWriteCommand)).toHaveLength(3);
    expect(result.written).toEqual([put('a')]);
    expect(result.unprocessed).toEqual([put('b')]);
  });

  it('returns a failed call as unprocessed with its error', async () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ProvisionedThroughputExceededException',
    });
    dynamoMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { files: [put('b')] } })
      .rejectsOnce(throttled);

    const result = await batchWriteAll(
      client,
      'files',
      [put('a'), put('b')],
      fast,
    );

    expect(result.written).toEqual([put('a')]);
    expect(result.unprocessed).toEqual([put('b')]);
    expect(result.errors[0]?.name).toBe(
      'ProvisionedThroughputExceededException',
    );
  });

  it('stops retrying when mayRetry returns false', async () => {
    dynamoMock
      .on(BatchWriteCommand)
      .resolves({ UnprocessedItems: { files: [put('b')] } });

    const result = await batchWriteAll(client, 'files', [put('a'), put('b')], {
      ...fast,
      mayRetry: () => false,
    });

    expect(dynamoMock.commandCalls(BatchWriteCommand)).toHaveLength(1);
    expect(result.unprocessed).toEqual([put('b')]);
  });

  it('reports each written chunk to onWritten', async () => {
    dynamoMock.on(BatchWriteCommand).resolves({});
    const seen: number[] = [];
    const requests = Array.from({ length: 30 }, (_, i) => put(`id-${i}`));

    await batchWriteAll(client, 'files', requests, {
      ...fast,
      onWritten: (written) => seen.push(written.length),
    });

    expect(seen.sort()).toEqual([25, 5]);
  });
});
