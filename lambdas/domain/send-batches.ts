import {
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { toError } from '#shared/errors.js';
import type { FileItem } from './file-item.js';

/** The queue that carries batches of file ids to the processor. */
export interface QueueSender {
  readonly client: SQSClient;
  readonly queueUrl: string;
}

/** Body of one work message. */
export interface WorkMessage {
  readonly ids: readonly string[];
}

/** Items that reached the queue and items that did not. */
export interface SendResult {
  readonly sentIds: readonly string[];
  readonly failed: readonly FileItem[];
  readonly messages: number;
  /** Errors of SendMessageBatch calls that threw after the SDK's retries. */
  readonly errors: readonly Error[];
}

/** Maximum entries in one SendMessageBatch call, fixed by SQS. */
const sqsBatchLimit = 10;

/**
 * Sends the items' ids in messages of up to `batchSize` ids, 10 messages
 * per SendMessageBatch call, all calls at once.
 *
 * @returns the items of entries that SQS reported as failed or whose call
 *   threw, so the caller can return them to `raw`.
 */
export async function sendFileBatches(
  queue: QueueSender,
  items: readonly FileItem[],
  batchSize: number,
): Promise<SendResult> {
  const groups = chunk(items, batchSize);
  const calls = chunk(
    groups.map((group, index) => ({ id: String(index), group })),
    sqsBatchLimit,
  );
  const results = await Promise.all(calls.map((call) => sendCall(queue, call)));
  const failedIds = new Set(results.flatMap((result) => result.failedIds));
  const failedGroups = groups.filter((_, index) =>
    failedIds.has(String(index)),
  );
  const failed = failedGroups.flat();
  const failedItemIds = new Set(failed.map((item) => item.id));

  return {
    sentIds: items
      .filter((item) => !failedItemIds.has(item.id))
      .map((item) => item.id),
    failed,
    messages: groups.length - failedGroups.length,
    errors: results.flatMap((result) => result.error ?? []),
  };
}

/** Sends one SendMessageBatch call and returns the ids of failed entries. */
async function sendCall(
  queue: QueueSender,
  entries: readonly { id: string; group: readonly FileItem[] }[],
): Promise<{ failedIds: string[]; error?: Error }> {
  const request: SendMessageBatchRequestEntry[] = entries.map((entry) => {
    const body: WorkMessage = { ids: entry.group.map((item) => item.id) };
    return { Id: entry.id, MessageBody: JSON.stringify(body) };
  });
  try {
    const output = await queue.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: request,
      }),
    );
    return { failedIds: (output.Failed ?? []).map((entry) => entry.Id ?? '') };
  } catch (error) {
    return {
      failedIds: entries.map((entry) => entry.id),
      error: toError(error),
    };
  }
}

/**
 * Reads the approximate number of messages waiting on the queue to be
 * received, not counting messages in flight.
 */
export async function countWaitingMessages(
  queue: QueueSender,
): Promise<number> {
  const output = await queue.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queue.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages'],
    }),
  );

  return Number(output.Attributes?.ApproximateNumberOfMessages ?? 0);
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < values.length; start += size) {
    chunks.push(values.slice(start, start + size));
  }

  return chunks;
}
