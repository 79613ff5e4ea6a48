import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionRole } from './environment.js';
import { PipelineAlarms } from './pipeline-alarms.js';
import { PipelineDashboard } from './pipeline-dashboard.js';
import type { PipelineSettings } from './settings.js';

/** Properties of {@link Observability}. */
export interface ObservabilityProps {
  readonly settings: PipelineSettings;
  readonly functions: Readonly<Record<FunctionRole, IFunction>>;
  readonly workQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly httpApi: IHttpApi;
}

/**
 * The CloudWatch dashboard and alarms of the pipeline. They combine the
 * handlers' metrics, which Powertools publishes in the settings'
 * namespace with the single dimension `service`, with the AWS metrics of
 * the queues, the functions and the API.
 */
export class Observability extends Construct {
  readonly dashboard: Dashboard;
  readonly alarms: PipelineAlarms;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);

    this.alarms = new PipelineAlarms(this, 'Alarms', props);
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      ...props,
      alarms: this.alarms.alarms,
    }).dashboard;
  }
}
