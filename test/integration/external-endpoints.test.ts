import {
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../local/aws-environment.js';
import {
  type RunningEmulator,
  startDynamoDbEmulator,
  startSqsEmulator,
} from '../../local/emulators.js';
import type { PipelineHandlers } from '../../local/handlers.js';
import { startLocalPipeline } from '../../local/pipeline.js';

const region = 'us-east-1';

/** Handlers that do nothing, so this file never loads the real ones. */
const idleHandlers: PipelineHandlers = {
  ingest: async () => ({ statusCode: 204 }),
  dispatcher: async () => undefined,
  processor: async () => undefined,
  deleter: async () => undefined,
};

describe('Function: startLocalPipeline with external endpoints', () => {
  const emulators: RunningEmulator[] = [];
  let dynamoDb: DynamoDBClient;
  let sqs: SQSClient;

  beforeAll(async () => {
    emulators.push(await startDynamoDbEmulator(0));
    emulators.push(await startSqsEmulator(0, region));
    const [dynamoDbEmulator, sqsEmulator] = emulators;
    const common = { region, credentials: localCredentials };
    dynamoDb = new DynamoDBClient({
      ...common,
      endpoint: dynamoDbEmulator?.url,
    });
    sqs = new SQSClient({ ...common, endpoint: sqsEmulator?.url });
  });

  afterAll(async () => {
    dynamoDb?.destroy();
    sqs?.destroy();
    await Promise.all(emulators.map((emulator) => emulator.close()));
  });

  const start = (stageName: string) =>
    startLocalPipeline({
      endpoints: { dynamoDb: emulators[0]?.url, sqs: emulators[1]?.url },
      region,
      settings: { stageName, processorTimeoutSeconds: 2, maxReceiveCount: 4 },
      handlers: idleHandlers,
      printOutput: false,
    });

  it('creates the missing table and queues and keeps the endpoints', async () => {
    const stageName = `ext${Date.now()}`;
    const existing = await sqs.send(
      new CreateQueueCommand({
        QueueName: `datafile-pipeline-${stageName}-work`,
        Attributes: { VisibilityTimeout: '99' },
      }),
    );

    const pipeline = await start(stageName);
    await pipeline.stop();
    const table = await dynamoDb.send(
      new DescribeTableCommand({ TableName: pipeline.tableName }),
    );
    const attributes = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: pipeline.queues.workQueue.url,
        AttributeNames: ['All'],
      }),
    );

    expect(pipeline.endpoints.dynamoDb).toBe(emulators[0]?.url);
    expect(pipeline.queues.workQueue.url).toBe(existing.QueueUrl);
    expect(table.Table?.GlobalSecondaryIndexes?.[0]?.IndexName).toBe(
      'StatusIndex',
    );
    expect(attributes.Attributes?.VisibilityTimeout).toBe('12');
    expect(JSON.parse(attributes.Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: pipeline.queues.deadLetterQueue.arn,
      maxReceiveCount: 4,
    });
  });

  it('reuses the table of an earlier run', async () => {
    const stageName = `ext${Date.now()}`;
    const first = await start(stageName);
    await first.stop();

    const second = await start(stageName);
    await second.stop();
    const tables = await dynamoDb.send(new ListTablesCommand({}));

    expect(second.tableName).toBe(first.tableName);
    expect(tables.TableNames).toContain(second.tableName);
  });

  it('rejects a second pipeline while one runs', async () => {
    const pipeline = await start(`ext${Date.now()}`);

    try {
      await expect(start(`ext${Date.now()}`)).rejects.toThrow(
        'A local pipeline is already running',
      );
    } finally {
      await pipeline.stop();
    }
  });
});
