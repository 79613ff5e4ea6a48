import { MetricName } from '#shared/metric-names.js';

/** Kind of a metric: a counter adds up its values, a gauge keeps the last. */
export type MetricKind = 'counter' | 'gauge';

/** One metric as the local runtime has added it up so far. */
export interface MetricReading {
  /** CloudWatch name, such as `RawDataCount`. */
  readonly name: MetricName;
  /** Prometheus name in snake case, such as `raw_data_count`. */
  readonly prometheusName: string;
  readonly kind: MetricKind;
  /** One-line description for the Prometheus `HELP` line. */
  readonly help: string;
  /** Sum of all values for a counter, latest value for a gauge. */
  readonly value: number;
  /** When a value last arrived, or undefined before the first one. */
  readonly updatedAt: Date | undefined;
}

const metricHelp: Record<MetricName, string> = {
  RawDataCount: 'Files stored with status raw by the ingest function.',
  ProcessedDataCount: 'Files moved from queued to processed.',
  DeletedDataCount: 'Files deleted after processing.',
  IngestRejected: 'Ingest requests rejected as invalid.',
  FilesClaimed: 'Files claimed from raw to queued by the dispatcher.',
  FilesRedispatched: 'Files sent again after their dispatch lease expired.',
  FilesReturnedToRaw: 'Files returned to raw because SQS rejected them.',
  FilesStuck: 'Files left queued after the maximum dispatch attempts.',
  FilesSentToDeadLetterQueue:
    'Files of messages that failed their last receive before the DLQ.',
  MessagesFailed: 'Messages the processor reported as failed.',
  OldestRawAgeSeconds: 'Age of the oldest raw file, in seconds.',
  OldestQueuedAgeSeconds: 'Age of the oldest queued file, in seconds.',
  OldestProcessedAgeSeconds: 'Age of the oldest processed file, in seconds.',
  LockAcquired: 'Deleter runs that took the lock.',
  LockContended: 'Deleter runs that found the lock held and exited.',
};

interface MetricState {
  value: number;
  updatedAt: Date | undefined;
}

/**
 * Adds up the metrics that the handlers publish as CloudWatch Embedded
 * Metric Format (EMF) documents, so they can be read without CloudWatch.
 * Only the metrics of `MetricName` in the given namespace count.
 */
export class MetricsStore {
  readonly #namespace: string;
  readonly #states = new Map<MetricName, MetricState>();

  /** @param namespace - CloudWatch namespace the handlers publish to. */
  constructor(namespace: string) {
    this.#namespace = namespace;
    for (const name of Object.values(MetricName)) {
      this.#states.set(name, { value: 0, updatedAt: undefined });
    }
  }

  /**
   * Adds the values of one EMF document. Anything that is not an EMF
   * document of this namespace is ignored.
   */
  recordEmfDocument(document: unknown): void {
    for (const name of metricNamesIn(document, this.#namespace)) {
      const values = valuesOf((document as Record<string, unknown>)[name]);
      const state = this.#states.get(name);
      const last = values.at(-1);
      if (state === undefined || last === undefined) continue;
      state.value =
        kindOf(name) === 'gauge'
          ? last
          : values.reduce((sum, value) => sum + value, state.value);
      state.updatedAt = new Date();
    }
  }

  /** Returns every known metric, in the order of `MetricName`. */
  read(): MetricReading[] {
    return Object.values(MetricName).map((name) => {
      const state = this.#states.get(name);
      return {
        name,
        prometheusName: toSnakeCase(name),
        kind: kindOf(name),
        help: metricHelp[name],
        value: state?.value ?? 0,
        updatedAt: state?.updatedAt,
      };
    });
  }
}

/**
 * Parses one output line as an EMF document.
 *
 * @returns the document, or undefined when the line is not JSON with an
 *   `_aws` key.
 */
export function parseEmfLine(line: string): unknown {
  const text = line.trim();
  if (!text.startsWith('{') || !text.includes('"_aws"')) return undefined;
  try {
    const document: unknown = JSON.parse(text);
    return isRecord(document) && isRecord(document._aws) ? document : undefined;
  } catch {
    return undefined;
  }
}

function metricNamesIn(document: unknown, namespace: string): MetricName[] {
  if (!isRecord(document) || !isRecord(document._aws)) return [];
  const directives = document._aws.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [];
  const known = new Set<string>(Object.values(MetricName));
  const names = new Set<MetricName>();
  for (const directive of directives) {
    if (!isRecord(directive) || directive.Namespace !== namespace) continue;
    const metrics = Array.isArray(directive.Metrics) ? directive.Metrics : [];
    for (const metric of metrics) {
      const name: unknown = isRecord(metric) ? metric.Name : undefined;
      if (typeof name === 'string' && known.has(name)) {
        names.add(name as MetricName);
      }
    }
  }

  return [...names];
}

/** EMF stores one value as a number and several as an array of numbers. */
function valuesOf(raw: unknown): number[] {
  const list = Array.isArray(raw) ? raw : [raw];

  return list.filter(
    (value): value is number =>
      typeof value === 'number' && Number.isFinite(value),
  );
}

function kindOf(name: MetricName): MetricKind {
  return name.endsWith('AgeSeconds') ? 'gauge' : 'counter';
}

function toSnakeCase(name: string): string {
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, '_$1').toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
