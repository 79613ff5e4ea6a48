import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MetricName } from '../lambdas/shared/metric-names.js';
import type { FunctionRole } from './environment.js';
import { createPipelineMetric } from './pipeline-metrics.js';
import type { PipelineSettings } from './settings.js';

/** Properties of {@link PipelineAlarms}. */
export interface PipelineAlarmsProps {
  readonly settings: PipelineSettings;
  readonly functions: Readonly<Record<FunctionRole, IFunction>>;
  readonly deadLetterQueue: IQueue;
}

type AlarmSpec = {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparison: ComparisonOperator;
  readonly description: string;
  /** @default TreatMissingData.NOT_BREACHING */
  readonly treatMissingData?: TreatMissingData;
};

const atLeast = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const above = ComparisonOperator.GREATER_THAN_THRESHOLD;
const below = ComparisonOperator.LESS_THAN_THRESHOLD;

/**
 * Alarms on the signs that files are piling up or at risk: a non-empty
 * dead-letter queue, old `raw` or `processed` files, stuck files,
 * function errors and scheduled functions that stopped running. Each
 * alarm notifies the `alarmTopicArn` topic when that setting is given.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  private readonly settings: PipelineSettings;
  private readonly action: IAlarmAction | undefined;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    this.settings = props.settings;
    const topicArn = props.settings.alarmTopicArn;
    this.action = topicArn
      ? new SnsAction(Topic.fromTopicArn(this, 'AlarmTopic', topicArn))
      : undefined;

    this.addBacklogAlarms(props.deadLetterQueue);
    for (const [role, fn] of Object.entries(props.functions)) {
      this.addAlarm(`${pascalCase(role)}Errors`, {
        metric: fn.metricErrors({ period: Duration.minutes(5) }),
        threshold: 1,
        comparison: atLeast,
        description: `The ${role} function failed. See its log group.`,
      });
    }
    this.addNotRunningAlarm('dispatcher', props.functions.dispatcher);
    this.addNotRunningAlarm('deleter', props.functions.deleter);
  }

  private addBacklogAlarms(deadLetterQueue: IQueue): void {
    const { settings } = this;
    this.addAlarm('DeadLetterQueueNotEmpty', {
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: Stats.MAXIMUM,
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparison: atLeast,
      description:
        'Messages reached the dead-letter queue after maxReceiveCount ' +
        'receives. Read them for the cause. The dispatcher sends their ' +
        'files again once the dispatch lease ends.',
    });
    this.addAlarm('OldestRawAgeHigh', {
      metric: createPipelineMetric(settings, MetricName.OldestRawAgeSeconds),
      threshold: settings.oldestRawAgeAlarmSeconds,
      comparison: above,
      description:
        'Raw files wait longer than oldestRawAgeAlarmSeconds: the ' +
        'dispatcher or the processor falls behind.',
    });
    this.addAlarm('OldestProcessedAgeHigh', {
      metric: createPipelineMetric(
        settings,
        MetricName.OldestProcessedAgeSeconds,
      ),
      threshold: settings.oldestProcessedAgeAlarmSeconds,
      comparison: above,
      description:
        'Processed files wait longer than oldestProcessedAgeAlarmSeconds: ' +
        'the deleter falls behind or cannot take the lock.',
    });
    this.addAlarm('FilesStuck', {
      metric: createPipelineMetric(settings, MetricName.FilesStuck),
      threshold: 1,
      comparison: atLeast,
      description:
        'Files stayed queued after maxDispatchAttempts dispatches and ' +
        'need an operator.',
    });
  }

  /**
   * Alarms when a scheduled function was not invoked for two schedule
   * intervals (at least five minutes). A function that does not run
   * publishes no age gauges, and the age alarms treat missing data as
   * not breaching, so they would stay quiet.
   */
  private addNotRunningAlarm(
    role: 'dispatcher' | 'deleter',
    fn: IFunction,
  ): void {
    const rateMinutes =
      role === 'dispatcher'
        ? this.settings.dispatchRateMinutes
        : this.settings.deleteRateMinutes;
    this.addAlarm(`${pascalCase(role)}NotRunning`, {
      metric: fn.metricInvocations({
        period: Duration.minutes(Math.max(5, rateMinutes * 2)),
      }),
      threshold: 1,
      comparison: below,
      treatMissingData: TreatMissingData.BREACHING,
      description: `The ${role} schedule did not invoke the function.`,
    });
  }

  private addAlarm(id: string, spec: AlarmSpec): void {
    const { serviceName, stageName } = this.settings;
    const alarm = new Alarm(this, id, {
      alarmName: `${serviceName}-${stageName}-${id}`,
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: 1,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
    });
    if (this.action) {
      alarm.addAlarmAction(this.action);
      alarm.addOkAction(this.action);
    }
    this.alarms.push(alarm);
  }
}

function pascalCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
