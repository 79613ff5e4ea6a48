import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileItem } from '#domain/file-item.js';
import { sendFileBatches } from '#domain/send-batches.js';

const client = new SQSClient({});
const sqsMock = mockClient(client);
const queue = { client, queueUrl: 'http://127.0.0.1:1/queue' };

function items(count: number): FileItem[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    file: `file_${i}`,
    status: 'queued',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  }));
}

afterEach(() => {
  sqsMock.reset();
});

describe('Function: sendFileBatches', () => {
  it('sends messages of batchSize ids, 10 per call', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({});

    const result = await sendFileBatches(queue, items(35), 3);

    const calls = sqsMock.commandCalls(SendMessageBatchCommand);
    const entries = calls.flatMap((call) => call.args[0].input.Entries ?? []);
    const bodies = entries.map((entry) => JSON.parse(entry.MessageBody ?? ''));
    expect(calls.map((call) => call.args[0].input.Entries?.length)).toEqual([
      10, 2,
    ]);
    expect(bodies[0]).toEqual({ ids: ['id-0', 'id-1', 'id-2'] });
    expect(bodies[11]).toEqual({ ids: ['id-33', 'id-34'] });
    expect(result.messages).toBe(12);
    expect(result.sentIds).toHaveLength(35);
    expect(result.failed).toHaveLength(0);
  });

  it('returns the items of entries that SQS reports as failed', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
    });

    const result = await sendFileBatches(queue, items(5), 2);

    expect(result.failed.map((item) => item.id)).toEqual(['id-2', 'id-3']);
    expect(result.sentIds).toEqual(['id-0', 'id-1', 'id-4']);
    expect(result.messages).toBe(2);
  });

  it('returns every item of a call that throws, with the error', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('connection reset'));

    const result = await sendFileBatches(queue, items(4), 3);

    expect(result.failed).toHaveLength(4);
    expect(result.sentIds).toHaveLength(0);
    expect(result.errors[0]?.message).toBe('connection reset');
  });
});
