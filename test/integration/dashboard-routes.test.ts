import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../lambdas/shared/metric-names.js';
import type { MetricsSnapshot } from '../../local/dashboard-routes.js';
import { type ApiServer, startApiServer } from '../../local/http-server.js';
import { MetricsStore } from '../../local/metrics-store.js';

const namespace = 'TestNamespace';

/** Builds an EMF document as Powertools writes it, one value per metric. */
function emfDocument(values: Partial<Record<MetricName, number>>) {
  return {
    _aws: {
      Timestamp: Date.now(),
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [['service']],
          Metrics: Object.keys(values).map((name) => ({ Name: name })),
        },
      ],
    },
    service: 'test',
    ...values,
  };
}

describe('Function: serveDashboard', () => {
  const metrics = new MetricsStore(namespace);
  const ingested: unknown[] = [];
  let server: ApiServer;

  beforeAll(async () => {
    server = await startApiServer({
      port: 0,
      ingest: {
        identity: { functionName: 'ingest', timeoutSeconds: 1, region: 'x' },
        handler: async (event) => {
          ingested.push(event);
          return { statusCode: 201, body: '{}' };
        },
      },
      metrics,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['/', 'text/html; charset=utf-8', '<title>datafile-pipeline'],
    ['/dashboard', 'text/html; charset=utf-8', '<main id="charts">'],
    ['/dashboard/dashboard.js', 'text/javascript; charset=utf-8', 'uPlot'],
    ['/dashboard/dashboard.css', 'text/css; charset=utf-8', '.summary'],
    ['/dashboard/uplot.js', 'text/javascript; charset=utf-8', 'uPlot'],
    ['/dashboard/uplot.css', 'text/css; charset=utf-8', '.uplot'],
  ])('serves %s', async (path, contentType, excerpt) => {
    const response = await fetch(`${server.url}${path}`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.headers.get('content-security-policy')).toContain(
      "default-src 'self'",
    );
    expect(await response.text()).toContain(excerpt);
  });

  it('returns the store as /metrics.json', async () => {
    metrics.recordEmfDocument(emfDocument({ RawDataCount: 4 }));
    metrics.recordEmfDocument(emfDocument({ RawDataCount: 2 }));
    metrics.recordEmfDocument(emfDocument({ OldestRawAgeSeconds: 7.5 }));

    const response = await fetch(`${server.url}/metrics.json`);
    const snapshot = (await response.json()) as MetricsSnapshot;
    const byName = new Map(
      snapshot.metrics.map((metric) => [metric.name, metric]),
    );

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Number.isNaN(Date.parse(snapshot.readAt))).toBe(false);
    expect(snapshot.metrics.map((metric) => metric.name)).toEqual(
      Object.values(MetricName),
    );
    expect(byName.get('RawDataCount')).toMatchObject({
      prometheusName: 'raw_data_count',
      kind: 'counter',
      value: 6,
    });
    expect(byName.get('OldestRawAgeSeconds')).toMatchObject({
      kind: 'gauge',
      value: 7.5,
    });
    expect(byName.get('OldestRawAgeSeconds')?.updatedAt).toEqual(
      expect.any(String),
    );
    expect(byName.get('DeletedDataCount')?.updatedAt).toBeNull();
  });

  it.each([
    ['POST', '/metrics.json'],
    ['POST', '/dashboard'],
    ['GET', '/dashboard/other.js'],
    ['GET', '/dashboard/index.html'],
  ])('answers %s %s with 404 Not Found', async (method, path) => {
    const response = await fetch(`${server.url}${path}`, { method });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(ingested).toHaveLength(0);
  });
});
