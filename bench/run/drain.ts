import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '../../local/aws-environment.js';
import type { LocalPipeline } from '../../local/pipeline.js';
import type { DrainChecks, DrainTimings } from './child-protocol.js';

/** Milliseconds between two reads of the metrics store. */
const watchIntervalMs = 25;

/** Builds the body of one ingest request with `count` file names. */
export function ingestBody(count: number, firstNumber = 0): string {
  const files = Array.from(
    { length: count },
    (_, index) => `data/file-${String(firstNumber + index).padStart(7, '0')}`,
  );

  return JSON.stringify({ files });
}

/**
 * Sends `files` files in POSTs of `filesPerRequest`, one after the other,
 * and watches the metrics store until every file is processed and
 * deleted.
 *
 * @returns the times from the first POST, or undefined on timeout.
 * @throws Error when a POST returns a status other than 201.
 */
export async function drainFiles(
  pipeline: LocalPipeline,
  options: { files: number; filesPerRequest: number; timeoutMs: number },
): Promise<DrainTimings | undefined> {
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  for (let sent = 0; sent < options.files; sent += options.filesPerRequest) {
    const count = Math.min(options.filesPerRequest, options.files - sent);
    const response = await fetch(`${pipeline.url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: ingestBody(count, sent),
    });
    if (response.status !== 201) {
      throw new Error(
        `POST /data/input returned ${response.status}: ${await response.text()}`,
      );
    }
    await response.arrayBuffer();
  }
  const ingestedMs = performance.now() - started;
  let processedMs: number | undefined;
  while (performance.now() < deadline) {
    const counts = readCounts(pipeline);
    if (processedMs === undefined && counts.processed >= options.files) {
      processedMs = performance.now() - started;
    }
    if (counts.deleted >= options.files) {
      const deletedMs = performance.now() - started;
      return { ingestedMs, processedMs: processedMs ?? deletedMs, deletedMs };
    }
    await sleep(watchIntervalMs);
  }

  return undefined;
}

/** Reads the three file counters from the pipeline's metrics store. */
export function readCounts(pipeline: LocalPipeline) {
  const value = (name: string) =>
    pipeline.metrics.read().find((reading) => reading.name === name)?.value ??
    0;

  return {
    ingested: value('RawDataCount'),
    processed: value('ProcessedDataCount'),
    deleted: value('DeletedDataCount'),
  };
}

/**
 * Checks the end state with clients of its own: no file item left in the
 * table and no message left on the queues.
 */
export async function checkEndState(
  pipeline: LocalPipeline,
): Promise<Omit<DrainChecks, 'shadowItemsLeft'>> {
  const common = { region: pipeline.region, credentials: localCredentials };
  const dynamoDb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...common, endpoint: pipeline.endpoints.dynamoDb }),
  );
  const sqs = new SQSClient({ ...common, endpoint: pipeline.endpoints.sqs });
  try {
    const [itemsLeft, messagesLeft, deadLetterMessages] = await Promise.all([
      countFileItems(dynamoDb, pipeline.tableName),
      countMessages(sqs, pipeline.queues.workQueue.url),
      countMessages(sqs, pipeline.queues.deadLetterQueue.url),
    ]);
    return {
      ...readCounts(pipeline),
      itemsLeft,
      messagesLeft,
      deadLetterMessages,
    };
  } finally {
    dynamoDb.destroy();
    sqs.destroy();
  }
}

async function countFileItems(
  client: DynamoDBDocumentClient,
  tableName: string,
): Promise<number> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'attribute_exists(#file)',
        ExpressionAttributeNames: { '#file': 'file' },
        ExclusiveStartKey: startKey,
      }),
    );
    count += output.Count ?? 0;
    startKey = output.LastEvaluatedKey;
  } while (startKey);

  return count;
}

async function countMessages(sqs: SQSClient, queueUrl: string) {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );

  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
