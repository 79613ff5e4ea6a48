import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  fileNames,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';
import { idsOf } from '../helpers/faults.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Faults: a message that reaches the dead-letter queue', () => {
  let running: FaultPipeline;

  beforeAll(async () => {
    running = await startFaultPipeline({
      seed: 55,
      settings: { maxReceiveCount: 2 },
    });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('reports its files, then dispatches them again', async () => {
    const { pipeline, faults, probe, output } = running;
    const poisoned = (record: SQSRecord) =>
      idsOf(record).some((id) => faults.fileNameOf(id) === 'poison');
    const removeFault = faults.add({ kind: 'failMessages', when: poisoned });

    const accepted = await postFiles(pipeline.url, [
      'poison',
      ...fileNames('ok', 5),
    ]);
    const poisonId = accepted[0] ?? '';
    const dead = await output.waitForMessage(
      'message goes to the dead-letter queue',
      {
        filter: (entry) => (entry.ids as string[]).includes(poisonId),
        timeoutMs: 20_000,
      },
    );
    removeFault();
    const sentToDlq = await waitFor(
      () => probe.metrics().FilesSentToDeadLetterQueue || undefined,
      { description: 'the FilesSentToDeadLetterQueue metric' },
    );
    const state = await probe.waitForDrain(accepted.length, 30_000);

    const deadLetterIds = await receiveDeadLetterIds(running);
    expect(dead.entry.receiveCount).toBe(2);
    expect(sentToDlq).toBe((dead.entry.ids as string[]).length);
    expect(probe.metrics().FilesRedispatched).toBeGreaterThanOrEqual(1);
    expect(deadLetterIds).toEqual(dead.entry.ids);
    expectDrained(running, accepted, state, { deadLetterMessages: 1 });
  }, 60_000);
});

/**
 * Receives the ids of the messages on the dead-letter queue without
 * hiding them. With a visibility timeout of 0, local-aws-sqs 2.0.2 can
 * return one message several times in one response, so this keeps one
 * copy per message id.
 */
async function receiveDeadLetterIds(running: FaultPipeline) {
  const output = await running.probe.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: running.pipeline.queues.deadLetterQueue.url,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 0,
    }),
  );
  const bodies = new Map(
    (output.Messages ?? []).map((message) => [message.MessageId, message.Body]),
  );

  return [...bodies.values()].flatMap(
    (body) => JSON.parse(body ?? '{}').ids ?? [],
  );
}
