import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  type IWidget,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../lambdas/shared/metric-names.js';
import type { FunctionRole } from './environment.js';
import { createPipelineMetric } from './pipeline-metrics.js';
import type { PipelineSettings } from './settings.js';

/** Properties of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  readonly settings: PipelineSettings;
  readonly functions: Readonly<Record<FunctionRole, IFunction>>;
  readonly workQueue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly httpApi: IHttpApi;
  readonly alarms: readonly Alarm[];
}

const period = Duration.minutes(5);

/**
 * The operator's dashboard, top to bottom: alarm states, the file
 * counters and backlog ages, dispatch and lock details, the queues, the
 * functions and the API.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const { settings } = props;
    const metrics = (names: readonly MetricName[]): IMetric[] =>
      names.map((name) => createPipelineMetric(settings, name, period));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${settings.serviceName}-${settings.stageName}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...props.alarms],
        width: 24,
      }),
    );
    this.dashboard.addWidgets(
      graph(
        'Files ingested, processed and deleted',
        12,
        metrics([
          MetricName.RawDataCount,
          MetricName.ProcessedDataCount,
          MetricName.DeletedDataCount,
        ]),
      ),
      graph(
        'Age of the oldest file by status (seconds)',
        12,
        metrics([
          MetricName.OldestRawAgeSeconds,
          MetricName.OldestQueuedAgeSeconds,
          MetricName.OldestProcessedAgeSeconds,
        ]),
      ),
    );
    this.dashboard.addWidgets(
      graph(
        'Dispatcher',
        8,
        metrics([
          MetricName.FilesClaimed,
          MetricName.FilesRedispatched,
          MetricName.FilesReturnedToRaw,
        ]),
      ),
      graph(
        'Files at risk',
        8,
        metrics([
          MetricName.FilesStuck,
          MetricName.FilesSentToDeadLetterQueue,
          MetricName.MessagesFailed,
        ]),
      ),
      graph(
        'Deleter lock',
        8,
        metrics([MetricName.LockAcquired, MetricName.LockContended]),
      ),
    );
    this.dashboard.addWidgets(...queueWidgets(props));
    this.dashboard.addWidgets(...functionWidgets(props.functions));
    this.dashboard.addWidgets(
      ...apiWidgets(props.httpApi, metrics([MetricName.IngestRejected])),
    );
  }
}

function graph(title: string, width: number, left: IMetric[]): GraphWidget {
  return new GraphWidget({ title, width, height: 6, left });
}

function queueWidgets(props: PipelineDashboardProps): IWidget[] {
  const { workQueue, deadLetterQueue } = props;

  return [
    graph('Work queue messages', 8, [
      workQueue.metricApproximateNumberOfMessagesVisible({
        label: 'Visible',
        statistic: Stats.MAXIMUM,
        period,
      }),
      workQueue.metricApproximateNumberOfMessagesNotVisible({
        label: 'In flight',
        statistic: Stats.MAXIMUM,
        period,
      }),
    ]),
    graph('Work queue age of oldest message (seconds)', 8, [
      workQueue.metricApproximateAgeOfOldestMessage({
        label: 'Age of oldest message',
        statistic: Stats.MAXIMUM,
        period,
      }),
    ]),
    graph('Dead-letter queue messages', 8, [
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        label: 'Visible',
        statistic: Stats.MAXIMUM,
        period,
      }),
    ]),
  ];
}

function functionWidgets(
  functions: Readonly<Record<FunctionRole, IFunction>>,
): IWidget[] {
  const entries = Object.entries(functions);
  const perFunction = (
    select: (fn: IFunction, label: string) => IMetric,
  ): IMetric[] => entries.map(([role, fn]) => select(fn, role));

  return [
    graph(
      'Function invocations',
      6,
      perFunction((fn, label) => fn.metricInvocations({ label, period })),
    ),
    graph(
      'Function errors',
      6,
      perFunction((fn, label) => fn.metricErrors({ label, period })),
    ),
    graph(
      'Function throttles',
      6,
      perFunction((fn, label) => fn.metricThrottles({ label, period })),
    ),
    graph(
      'Function duration p99 (ms)',
      6,
      perFunction((fn, label) =>
        fn.metricDuration({ label, statistic: Stats.p(99), period }),
      ),
    ),
  ];
}

function apiWidgets(httpApi: IHttpApi, rejected: IMetric[]): IWidget[] {
  return [
    graph('API requests and errors', 12, [
      httpApi.metricCount({ label: 'Requests', statistic: Stats.SUM, period }),
      httpApi.metricClientError({ label: '4xx', period }),
      httpApi.metricServerError({ label: '5xx', period }),
      ...rejected,
    ]),
    graph('API latency (ms)', 12, [
      httpApi.metricLatency({ label: 'p50', statistic: Stats.p(50), period }),
      httpApi.metricLatency({ label: 'p99', statistic: Stats.p(99), period }),
    ]),
  ];
}
