import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type {
  SQSEvent,
  SQSMessageAttributes,
  SQSRecord,
  SQSRecordAttributes,
} from 'aws-lambda';

/** The queue that messages came from. */
export interface EventSource {
  readonly queueArn: string;
  readonly region: string;
}

const requiredAttributes = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
] as const;

/**
 * Builds the event that a Lambda SQS event source mapping sends for a
 * batch of received messages. The messages must have been received with
 * all system attributes and all message attributes.
 *
 * @throws Error when a message lacks an id, receipt handle, body or one of
 *   the system attributes Lambda always sends.
 */
export function toSqsEvent(
  messages: readonly Message[],
  source: EventSource,
): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source)) };
}

function toSqsRecord(message: Message, source: EventSource): SQSRecord {
  const { MessageId, ReceiptHandle, Body, MD5OfBody } = message;
  if (!MessageId || ReceiptHandle === undefined || Body === undefined) {
    throw new Error(
      `ReceiveMessage returned a message without an id, receipt handle or body: ${MessageId}`,
    );
  }
  const record: SQSRecord = {
    messageId: MessageId,
    receiptHandle: ReceiptHandle,
    body: Body,
    attributes: toRecordAttributes(message),
    messageAttributes: toRecordMessageAttributes(message.MessageAttributes),
    md5OfBody: MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
  if (message.MD5OfMessageAttributes !== undefined) {
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  }

  return record;
}

function toRecordAttributes(message: Message): SQSRecordAttributes {
  const attributes: Record<string, string> = { ...message.Attributes };
  const missing = requiredAttributes.filter((name) => !(name in attributes));
  if (missing.length > 0) {
    throw new Error(
      `ReceiveMessage returned message ${message.MessageId} without the system attributes ${missing.join(', ')}`,
    );
  }

  return attributes as unknown as SQSRecordAttributes;
}

/**
 * Lambda sends binary values base64-encoded and always includes the two
 * list fields, which SQS reserves and leaves empty.
 */
function toRecordMessageAttributes(
  attributes: Record<string, MessageAttributeValue> | undefined,
): SQSMessageAttributes {
  const converted: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes ?? {})) {
    converted[name] = {
      ...(value.StringValue === undefined
        ? {}
        : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((bytes) =>
        Buffer.from(bytes).toString('base64'),
      ),
      dataType: value.DataType ?? 'String',
    };
  }

  return converted;
}
