import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IngestApi } from './ingest-api.js';
import { Observability } from './observability.js';
import { Processor } from './processor.js';
import { Queueing } from './queueing.js';
import { Schedules } from './schedules.js';
import type { PipelineSettings } from './settings.js';
import { Storage } from './storage.js';

/** Properties of {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** Validated settings, as returned by `resolveSettings`. */
  readonly settings: PipelineSettings;
}

/**
 * The whole pipeline in one stack: table, queues, ingest API, processor,
 * scheduled dispatcher and deleter, dashboard and alarms.
 */
export class PipelineStack extends Stack {
  readonly storage: Storage;
  readonly queueing: Queueing;
  readonly ingestApi: IngestApi;
  readonly processor: Processor;
  readonly schedules: Schedules;
  readonly observability: Observability;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.storage = new Storage(this, 'Storage', { settings });
    this.queueing = new Queueing(this, 'Queueing', { settings });
    const resources = {
      settings,
      table: this.storage.table,
      workQueue: this.queueing.workQueue,
    };
    this.ingestApi = new IngestApi(this, 'IngestApi', resources);
    this.processor = new Processor(this, 'Processor', resources);
    this.schedules = new Schedules(this, 'Schedules', resources);
    this.observability = new Observability(this, 'Observability', {
      settings,
      functions: {
        ingest: this.ingestApi.ingest.function,
        dispatcher: this.schedules.dispatcher.function.function,
        processor: this.processor.processor.function,
        deleter: this.schedules.deleter.function.function,
      },
      workQueue: this.queueing.workQueue,
      deadLetterQueue: this.queueing.deadLetterQueue,
      httpApi: this.ingestApi.httpApi,
    });
    this.addOutputs();
  }

  private addOutputs(): void {
    new CfnOutput(this, 'ApiUrl', {
      description: 'Base URL of the ingest API',
      value: this.ingestApi.stage.url,
    });
    new CfnOutput(this, 'TableName', {
      description: 'Name of the data file table',
      value: this.storage.table.tableName,
    });
    new CfnOutput(this, 'WorkQueueUrl', {
      description: 'URL of the work queue',
      value: this.queueing.workQueue.queueUrl,
    });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      description: 'URL of the dead-letter queue',
      value: this.queueing.deadLetterQueue.queueUrl,
    });
    new CfnOutput(this, 'DashboardName', {
      description: 'Name of the CloudWatch dashboard',
      value: this.observability.dashboard.dashboardName,
    });
  }
}
