import { Validations } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { createTestApp, synthesizePipeline } from './synthesize.js';

/** Rule ids acknowledged anywhere under `scope`, each with its reason. */
function acknowledgedRules(scope: IConstruct): Map<string, string> {
  const rules = new Map<string, string>();
  for (const construct of scope.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data)) {
        rules.set(id, String(reason));
      }
    }
  }

  return rules;
}

describe('cdk-nag: AwsSolutions', () => {
  it.each(['iam', 'none'])(
    'finds nothing unacknowledged with apiAuthorization %s',
    (mode) => {
      const { stack } = synthesizePipeline({ apiAuthorization: mode });

      const report = new AwsSolutionsChecks().validateScope(stack);

      expect(report.violations).toEqual([]);
      expect(report.success).toBe(true);
    },
  );

  it('acknowledges only the documented findings, with reasons', () => {
    const { stack } = synthesizePipeline();

    const rules = acknowledgedRules(stack);

    expect([...rules.keys()].sort()).toEqual([
      'Annotation::AwsSolutions-IAM5[Resource::*]',
      'Annotation::AwsSolutions-L1',
    ]);
    for (const reason of rules.values()) {
      expect(reason.length).toBeGreaterThan(40);
    }
  });

  it('acknowledges APIG4 only when apiAuthorization is none', () => {
    const { stack } = synthesizePipeline({ apiAuthorization: 'none' });

    expect([...acknowledgedRules(stack).keys()]).toContain(
      'Annotation::AwsSolutions-APIG4',
    );
  });

  it('fails synthesis on a new finding', () => {
    const { app, stack } = createTestApp();
    new Queue(stack, 'UnencryptedQueue', {
      encryption: QueueEncryption.UNENCRYPTED,
      enforceSSL: true,
    });

    expect(() => app.synth()).toThrow(/AwsSolutions-SQS2/);
  });

  it('adds no warnings or errors to the stack', () => {
    const { stack } = synthesizePipeline();

    const annotations = Annotations.fromStack(stack);

    annotations.hasNoWarning('*', Match.anyValue());
    annotations.hasNoError('*', Match.anyValue());
  });
});
