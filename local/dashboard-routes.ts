import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { MetricReading, MetricsStore } from './metrics-store.js';

/** One file that the dashboard serves, with its content type. */
interface StaticFile {
  readonly path: string;
  readonly contentType: string;
}

/** Body of `GET /metrics.json`. */
export interface MetricsSnapshot {
  /** When the store was read, as an ISO-8601 UTC timestamp. */
  readonly readAt: string;
  readonly metrics: readonly MetricsSnapshotEntry[];
}

/** One metric of a snapshot, with `updatedAt` in ISO-8601 or null. */
export type MetricsSnapshotEntry = Omit<MetricReading, 'updatedAt'> & {
  readonly updatedAt: string | null;
};

const require = createRequire(import.meta.url);
const pageFile = (name: string) =>
  fileURLToPath(new URL(`./dashboard/${name}`, import.meta.url));
const html = 'text/html; charset=utf-8';
const javascript = 'text/javascript; charset=utf-8';
const css = 'text/css; charset=utf-8';
const indexPage: StaticFile = {
  path: pageFile('index.html'),
  contentType: html,
};

/** Files by request path. uPlot comes from node_modules, not from a CDN. */
const staticFiles: ReadonlyMap<string, StaticFile> = new Map([
  ['/', indexPage],
  ['/dashboard', indexPage],
  ['/dashboard/', indexPage],
  [
    '/dashboard/dashboard.js',
    { path: pageFile('dashboard.js'), contentType: javascript },
  ],
  [
    '/dashboard/dashboard.css',
    { path: pageFile('dashboard.css'), contentType: css },
  ],
  [
    '/dashboard/uplot.js',
    {
      path: require.resolve('uplot/dist/uPlot.iife.min.js'),
      contentType: javascript,
    },
  ],
  [
    '/dashboard/uplot.css',
    { path: require.resolve('uplot/dist/uPlot.min.css'), contentType: css },
  ],
]);

/**
 * Headers of every dashboard response. The policy lets the page load
 * scripts, styles and data only from this server.
 */
const commonHeaders = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

/**
 * Serves the local dashboard: the page at `/` and `/dashboard`, its
 * script, styles and chart library, and `GET /metrics.json`, which the
 * page polls.
 *
 * @returns true when the request was for a dashboard route and the
 *   response has been sent, false to let the caller route it.
 */
export async function serveDashboard(
  metrics: MetricsStore,
  method: string,
  path: string,
  response: ServerResponse,
): Promise<boolean> {
  if (method !== 'GET') return false;
  if (path === '/metrics.json') {
    const body = JSON.stringify(snapshotMetrics(metrics));
    response.writeHead(200, {
      ...commonHeaders,
      'content-type': 'application/json',
    });
    response.end(body);
    return true;
  }
  const file = staticFiles.get(path);
  if (file === undefined) return false;
  const content = await readFile(file.path);
  response.writeHead(200, {
    ...commonHeaders,
    'content-type': file.contentType,
  });
  response.end(content);

  return true;
}

/** Reads every metric of the store into the body of `/metrics.json`. */
export function snapshotMetrics(metrics: MetricsStore): MetricsSnapshot {
  return {
    readAt: new Date().toISOString(),
    metrics: metrics.read().map((reading) => ({
      ...reading,
      updatedAt: reading.updatedAt?.toISOString() ?? null,
    })),
  };
}
