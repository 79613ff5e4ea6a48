import autocannon from 'autocannon';
import type { RecorderSnapshot } from '../measure/recorder.js';
import { ingestBody } from './drain.js';
import { type BenchChild, startChild } from './spawn-child.js';
import type { Variant } from './variant-handlers.js';

/** Load settings of the ingest phase. */
export interface IngestLoadOptions {
  /** Files per request, one load run each. */
  readonly requestSizes: readonly number[];
  /** Seconds of measured load per request size. */
  readonly durationSeconds: number;
  /** Seconds of unmeasured load before each measured run. */
  readonly warmupSeconds: number;
  /** Concurrent HTTP connections. */
  readonly connections: number;
}

/** Figures of one load run. */
export interface IngestRun {
  readonly filesPerRequest: number;
  readonly durationSeconds: number;
  readonly connections: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly filesPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly recorded: RecorderSnapshot;
}

/**
 * Starts a child process with a variant's pipeline and drives its HTTP API
 * with autocannon, one bounded run per request size. The dispatcher and
 * deleter schedules are set an hour apart, so only ingest runs.
 */
export async function runIngestLoad(
  variant: Variant,
  options: IngestLoadOptions,
): Promise<IngestRun[]> {
  const child = startChild({
    variant,
    phase: 'ingest',
    files: 0,
    filesPerRequest: 0,
    drainTimeoutMs: 0,
    dispatchIntervalSeconds: 3600,
    deleteIntervalSeconds: 3600,
    settings: {},
  });
  try {
    const { url } = await child.next('ready');
    const runs: IngestRun[] = [];
    for (const size of options.requestSizes) {
      runs.push(await measureRequestSize(child, url, size, options));
    }
    return runs;
  } finally {
    child.send({ type: 'stop' });
    await child.exited;
  }
}

async function measureRequestSize(
  child: BenchChild,
  url: string,
  size: number,
  options: IngestLoadOptions,
): Promise<IngestRun> {
  const request = {
    url: `${url}/data/input`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body: ingestBody(size),
    connections: options.connections,
  };
  await autocannon({ ...request, duration: options.warmupSeconds });
  child.send({ type: 'reset' });
  await child.next('snapshot');
  const result = await autocannon({
    ...request,
    duration: options.durationSeconds,
  });
  child.send({ type: 'collect' });
  const { recorded } = await child.next('snapshot');
  const ok = result['2xx'];
  const seconds = result.duration;

  return {
    filesPerRequest: size,
    durationSeconds: seconds,
    connections: options.connections,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    requestsPerSecond: ok / seconds,
    filesPerSecond: (ok * size) / seconds,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    recorded,
  };
}
