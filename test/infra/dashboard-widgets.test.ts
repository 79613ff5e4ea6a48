import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../lambdas/shared/metric-names.js';
import { findResource, synthesizePipeline } from './synthesize.js';

/** One graph of the dashboard body, with tokens written as text. */
interface GraphWidget {
  readonly title: string;
  readonly view: string;
  /** `[namespace, name, dimension, value, …, options]` per metric. */
  readonly metrics: readonly (readonly unknown[])[];
}

/** One metric line of a graph, with its options split off. */
interface GraphMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: readonly string[];
  readonly stat: string | undefined;
}

const functionIds = [
  'IngestApiIngestFunction',
  'SchedulesDispatcherFunction',
  'ProcessorFunction',
  'SchedulesDeleterFunction',
];

/**
 * Joins the `Fn::Join` of a dashboard body into JSON, writing each
 * `Ref` and `Fn::GetAtt` as `Ref(id)` and `GetAtt(id.attribute)`.
 */
function parseDashboardBody(body: unknown): { widgets: unknown[] } {
  const [, parts] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { Ref?: string; 'Fn::GetAtt'?: string[] };
      return token.Ref !== undefined
        ? `Ref(${token.Ref})`
        : `GetAtt(${token['Fn::GetAtt']?.join('.')})`;
    })
    .join('');

  return JSON.parse(text);
}

function graphMetrics(widget: GraphWidget): GraphMetric[] {
  return widget.metrics.map((line) => {
    const options = line.at(-1) as { stat?: string };
    const [namespace, name, ...dimensions] = line.slice(0, -1) as string[];
    return {
      namespace: namespace ?? '',
      name: name ?? '',
      dimensions,
      stat: options.stat,
    };
  });
}

describe('Construct: PipelineDashboard widgets', () => {
  let template: Template;
  let graphs: GraphWidget[];

  const graphTitled = (title: string): GraphWidget => {
    const graph = graphs.find((widget) => widget.title === title);
    if (graph === undefined) throw new Error(`no graph titled '${title}'`);
    return graph;
  };
  const logicalId = (type: string, idPart: string) =>
    findResource(template, type, idPart).logicalId;

  beforeAll(() => {
    template = synthesizePipeline().template;
    const dashboard = findResource(
      template,
      'AWS::CloudWatch::Dashboard',
      'Dashboard',
    );
    const { widgets } = parseDashboardBody(dashboard.properties.DashboardBody);
    graphs = widgets
      .filter((widget) => (widget as { type: string }).type === 'metric')
      .map((widget) => (widget as { properties: GraphWidget }).properties);
  });

  it('graphs the three file counters together as sums', () => {
    const graph = graphTitled('Files ingested, processed and deleted');

    expect(graph.view).toBe('timeSeries');
    expect(graphMetrics(graph)).toEqual(
      [
        MetricName.RawDataCount,
        MetricName.ProcessedDataCount,
        MetricName.DeletedDataCount,
      ].map((name) => ({
        namespace: 'DatafilePipeline',
        name,
        dimensions: ['service', 'datafile-pipeline'],
        stat: 'Sum',
      })),
    );
  });

  it('graphs the backlog gauges as maximums', () => {
    const graph = graphTitled('Age of the oldest file by status (seconds)');

    expect(graphMetrics(graph).map((metric) => metric.name)).toEqual([
      MetricName.OldestRawAgeSeconds,
      MetricName.OldestQueuedAgeSeconds,
      MetricName.OldestProcessedAgeSeconds,
    ]);
    for (const metric of graphMetrics(graph)) {
      expect(metric.stat).toBe('Maximum');
    }
  });

  it('graphs depth and oldest age of the work queue', () => {
    const workQueue = logicalId('AWS::SQS::Queue', 'WorkQueue');
    const dimensions = ['QueueName', `GetAtt(${workQueue}.QueueName)`];

    const depth = graphMetrics(graphTitled('Work queue messages'));
    const age = graphMetrics(
      graphTitled('Work queue age of oldest message (seconds)'),
    );

    expect(depth.map((metric) => metric.name)).toEqual([
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
    ]);
    expect(age.map((metric) => metric.name)).toEqual([
      'ApproximateAgeOfOldestMessage',
    ]);
    for (const metric of [...depth, ...age]) {
      expect(metric.dimensions).toEqual(dimensions);
      expect(metric.stat).toBe('Maximum');
    }
  });

  it('graphs the depth of the dead-letter queue', () => {
    const deadLetterQueue = logicalId('AWS::SQS::Queue', 'DeadLetterQueue');

    const metrics = graphMetrics(graphTitled('Dead-letter queue messages'));

    expect(metrics).toEqual([
      {
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: ['QueueName', `GetAtt(${deadLetterQueue}.QueueName)`],
        stat: 'Maximum',
      },
    ]);
  });

  it.each([
    ['Invocations', 'Function invocations', 'Sum'],
    ['Errors', 'Function errors', 'Sum'],
    ['Throttles', 'Function throttles', 'Sum'],
    ['Duration', 'Function duration p99 (ms)', 'p99'],
  ])('graphs Lambda %s of each function', (metricName, title, stat) => {
    const functions = functionIds.map((idPart) =>
      logicalId('AWS::Lambda::Function', idPart),
    );

    const metrics = graphMetrics(graphTitled(title));

    expect(metrics).toEqual(
      functions.map((id) => ({
        namespace: 'AWS/Lambda',
        name: metricName,
        dimensions: ['FunctionName', `Ref(${id})`],
        stat,
      })),
    );
  });

  it('graphs API errors beside rejected requests', () => {
    const metrics = graphMetrics(graphTitled('API requests and errors'));

    expect(metrics.map((metric) => metric.name)).toEqual([
      'Count',
      '4xx',
      '5xx',
      MetricName.IngestRejected,
    ]);
  });

  it('graphs API latency at p50 and p99', () => {
    const metrics = graphMetrics(graphTitled('API latency (ms)'));

    expect(metrics.map((metric) => [metric.name, metric.stat])).toEqual([
      ['Latency', 'p50'],
      ['Latency', 'p99'],
    ]);
  });
});
