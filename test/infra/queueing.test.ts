import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

describe('Construct: Queueing', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it('encrypts both queues with SSE-SQS', () => {
    template.resourcePropertiesCountIs(
      'AWS::SQS::Queue',
      { SqsManagedSseEnabled: true },
      2,
    );
  });

  it('denies requests without TLS on both queues', () => {
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 'sqs:*',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      },
      2,
    );
  });

  it('moves messages to the DLQ after maxReceiveCount receives', () => {
    const deadLetterQueue = findResource(
      template,
      'AWS::SQS::Queue',
      'DeadLetterQueue',
    );

    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [deadLetterQueue.logicalId, 'Arn'],
        },
        maxReceiveCount: 5,
      },
    });
  });

  it('keeps dead letters for 14 days', () => {
    const deadLetterQueue = findResource(
      template,
      'AWS::SQS::Queue',
      'DeadLetterQueue',
    );

    expect(deadLetterQueue.properties.MessageRetentionPeriod).toBe(
      14 * 24 * 3600,
    );
  });

  it('sets visibility to six processor timeouts', () => {
    const workQueue = findResource(template, 'AWS::SQS::Queue', 'WorkQueue');
    const processor = findResource(
      template,
      'AWS::Lambda::Function',
      'Processor',
    );

    expect(processor.properties.Timeout).toBe(30);
    expect(workQueue.properties.VisibilityTimeout).toBe(6 * 30);
  });

  it('follows maxReceiveCount and processorTimeoutSeconds', () => {
    const { template: changed } = synthesizePipeline({
      maxReceiveCount: 8,
      processorTimeoutSeconds: 20,
    });

    changed.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 8 }),
      VisibilityTimeout: 120,
    });
  });
});
