import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PipelineFunction } from './pipeline-function.js';
import type { PipelineSettings } from './settings.js';
import { grantTableItemActions } from './table-access.js';

/** Properties of {@link Processor}. */
export interface ProcessorProps {
  readonly settings: PipelineSettings;
  readonly table: ITable;
  readonly workQueue: IQueue;
}

/**
 * The processor function and its SQS event source, which reports failed
 * messages one by one (`ReportBatchItemFailures`).
 *
 * Concurrency is limited by the event source's maximum concurrency and not
 * by reserved concurrency: throttled deliveries count as receives, so a
 * reserved concurrency below the poller's would push messages that were
 * never processed into the dead-letter queue.
 */
export class Processor extends Construct {
  readonly processor: PipelineFunction;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ProcessorProps) {
    super(scope, id);
    const { settings, table } = props;

    this.processor = new PipelineFunction(this, 'Processor', {
      role: 'processor',
      settings,
      table,
      workQueue: props.workQueue,
      timeout: Duration.seconds(settings.processorTimeoutSeconds),
      description: 'Marks the files of each SQS message as processed',
    });
    grantTableItemActions(this.processor.function, table, [
      'UpdateItem',
      'GetItem',
    ]);

    this.eventSource = new SqsEventSource(props.workQueue, {
      batchSize: settings.processorBatchSize,
      maxConcurrency: settings.processorMaxConcurrency,
      reportBatchItemFailures: true,
    });
    this.processor.function.addEventSource(this.eventSource);
  }
}
