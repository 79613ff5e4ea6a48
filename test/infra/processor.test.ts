import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

describe('Construct: Processor', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it('reads the work queue through one event source mapping', () => {
    const workQueue = findResource(template, 'AWS::SQS::Queue', 'WorkQueue');

    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [workQueue.logicalId, 'Arn'] },
    });
  });

  it('reports failed messages individually', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('uses the default batch size and maximum concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('has no reserved concurrency', () => {
    const processor = findResource(
      template,
      'AWS::Lambda::Function',
      'Processor',
    );

    expect(processor.properties).not.toHaveProperty(
      'ReservedConcurrentExecutions',
    );
  });

  it('follows processorBatchSize and processorMaxConcurrency', () => {
    const { template: changed } = synthesizePipeline({
      processorBatchSize: 4,
      processorMaxConcurrency: 3,
    });

    changed.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 4,
      ScalingConfig: { MaximumConcurrency: 3 },
    });
  });

  it('passes batchSize to the dispatcher, not the event source', () => {
    const { template: changed } = synthesizePipeline({ batchSize: 7 });

    changed.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ BATCH_SIZE: '7' }),
      },
    });
    changed.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
    });
  });
});
