import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../lib/settings.js';
import {
  localCredentials,
  mergedFunctionEnvironment,
} from '../../local/aws-environment.js';
import {
  type RunningEmulator,
  startSqsEmulator,
} from '../../local/emulators.js';
import { ensureQueues } from '../../local/resources.js';
import { type SynthesizedPipeline, synthesizePipeline } from './synthesize.js';

/** Settings that differ from every default the stack and runtime use. */
const overrides = {
  batchSize: 7,
  maxReceiveCount: 4,
  processorTimeoutSeconds: 5,
};

describe('Settings: one change reaches the stack and the local runtime', () => {
  let pipeline: SynthesizedPipeline;
  let emulator: RunningEmulator;
  let sqs: SQSClient;
  let localQueue: Record<string, string>;

  beforeAll(async () => {
    pipeline = synthesizePipeline(overrides);
    emulator = await startSqsEmulator(0, 'us-east-1');
    sqs = new SQSClient({
      endpoint: emulator.url,
      region: 'us-east-1',
      credentials: localCredentials,
    });
    const names = {
      tableName: 'drift-files',
      workQueueName: 'drift-work',
      deadLetterQueueName: 'drift-work-dlq',
    };
    const queues = await ensureQueues(sqs, names, resolveSettings(overrides));
    const output = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queues.workQueue.url,
        AttributeNames: ['All'],
      }),
    );
    localQueue = output.Attributes ?? {};
  });

  afterAll(async () => {
    sqs?.destroy();
    await emulator?.close();
  });

  it('gives both queues the same visibility timeout', () => {
    pipeline.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 30,
    });

    expect(localQueue.VisibilityTimeout).toBe('30');
  });

  it('gives both queues the same maxReceiveCount', () => {
    pipeline.template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 4 }),
    });

    expect(JSON.parse(localQueue.RedrivePolicy ?? '{}').maxReceiveCount).toBe(
      4,
    );
  });

  it('passes the same batch size to both dispatchers', () => {
    const local = mergedFunctionEnvironment(resolveSettings(overrides), {
      tableName: 'drift-files',
      workQueueUrl: 'http://127.0.0.1:9/000000000000/drift-work',
    });

    pipeline.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ BATCH_SIZE: '7' }),
      },
    });
    expect(local.BATCH_SIZE).toBe('7');
  });
});
