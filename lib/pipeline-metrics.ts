import { Duration } from 'aws-cdk-lib';
import { Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import { MetricName } from '../lambdas/shared/metric-names.js';
import type { PipelineSettings } from './settings.js';

/** Metrics that sample an age and are read as the period's maximum. */
const gaugeMetrics = [
  MetricName.OldestRawAgeSeconds,
  MetricName.OldestQueuedAgeSeconds,
  MetricName.OldestProcessedAgeSeconds,
] as const;

/**
 * Creates a metric as the handlers publish it through Powertools, in the
 * settings' namespace with the `service` dimension that Powertools sets
 * to the service name. Counters are summed and gauges read as the
 * maximum, over `period` (five minutes by default).
 */
export function createPipelineMetric(
  settings: PipelineSettings,
  metricName: MetricName,
  period: Duration = Duration.minutes(5),
): Metric {
  const isGauge = (gaugeMetrics as readonly MetricName[]).includes(metricName);

  return new Metric({
    namespace: settings.metricsNamespace,
    metricName,
    dimensionsMap: { service: settings.serviceName },
    statistic: isGauge ? Stats.MAXIMUM : Stats.SUM,
    period,
  });
}
