import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../lambdas/shared/metric-names.js';
import { findResource, synthesizePipeline } from './synthesize.js';

const topicArn = 'arn:aws:sns:us-east-1:123456789012:pipeline-alarms';

describe('Construct: Observability', () => {
  let template: Template;
  let dashboardBody: string;

  beforeAll(() => {
    template = synthesizePipeline().template;
    const dashboard = findResource(
      template,
      'AWS::CloudWatch::Dashboard',
      'Dashboard',
    );
    dashboardBody = JSON.stringify(dashboard.properties.DashboardBody);
  });

  it('names the dashboard after service and stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'datafile-pipeline-dev',
    });
    template.hasOutput('DashboardName', {});
  });

  it.each(Object.values(MetricName))(
    'graphs the %s metric of the pipeline namespace',
    (metricName) => {
      expect(dashboardBody).toContain(
        `\\"DatafilePipeline\\",\\"${metricName}\\",\\"service\\",\\"datafile-pipeline\\"`,
      );
    },
  );

  it.each([
    'ApproximateNumberOfMessagesVisible',
    'ApproximateNumberOfMessagesNotVisible',
    'ApproximateAgeOfOldestMessage',
  ])('graphs the queue metric %s', (metricName) => {
    expect(dashboardBody).toContain(`\\"AWS/SQS\\",\\"${metricName}\\"`);
  });

  it.each(['Invocations', 'Errors', 'Throttles', 'Duration'])(
    'graphs %s of every function',
    (metricName) => {
      const lines = dashboardBody.split(`\\"AWS/Lambda\\",\\"${metricName}\\"`);

      expect(lines).toHaveLength(5);
    },
  );

  it.each(['Count', '4xx', '5xx', 'Latency'])(
    'graphs the API metric %s',
    (metricName) => {
      expect(dashboardBody).toContain(
        `\\"AWS/ApiGateway\\",\\"${metricName}\\"`,
      );
    },
  );

  it('creates ten alarms without actions by default', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 10);
    for (const alarm of Object.values(
      template.findResources('AWS::CloudWatch::Alarm'),
    )) {
      expect(alarm.Properties).not.toHaveProperty('AlarmActions');
    }
  });

  it('alarms when the dead-letter queue holds a message', () => {
    const deadLetterQueue = findResource(
      template,
      'AWS::SQS::Queue',
      'DeadLetterQueue',
    );

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'datafile-pipeline-dev-DeadLetterQueueNotEmpty',
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [deadLetterQueue.logicalId, 'QueueName'] },
        },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it.each([
    ['OldestRawAgeHigh', MetricName.OldestRawAgeSeconds, 600],
    ['OldestProcessedAgeHigh', MetricName.OldestProcessedAgeSeconds, 900],
  ])('alarms on %s', (alarmId, metricName, threshold) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `datafile-pipeline-dev-${alarmId}`,
      Namespace: 'DatafilePipeline',
      MetricName: metricName,
      Dimensions: [{ Name: 'service', Value: 'datafile-pipeline' }],
      Statistic: 'Maximum',
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on stuck files', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.FilesStuck,
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('alarms on errors of every function', () => {
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      },
      4,
    );
  });

  it('alarms when a scheduled function stops running', () => {
    template.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        Namespace: 'AWS/Lambda',
        MetricName: 'Invocations',
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      },
      2,
    );
  });

  it('follows the alarm threshold settings', () => {
    const { template: changed } = synthesizePipeline({
      oldestRawAgeAlarmSeconds: 1200,
      oldestProcessedAgeAlarmSeconds: 3600,
    });

    changed.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.OldestRawAgeSeconds,
      Threshold: 1200,
    });
    changed.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: MetricName.OldestProcessedAgeSeconds,
      Threshold: 3600,
    });
  });

  it('notifies alarmTopicArn on alarm and OK', () => {
    const { template: notifying } = synthesizePipeline({
      alarmTopicArn: topicArn,
    });

    notifying.resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      {
        AlarmActions: [topicArn],
        OKActions: [topicArn],
      },
      10,
    );
    notifying.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('uses one evaluation period per alarm', () => {
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      EvaluationPeriods: 1,
      AlarmDescription: Match.anyValue(),
    });
  });
});
