import type { Logger } from '@aws-lambda-powertools/logger';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { toError } from '#shared/errors.js';
import { readBatchResponse } from './batch-response.js';
import { invokeFunction, type LocalFunction } from './invoke.js';
import { sleepUntil } from './schedule.js';
import { type EventSource, toSqsEvent } from './sqs-event.js';

/** Options of `startSqsPoller`. */
export interface SqsPollerProps {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly source: EventSource;
  /** The processor; it may resolve with a partial batch response. */
  readonly fn: LocalFunction<SQSEvent, unknown>;
  /** Messages per invocation, 1 to 10. */
  readonly batchSize: number;
  /** Milliseconds the poller waits after an empty receive or an error. */
  readonly idleDelayMs: number;
  readonly logger: Logger;
}

/** A poller that runs in place of a Lambda SQS event source mapping. */
export interface SqsPoller {
  /** Stops receiving and waits for the batches in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Starts a poller that does what a Lambda SQS event source mapping with
 * `ReportBatchItemFailures` does: receive a batch, invoke the function,
 * delete the messages that succeeded and leave the others on the queue.
 * A left message comes back after the visibility timeout, and SQS moves
 * it to the dead-letter queue after `maxReceiveCount` receives.
 *
 * The poller uses short polls because local-aws-sqs 2.0.2 returns from a
 * long poll only when the wait time ends or the batch is full, even while
 * messages are waiting.
 *
 * TODO: Lambda polls with several concurrent invocations, each in its own
 * execution environment. One poller invokes one batch at a time, because
 * the handlers share this process and module-scope state.
 */
export function startSqsPoller(props: SqsPollerProps): SqsPoller {
  const controller = new AbortController();
  const polling = poll(props, controller.signal);

  return {
    async stop() {
      controller.abort();
      await polling;
    },
  };
}

/** Maximum wait between receives after failures, in milliseconds. */
const maxFailureDelayMs = 30_000;

async function poll(props: SqsPollerProps, signal: AbortSignal) {
  let failures = 0;
  while (!signal.aborted) {
    const messages = await receiveBatch(props, signal);
    failures = messages === undefined ? failures + 1 : 0;
    if (messages === undefined || messages.length === 0) {
      // After a failed receive the wait doubles, up to 30 s, so an
      // unreachable queue does not fill the log.
      const delay = Math.min(
        props.idleDelayMs * 2 ** failures,
        Math.max(props.idleDelayMs, maxFailureDelayMs),
      );
      await sleepUntil(Date.now() + delay, signal);
      continue;
    }
    await processBatch(props, messages);
  }
}

/** Receives a batch; returns undefined when the receive failed. */
async function receiveBatch(
  props: SqsPollerProps,
  signal: AbortSignal,
): Promise<Message[] | undefined> {
  try {
    const output = await props.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: props.queueUrl,
        MaxNumberOfMessages: props.batchSize,
        WaitTimeSeconds: 0,
        // local-aws-sqs 2.0.2 reads only the older AttributeNames member,
        // and SQS still accepts it next to MessageSystemAttributeNames.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: signal },
    );
    return output.Messages ?? [];
  } catch (error) {
    if (!signal.aborted) {
      props.logger.error('receive failed', toError(error));
    }
    return undefined;
  }
}

async function processBatch(props: SqsPollerProps, messages: Message[]) {
  let event: SQSEvent;
  try {
    event = toSqsEvent(messages, props.source);
  } catch (error) {
    props.logger.error('cannot build the SQS event', toError(error));
    return;
  }
  const ids = event.Records.map((record) => record.messageId);
  const outcome = await invokeFunction(props.fn, event, props.logger);
  if (outcome.status !== 'succeeded') {
    props.logger.warn('batch left on the queue', {
      messageIds: ids,
      invocation: outcome.status,
    });
    return;
  }
  const verdict = readBatchResponse(outcome.result, ids);
  if (verdict.invalidResponseReason !== undefined) {
    props.logger.warn('invalid partial batch response fails the batch', {
      reason: verdict.invalidResponseReason,
      messageIds: ids,
    });
  }
  const failed = new Set(verdict.failedMessageIds);
  const succeeded = event.Records.filter(
    (record) => !failed.has(record.messageId),
  );
  await deleteMessages(props, succeeded);
}

async function deleteMessages(
  props: SqsPollerProps,
  records: readonly { messageId: string; receiptHandle: string }[],
) {
  if (records.length === 0) return;
  try {
    const output = await props.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: props.queueUrl,
        Entries: records.map((record, index) => ({
          Id: String(index),
          ReceiptHandle: record.receiptHandle,
        })),
      }),
    );
    for (const failure of output.Failed ?? []) {
      const record = records[Number(failure.Id)];
      props.logger.warn('delete failed; the message will be received again', {
        messageId: record?.messageId,
        code: failure.Code,
        reason: failure.Message,
      });
    }
  } catch (error) {
    props.logger.error('delete failed; the batch will be received again', {
      messageIds: records.map((record) => record.messageId),
      error: toError(error),
    });
  }
}
