import { StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';
import { idsOf } from '../helpers/faults.js';
import { runRedriveCommand } from '../helpers/redrive-command.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Faults: a file stuck after its last dispatch attempt', () => {
  let running: FaultPipeline;

  beforeAll(async () => {
    running = await startFaultPipeline({
      seed: 66,
      settings: { maxReceiveCount: 2, maxDispatchAttempts: 1, batchSize: 1 },
    });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('is reported, and the documented redrive drains it', async () => {
    const { pipeline, faults, probe, output } = running;
    const poisoned = (record: SQSRecord) =>
      idsOf(record).some((id) => faults.fileNameOf(id) === 'poison');
    faults.add({ kind: 'failMessages', when: poisoned });

    const accepted = await postFiles(pipeline.url, ['poison', 'ok-1', 'ok-2']);
    const poisonId = accepted[0] ?? '';
    const stuck = await output.waitForMessage(
      'files stuck after the maximum dispatch attempts',
      { timeoutMs: 20_000 },
    );
    await waitFor(
      async () =>
        (await probe.messageCount(pipeline.queues.deadLetterQueue.url)) === 1
          ? true
          : undefined,
      {
        description: 'the message on the dead-letter queue',
        timeoutMs: 20_000,
      },
    );
    const stuckMetric = probe.metrics().FilesStuck;
    const sentToDlq = probe.metrics().FilesSentToDeadLetterQueue;
    faults.clear();
    const redrive = await runRedriveCommand(
      ['--table-name', pipeline.tableName],
      {
        dynamoDbEndpoint: pipeline.endpoints.dynamoDb,
        region: pipeline.region,
      },
    );
    await probe.sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: pipeline.queues.deadLetterQueue.arn,
      }),
    );
    const state = await waitFor(
      async () => {
        const current = await probe.waitForDrain(accepted.length, 30_000);
        return current.deadLetterMessages === 0 ? current : undefined;
      },
      { description: 'an empty dead-letter queue', timeoutMs: 30_000 },
    );

    expect(stuck.entry.ids).toEqual([poisonId]);
    expect(stuckMetric).toBe(1);
    expect(sentToDlq).toBe(1);
    expect(redrive.stdout).toContain(`moved to raw: ${poisonId}\n`);
    expect(running.processedLog.skipped, 'the redriven message').toBe(1);
    expectDrained(running, accepted, state);
  }, 90_000);
});
