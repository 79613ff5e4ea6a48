import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type BenchOptions,
  benchHelp,
  parseBenchOptions,
} from './bench-options.js';
import {
  formatComparison,
  formatRequestRates,
  type VariantReport,
} from './bench-report.js';
import { measureBundles } from './bundle/bundle-functions.js';
import { costPerMillionFiles, type PriceTable } from './cost/cost.js';
import {
  capacityPerFile,
  idleUsagePerRun,
  requestRates,
  usagePerFile,
} from './cost/usage.js';
import { runIngestLoad } from './run/ingest-load.js';
import { invariantsHold } from './run/invariants.js';
import { runDrainChild } from './run/spawn-child.js';
import type { Variant } from './run/variant-handlers.js';

const benchDirectory = fileURLToPath(new URL('.', import.meta.url));
const outputDirectory = fileURLToPath(
  new URL('../bench-output/', import.meta.url),
);

/** Entry files of each variant's functions, relative to the project. */
const entries = {
  pipeline: {
    ingest: 'lambdas/ingest.ts',
    dispatcher: 'lambdas/dispatcher.ts',
    processor: 'lambdas/processor.ts',
    deleter: 'lambdas/deleter.ts',
  },
  naive: {
    ingest: 'bench/naive/ingest.ts',
    dispatcher: 'bench/naive/dispatcher.ts',
    processor: 'bench/naive/processor.ts',
    deleter: 'bench/naive/deleter.ts',
  },
} as const;

async function main(): Promise<void> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(benchHelp);
    return;
  }
  const prices = JSON.parse(
    await readFile(join(benchDirectory, 'prices.json'), 'utf8'),
  ) as PriceTable;

  const startedAt = new Date();
  const variants: Variant[] = options.baseline
    ? ['pipeline', 'naive']
    : ['pipeline'];
  const reports: Partial<Record<Variant, VariantReport>> = {};
  for (const variant of variants) {
    reports[variant] = await measureVariant(variant, options, prices);
  }

  const ours = reports.pipeline;
  if (ours === undefined) throw new Error('The pipeline was not measured');
  const output = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: describeMachine(),
    options,
    prices: { region: prices.region, recordedOn: prices.recordedOn },
    variants: reports,
  };
  await writeOutput(output, startedAt);

  process.stdout.write(
    `\n${formatComparison(ours, reports.naive)}\n\n${formatRequestRates(ours, reports.naive)}\n\nJSON: bench-output/latest.json\n`,
  );
  if (!Object.values(reports).every((report) => report?.invariantsHold)) {
    process.stderr.write(
      'Drain check failed: processed, deleted and ingested differ, or items or messages were left; see drain.checks in bench-output/latest.json\n',
    );
    process.exitCode = 1;
  }
}

async function measureVariant(
  variant: Variant,
  options: BenchOptions,
  prices: PriceTable,
): Promise<VariantReport> {
  progress(`${variant}: bundling and cold starts`);
  const bundles = await measureBundles(
    entries[variant],
    join(outputDirectory, 'bundles', variant),
    options.coldStartRuns,
  );
  progress(`${variant}: ingest load, ${options.ingestSeconds} s per size`);
  const ingest = await runIngestLoad(variant, {
    requestSizes: [1, 25, 500],
    durationSeconds: options.ingestSeconds,
    warmupSeconds: 1,
    connections: 1,
  });
  progress(`${variant}: drain of ${options.files} files`);
  const drain = await runDrainChild({
    variant,
    phase: 'drain',
    files: options.files,
    filesPerRequest: options.filesPerRequest,
    drainTimeoutMs: options.drainTimeoutSeconds * 1000,
    dispatchIntervalSeconds: 1,
    deleteIntervalSeconds: 1,
    settings: {},
  });
  const usage = usagePerFile(drain.recorded, drain.files);

  return {
    bundles,
    ingest,
    drain,
    drainFilesPerSecond: drain.timings
      ? drain.files / (drain.timings.deletedMs / 1000)
      : undefined,
    invariantsHold: invariantsHold(drain),
    requestsPer1000Files: requestRates(drain.recorded, drain.files),
    usagePerFile: usage,
    capacityPerFile: capacityPerFile(drain.recorded, drain.files),
    idleRuns: idleUsagePerRun(drain.recorded),
    costPerMillionFiles: costPerMillionFiles(usage, prices),
  };
}

function describeMachine() {
  const cpus = os.cpus();

  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

async function writeOutput(output: object, startedAt: Date): Promise<void> {
  await mkdir(outputDirectory, { recursive: true });
  const text = `${JSON.stringify(output, null, 2)}\n`;
  const stamp = startedAt.toISOString().replaceAll(':', '-');
  await writeFile(join(outputDirectory, `bench-${stamp}.json`), text);
  await writeFile(join(outputDirectory, 'latest.json'), text);
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
