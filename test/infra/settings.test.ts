import { describe, expect, it } from 'vitest';
import { defaultSettings, resolveSettings } from '../../lib/settings.js';
import { createTestApp } from './synthesize.js';

describe('Function: resolveSettings', () => {
  it('returns the defaults without overrides', () => {
    expect(resolveSettings()).toEqual(defaultSettings);
  });

  it('accepts numbers given as strings, as cdk -c passes them', () => {
    const settings = resolveSettings({ maxReceiveCount: '8' });

    expect(settings.maxReceiveCount).toBe(8);
  });

  it('accepts an SNS topic ARN for alarms', () => {
    const arn = 'arn:aws:sns:eu-west-1:123456789012:alarms';

    expect(resolveSettings({ alarmTopicArn: arn }).alarmTopicArn).toBe(arn);
  });

  it.each([
    [
      { removalPolicy: 'keep' },
      "removalPolicy must be one of retain, destroy, got 'keep'",
    ],
    [
      { apiAuthorization: 'cognito' },
      "apiAuthorization must be one of iam, none, got 'cognito'",
    ],
    [
      { logRetentionDays: 10 },
      'logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got 10',
    ],
    [
      { stageName: 'my stage' },
      "stageName must start with a letter and contain only letters, digits and hyphens, got 'my stage'",
    ],
    [
      { alarmTopicArn: 'alarms' },
      "alarmTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got 'alarms'",
    ],
    [
      { ingestTimeoutSeconds: 30 },
      'ingestTimeoutSeconds must be at most 29 because HTTP API integrations time out after 30 seconds, got 30',
    ],
    [
      { deleteRateMinutes: 721, oldestProcessedAgeAlarmSeconds: 90_000 },
      'deleteRateMinutes must be at most 720, got 721',
    ],
    [
      { oldestRawAgeAlarmSeconds: 60 },
      'oldestRawAgeAlarmSeconds must be greater than dispatchRateMinutes in seconds (60), got 60',
    ],
    [
      { deleteRateMinutes: 20 },
      'oldestProcessedAgeAlarmSeconds must be greater than deleteRateMinutes in seconds (1200), got 900',
    ],
    [
      { processorBatchSize: 11 },
      'processorBatchSize must be at most 10, got 11',
    ],
    [
      { maxReceiveCount: 0 },
      "maxReceiveCount must be a positive integer, got '0'",
    ],
    [
      { apiThrottleRateLimit: 'fast' },
      "apiThrottleRateLimit must be a positive integer, got 'fast'",
    ],
    [{ batchSzie: 5 }, "unknown setting 'batchSzie'"],
  ])('rejects %o', (overrides, problem) => {
    expect(() => resolveSettings(overrides)).toThrow(
      `Invalid pipeline settings:\n${problem}`,
    );
  });

  it('lists every problem at once, one per line', () => {
    expect(() =>
      resolveSettings({ removalPolicy: 'keep', processorBatchSize: 11 }),
    ).toThrow(
      [
        'Invalid pipeline settings:',
        "removalPolicy must be one of retain, destroy, got 'keep'",
        'processorBatchSize must be at most 10, got 11',
      ].join('\n'),
    );
  });
});

describe('Function: createPipelineApp', () => {
  it('rejects a misspelt setting in the context', () => {
    expect(() => createTestApp({ batchSzie: 5 })).toThrow(
      "Invalid pipeline settings:\nunknown setting 'batchSzie'",
    );
  });

  it('names the stack after the stage', () => {
    const { stack } = createTestApp({ stageName: 'prod' });

    expect(stack.stackName).toBe('DatafilePipeline-prod');
  });
});
