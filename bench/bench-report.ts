import type { FunctionBundle } from './bundle/bundle-functions.js';
import type { CostBreakdown, UsagePerFile } from './cost/cost.js';
import type {
  CallerCapacity,
  IdleRunProfile,
  OperationRate,
} from './cost/usage.js';
import type { DrainResult } from './run/child-protocol.js';
import type { IngestRun } from './run/ingest-load.js';

/** Everything measured for one variant. */
export interface VariantReport {
  readonly bundles: readonly FunctionBundle[];
  readonly ingest: readonly IngestRun[];
  readonly drain: DrainResult;
  readonly drainFilesPerSecond: number | undefined;
  readonly invariantsHold: boolean;
  readonly requestsPer1000Files: readonly OperationRate[];
  readonly usagePerFile: UsagePerFile;
  readonly capacityPerFile: readonly CallerCapacity[];
  readonly idleRuns: readonly IdleRunProfile[];
  readonly costPerMillionFiles: CostBreakdown;
}

/** One row of the printed comparison. */
interface Row {
  readonly label: string;
  readonly ours: number | undefined;
  readonly baseline: number | undefined;
  readonly digits: number;
}

/**
 * Formats the side-by-side table of the pipeline and the baseline, with
 * the ratio baseline / pipeline, in 80 columns.
 */
export function formatComparison(
  ours: VariantReport,
  baseline: VariantReport | undefined,
): string {
  const rows = comparisonRows(ours, baseline);
  const header = `${'figure (ratio = baseline / ours)'.padEnd(38)}${'ours'.padStart(13)}${'baseline'.padStart(13)}${'ratio'.padStart(10)}`;
  const lines = [header, '-'.repeat(header.length)];
  for (const row of rows) {
    if (row.ours === undefined && row.baseline === undefined) {
      lines.push(row.label);
      continue;
    }
    const ratio =
      row.ours !== undefined && row.baseline !== undefined && row.ours !== 0
        ? `${(row.baseline / row.ours).toFixed(2)}x`
        : '';
    lines.push(
      `${row.label.padEnd(38)}${format(row.ours, row.digits).padStart(13)}${format(row.baseline, row.digits).padStart(13)}${ratio.padStart(10)}`,
    );
  }

  return lines.join('\n');
}

function comparisonRows(
  ours: VariantReport,
  baseline: VariantReport | undefined,
): Row[] {
  const row = (
    label: string,
    pick: (report: VariantReport) => number | undefined,
    digits = 1,
  ): Row => ({
    label,
    ours: pick(ours),
    baseline: baseline && pick(baseline),
    digits,
  });
  const heading = (label: string): Row => ({
    label,
    ours: undefined,
    baseline: undefined,
    digits: 0,
  });
  const ingestRows = ours.ingest.flatMap((run, index) => [
    heading(`Ingest, ${run.filesPerRequest} files per request`),
    row('  files/s', (r) => r.ingest[index]?.filesPerSecond, 0),
    row('  latency p50 ms', (r) => r.ingest[index]?.latencyMs.p50, 1),
    row('  latency p99 ms', (r) => r.ingest[index]?.latencyMs.p99, 1),
  ]);
  const seconds = (report: VariantReport) =>
    report.drain.timings && report.drain.timings.deletedMs / 1000;

  return [
    ...ingestRows,
    heading(`Drain of ${ours.drain.files} files`),
    row('  seconds to all deleted', seconds, 1),
    row('  files/s', (r) => r.drainFilesPerSecond, 0),
    row(
      '  processed = deleted = ingested (1 = yes)',
      (r) => (r.invariantsHold ? 1 : 0),
      0,
    ),
    heading('Per 1,000 files'),
    row('  DynamoDB requests', (r) => serviceRate(r, 'DynamoDB'), 1),
    row('  SQS requests', (r) => serviceRate(r, 'SQS'), 1),
    row(
      '  Lambda invocations',
      (r) => r.usagePerFile.lambdaInvocations * 1000,
      2,
    ),
    row(
      '  DynamoDB write units',
      (r) => r.usagePerFile.dynamoDbWriteUnits * 1000,
      0,
    ),
    row(
      '  DynamoDB read units',
      (r) => r.usagePerFile.dynamoDbReadUnits * 1000,
      1,
    ),
    row('  EMF documents', (r) => emfPerThousand(r), 1),
    row('  log KiB', (r) => (r.usagePerFile.logBytes * 1000) / 1024, 1),
    heading('USD per million files'),
    ...ours.costPerMillionFiles.lines.map((line, index) =>
      row(`  ${line.item}`, (r) => r.costPerMillionFiles.lines[index]?.usd, 3),
    ),
    row('  total', (r) => r.costPerMillionFiles.totalUsd, 3),
    heading('Bundles (KiB) and cold init (ms)'),
    ...ours.bundles.flatMap((bundle, index) => [
      row(
        `  ${bundle.role} .mjs KiB`,
        (r) => kib(r.bundles[index]?.bundleBytes),
        0,
      ),
      row(
        `  ${bundle.role} .map KiB`,
        (r) => kib(r.bundles[index]?.sourceMapBytes),
        0,
      ),
      row(
        `  ${bundle.role} init median ms`,
        (r) => r.bundles[index]?.initMedianMs,
        1,
      ),
    ]),
  ];
}

function serviceRate(report: VariantReport, service: string): number {
  return report.requestsPer1000Files
    .filter((rate) => rate.service === service)
    .reduce((sum, rate) => sum + rate.per1000Files, 0);
}

function emfPerThousand(report: VariantReport): number {
  const documents = Object.values(report.drain.recorded.work.output).reduce(
    (sum, output) => sum + (output?.emfDocuments ?? 0),
    0,
  );

  return (documents * 1000) / report.drain.files;
}

function kib(bytes: number | undefined): number | undefined {
  return bytes === undefined ? undefined : bytes / 1024;
}

function format(value: number | undefined, digits: number): string {
  if (value === undefined) return '-';

  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** Formats the requests per 1,000 files by operation, for both variants. */
export function formatRequestRates(
  ours: VariantReport,
  baseline: VariantReport | undefined,
): string {
  const keys = new Set(
    [
      ...ours.requestsPer1000Files,
      ...(baseline?.requestsPer1000Files ?? []),
    ].map((rate) => `${rate.service} ${rate.operation}`),
  );
  const rate = (report: VariantReport | undefined, key: string) =>
    report?.requestsPer1000Files.find(
      (candidate) => `${candidate.service} ${candidate.operation}` === key,
    )?.per1000Files ?? 0;
  const lines = [
    `${'requests per 1,000 files'.padEnd(38)}${'ours'.padStart(13)}${'baseline'.padStart(13)}`,
  ];
  for (const key of keys) {
    lines.push(
      `${`  ${key}`.padEnd(38)}${format(rate(ours, key), 1).padStart(13)}${(baseline ? format(rate(baseline, key), 1) : '-').padStart(13)}`,
    );
  }

  return lines.join('\n');
}
