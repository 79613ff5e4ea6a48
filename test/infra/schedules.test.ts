import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

describe('Construct: Schedules', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it.each(['SchedulesDispatcherFunction', 'SchedulesDeleterFunction'])(
    'invokes %s every minute without retries',
    (functionId) => {
      const fn = findResource(template, 'AWS::Lambda::Function', functionId);

      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [fn.logicalId, 'Arn'] },
          RetryPolicy: {
            MaximumRetryAttempts: 0,
            MaximumEventAgeInSeconds: 60,
          },
        }),
      });
    },
  );

  it.each(['SchedulesDispatcherFunction', 'SchedulesDeleterFunction'])(
    'runs %s one at a time',
    (functionId) => {
      const fn = findResource(template, 'AWS::Lambda::Function', functionId);

      expect(fn.properties.ReservedConcurrentExecutions).toBe(1);
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        FunctionName: { Ref: fn.logicalId },
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    },
  );

  it('lets each scheduler role invoke only the unqualified function', () => {
    const policies = Object.entries(
      template.findResources('AWS::IAM::Policy'),
    ).filter(([logicalId]) => logicalId.startsWith('SchedulerRole'));

    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: {
            'Fn::GetAtt': [expect.stringMatching(/^Schedules/), 'Arn'],
          },
        },
      ]);
    }
  });

  it('follows the rate settings', () => {
    const { template: changed } = synthesizePipeline({
      dispatchRateMinutes: 5,
      deleteRateMinutes: 15,
      oldestProcessedAgeAlarmSeconds: 1800,
    });

    changed.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(5 minutes)',
      Target: Match.objectLike({
        RetryPolicy: Match.objectLike({ MaximumEventAgeInSeconds: 300 }),
      }),
    });
    changed.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
    });
  });

  it('caps the event age at six hours for long intervals', () => {
    const { template: changed } = synthesizePipeline({
      deleteRateMinutes: 720,
      oldestProcessedAgeAlarmSeconds: 86_400,
    });

    changed.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumEventAgeInSeconds: 21_600,
    });
  });
});
