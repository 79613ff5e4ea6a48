import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from '../../local/aws-environment.js';
import {
  type RunningEmulator,
  startSqsEmulator,
} from '../../local/emulators.js';
import { type SqsPoller, startSqsPoller } from '../../local/sqs-poller.js';
import { waitFor } from '../helpers/wait-for.js';

const region = 'us-east-1';
const maxReceiveCount = 2;

interface TestQueue {
  readonly url: string;
  readonly arn: string;
  readonly deadLetterUrl: string;
}

describe('Function: startSqsPoller', () => {
  let emulator: RunningEmulator;
  let sqs: SQSClient;
  let poller: SqsPoller | undefined;

  beforeAll(async () => {
    emulator = await startSqsEmulator(0, region);
    sqs = new SQSClient({
      endpoint: emulator.url,
      region,
      credentials: localCredentials,
    });
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  afterAll(async () => {
    sqs?.destroy();
    await emulator?.close();
  });

  /** Creates a queue with a 1 s visibility timeout and a DLQ. */
  async function createTestQueue(): Promise<TestQueue> {
    const name = `poller-${randomUUID()}`;
    const deadLetter = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-dlq` }),
    );
    const deadLetterArn = await queueArn(deadLetter.QueueUrl ?? '');
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: name,
        Attributes: {
          VisibilityTimeout: '1',
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterArn,
            maxReceiveCount,
          }),
        },
      }),
    );
    const url = created.QueueUrl ?? '';

    return {
      url,
      arn: await queueArn(url),
      deadLetterUrl: deadLetter.QueueUrl ?? '',
    };
  }

  async function queueArn(url: string): Promise<string> {
    const output = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['QueueArn'],
      }),
    );
    return output.Attributes?.QueueArn ?? '';
  }

  async function sendBodies(queue: TestQueue, bodies: readonly string[]) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: bodies.map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageAttributes: {
            kind: { DataType: 'String', StringValue: 'test' },
            blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2]) },
          },
        })),
      }),
    );
  }

  async function countMessages(url: string): Promise<number> {
    const output = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
        ],
      }),
    );
    const attributes = output.Attributes ?? {};

    return (
      Number(attributes.ApproximateNumberOfMessages) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible)
    );
  }

  /** Starts a poller whose handler records every record it receives. */
  function poll(
    queue: TestQueue,
    handle: (event: SQSEvent) => Promise<unknown>,
  ): SQSRecord[] {
    const received: SQSRecord[] = [];
    poller = startSqsPoller({
      sqs,
      queueUrl: queue.url,
      source: { queueArn: queue.arn, region },
      fn: {
        identity: { functionName: 'processor', timeoutSeconds: 5, region },
        handler: async (event) => {
          received.push(...event.Records);
          return handle(event);
        },
      },
      batchSize: 10,
      idleDelayMs: 20,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });

    return received;
  }

  const receivesOf = (received: SQSRecord[], body: string) =>
    received.filter((record) => record.body === body).length;

  it('sends records shaped like Lambda SQS records', async () => {
    const queue = await createTestQueue();
    const received = poll(queue, async () => undefined);

    await sendBodies(queue, ['one']);
    const [record] = await waitFor(
      () => (received.length > 0 ? received : undefined),
      { description: 'a record' },
    );

    expect(record?.messageId).toMatch(/\S/);
    expect(record?.receiptHandle).toMatch(/\S/);
    expect(record?.body).toBe('one');
    expect(record?.attributes.ApproximateReceiveCount).toBe('1');
    expect(record?.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(record?.attributes.SenderId).toMatch(/\S/);
    expect(record?.attributes.ApproximateFirstReceiveTimestamp).toMatch(
      /^\d+$/,
    );
    expect(record?.messageAttributes.kind).toEqual({
      stringValue: 'test',
      stringListValues: [],
      binaryListValues: [],
      dataType: 'String',
    });
    expect(record?.messageAttributes.blob?.binaryValue).toBe(
      Buffer.from([1, 2]).toString('base64'),
    );
    expect(record?.md5OfBody).toBe('f97c5d29941bfb1b2fdab0874906ab82');
    expect(record?.eventSource).toBe('aws:sqs');
    expect(record?.eventSourceARN).toBe(queue.arn);
    expect(record?.awsRegion).toBe(region);
    await waitFor(
      async () => ((await countMessages(queue.url)) === 0 ? true : undefined),
      { description: 'the message to be deleted' },
    );
  });

  it('deletes succeeded messages and redelivers failed ones', async () => {
    const queue = await createTestQueue();
    const received = poll(queue, async (event) => {
      const failed = event.Records.filter(
        (record) =>
          record.body === 'fail' &&
          record.attributes.ApproximateReceiveCount === '1',
      );
      return {
        batchItemFailures: failed.map((record) => ({
          itemIdentifier: record.messageId,
        })),
      };
    });

    await sendBodies(queue, ['ok-1', 'fail', 'ok-2']);
    await waitFor(
      () => (receivesOf(received, 'fail') === 2 ? true : undefined),
      { description: 'the failed message to come back' },
    );
    await waitFor(
      async () => ((await countMessages(queue.url)) === 0 ? true : undefined),
      { description: 'the queue to empty' },
    );

    expect(receivesOf(received, 'ok-1')).toBe(1);
    expect(receivesOf(received, 'ok-2')).toBe(1);
    expect(
      received
        .filter((record) => record.body === 'fail')
        .map((record) => record.attributes.ApproximateReceiveCount),
    ).toEqual(['1', '2']);
  });

  it.each([
    ['the handler throws', async () => Promise.reject(new Error('boom'))],
    [
      'an itemIdentifier is empty',
      async () => ({ batchItemFailures: [{ itemIdentifier: '' }] }),
    ],
    [
      'an itemIdentifier is unknown',
      async () => ({ batchItemFailures: [{ itemIdentifier: 'unknown' }] }),
    ],
    ['the response is not an object', async () => 'done'],
  ])('leaves the whole batch when %s', async (_case, failOnce) => {
    const queue = await createTestQueue();
    let calls = 0;
    const received = poll(queue, async () => {
      calls++;
      return calls === 1 ? failOnce() : undefined;
    });

    await sendBodies(queue, ['a', 'b']);
    await waitFor(
      () =>
        receivesOf(received, 'a') === 2 && receivesOf(received, 'b') === 2
          ? true
          : undefined,
      { description: 'both messages to come back' },
    );

    expect(calls).toBeGreaterThanOrEqual(2);
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const queue = await createTestQueue();
    const received = poll(queue, async () => {
      throw new Error('always fails');
    });

    await sendBodies(queue, ['poison']);
    const moved = await waitFor(
      async () => {
        const output = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.deadLetterUrl,
            AttributeNames: ['All'],
          }),
        );
        return output.Messages?.[0];
      },
      { description: 'the message in the DLQ', timeoutMs: 10_000 },
    );

    expect(moved.Body).toBe('poison');
    expect(receivesOf(received, 'poison')).toBe(maxReceiveCount);
    expect(await countMessages(queue.url)).toBe(0);
  });
});
