import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { toRemovalPolicy } from './removal-policy.js';
import {
  deadLetterRetentionSeconds,
  type PipelineSettings,
  visibilityTimeoutSeconds,
} from './settings.js';

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
      retentionPeriod: Duration.seconds(deadLetterRetentionSeconds),
      removalPolicy,
    });
    this.workQueue = new Queue(this, 'WorkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(settings)),
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
