import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toRemovalPolicy } from './removal-policy.js';
import type { PipelineSettings } from './settings.js';

/**
 * The work queue's visibility timeout is this many processor timeouts.
 * The Lambda guide to SQS event sources recommends at least six, so that
 * Lambda can retry a batch that was throttled before it becomes visible.
 */
export const visibilityTimeoutFactor = 6;

/** Properties of {@link Queueing}. */
export interface QueueingProps {
  readonly settings: PipelineSettings;
}

/**
 * The work queue that carries batches of file ids from the dispatcher to
 * the processor, and its dead-letter queue. Both use SSE-SQS encryption
 * and reject requests that do not use TLS.
 */
export class Queueing extends Construct {
  readonly workQueue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueingProps) {
    super(scope, id);
    const { settings } = props;
    const removalPolicy: RemovalPolicy = toRemovalPolicy(
      settings.removalPolicy,
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    this.workQueue = new Queue(this, 'WorkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(
        settings.processorTimeoutSeconds * visibilityTimeoutFactor,
      ),
      // The SQS default, stated so it is explicit. A file whose message
      // expires stays `queued` until the dispatcher sends it again after
      // its dispatch lease, or reports it as stuck.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: settings.maxReceiveCount,
      },
      removalPolicy,
    });
  }
}
