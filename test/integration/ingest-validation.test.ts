import { randomUUID } from 'node:crypto';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../local/aws-environment.js';
import {
  type LocalPipeline,
  startLocalPipeline,
} from '../../local/pipeline.js';

const limits = { maxFilesPerRequest: 5, maxFileNameBytes: 16 };
const maxBodyBytes = 2048;

describe('Function: startLocalPipeline, invalid ingest requests', () => {
  let pipeline: LocalPipeline;
  let dynamoDb: DynamoDBClient;

  beforeAll(async () => {
    pipeline = await startLocalPipeline({
      settings: { ...limits, maxBodyBytes },
      printOutput: false,
    });
    dynamoDb = new DynamoDBClient({
      endpoint: pipeline.endpoints.dynamoDb,
      region: pipeline.region,
      credentials: localCredentials,
    });
  }, 60_000);

  afterAll(async () => {
    dynamoDb?.destroy();
    await pipeline?.stop();
  });

  const countItemsNamed = async (marker: string) => {
    const output = await dynamoDb.send(
      new ScanCommand({
        TableName: pipeline.tableName,
        FilterExpression: 'contains(#file, :marker)',
        ExpressionAttributeNames: { '#file': 'file' },
        ExpressionAttributeValues: { ':marker': { S: marker } },
      }),
    );
    return output.Count ?? 0;
  };
  const rawDataCount = () =>
    pipeline.metrics.read().find((metric) => metric.name === 'RawDataCount')
      ?.value;
  const post = (body: string, contentType = 'application/json') =>
    fetch(`${pipeline.url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

  it.each([
    ['the body is not JSON', (m: string) => `{"files": ["${m}"`, 400, 'body'],
    ['files is missing', (m: string) => `{"file": ["${m}"]}`, 400, 'files'],
    ['files is not an array', (m: string) => `{"files": "${m}"}`, 400, 'files'],
    [
      'files is empty',
      (m: string) => `{"files": [], "x": "${m}"}`,
      400,
      'files',
    ],
    [
      'an entry is not a string',
      (m: string) => `{"files": ["${m}", 7]}`,
      400,
      'files[1]',
    ],
    [
      'an entry is empty',
      (m: string) => `{"files": ["${m}", ""]}`,
      400,
      'files[1]',
    ],
    [
      'an entry is too long',
      (m: string) => JSON.stringify({ files: [m, `${m}-too-long`] }),
      400,
      'files[1]',
    ],
    [
      'there are too many entries',
      (m: string) => JSON.stringify({ files: Array(6).fill(m) }),
      400,
      'files',
    ],
    [
      'the body is too large',
      (m: string) => JSON.stringify({ files: [m, 'x'.repeat(maxBodyBytes)] }),
      413,
      'body',
    ],
  ])(
    'returns %s as a 4xx and writes nothing',
    async (_case, makeBody, status, field) => {
      const marker = randomUUID().slice(0, 8);
      const rawBefore = rawDataCount();

      const response = await post(makeBody(marker));
      const body = (await response.json()) as {
        error: { problems: { field: string }[] };
      };

      expect(response.status).toBe(status);
      expect(body.error.problems.map((problem) => problem.field)).toContain(
        field,
      );
      expect(await countItemsNamed(marker)).toBe(0);
      expect(rawDataCount()).toBe(rawBefore);
    },
  );

  it('returns 415 for a wrong content type and writes nothing', async () => {
    const marker = randomUUID().slice(0, 8);

    const response = await post(
      JSON.stringify({ files: [marker] }),
      'text/plain',
    );

    expect(response.status).toBe(415);
    expect(await countItemsNamed(marker)).toBe(0);
  });

  it('stores a valid request, which the checks above would see', async () => {
    const marker = randomUUID().slice(0, 8);
    const rawBefore = rawDataCount() ?? 0;

    const response = await post(JSON.stringify({ files: [marker, marker] }));

    expect(response.status).toBe(201);
    expect(await countItemsNamed(marker)).toBe(2);
    expect(rawDataCount()).toBe(rawBefore + 2);
  });
});
