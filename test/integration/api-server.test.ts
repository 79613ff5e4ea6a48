import { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ApiServer, startApiServer } from '../../local/http-server.js';
import type { LambdaHandler } from '../../local/invoke.js';
import { MetricsStore, parseEmfLine } from '../../local/metrics-store.js';
import { parsePrometheusText } from '../helpers/prometheus.js';

type IngestHandler = LambdaHandler<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2
>;

describe('Function: startApiServer', () => {
  const events: APIGatewayProxyEventV2[] = [];
  const metrics = new MetricsStore('TestNamespace');
  let respond: IngestHandler;
  let server: ApiServer;

  beforeAll(async () => {
    server = await startApiServer({
      port: 0,
      ingest: {
        identity: { functionName: 'ingest', timeoutSeconds: 1, region: 'x' },
        handler: (event, context) => {
          events.push(event);
          return respond(event, context);
        },
      },
      metrics,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  beforeEach(() => {
    events.length = 0;
    respond = async () => ({ statusCode: 201, body: '{"ok":true}' });
  });

  it('turns a JSON POST into an HTTP API v2 event', async () => {
    const body = JSON.stringify({ files: ['a'] });

    const response = await fetch(`${server.url}/data/input?x=1&x=2`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Trace': 'abc' },
      body,
    });
    const event = events[0];

    expect(response.status).toBe(201);
    expect(await response.text()).toBe('{"ok":true}');
    expect(event?.version).toBe('2.0');
    expect(event?.routeKey).toBe('POST /data/input');
    expect(event?.rawPath).toBe('/data/input');
    expect(event?.rawQueryString).toBe('x=1&x=2');
    expect(event?.queryStringParameters).toEqual({ x: '1,2' });
    expect(event?.headers['content-type']).toBe('application/json');
    expect(event?.headers['x-trace']).toBe('abc');
    expect(event?.body).toBe(body);
    expect(event?.isBase64Encoded).toBe(false);
    expect(event?.requestContext.http.method).toBe('POST');
    expect(event?.requestContext.http.path).toBe('/data/input');
    expect(event?.requestContext.http.sourceIp).toBe('127.0.0.1');
    expect(response.headers.get('apigw-requestid')).toBe(
      event?.requestContext.requestId,
    );
  });

  it('base64-encodes a body that is not text', async () => {
    const bytes = Buffer.from([0, 1, 2, 250, 251]);

    await fetch(`${server.url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });

    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(bytes);
  });

  it('base64-encodes a JSON body that is not valid UTF-8', async () => {
    const bytes = Buffer.from('{"files":["A\xff\xfeB"]}', 'latin1');

    await fetch(`${server.url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });

    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(bytes);
  });

  it('passes decoded path parameters', async () => {
    const response = await fetch(`${server.url}/data/files/a%20b`);

    expect(response.status).toBe(201);
    expect(events[0]?.routeKey).toBe('GET /data/files/{id}');
    expect(events[0]?.pathParameters).toEqual({ id: 'a b' });
  });

  it.each([
    ['GET', '/data/input'],
    ['POST', '/data/files/1'],
    ['GET', '/data/files/'],
    ['GET', '/data/files/1/extra'],
    ['DELETE', '/'],
  ])('answers %s %s with 404 Not Found', async (method, path) => {
    const response = await fetch(`${server.url}${path}`, { method });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(events).toHaveLength(0);
  });

  it('answers 500 when the handler throws', async () => {
    respond = async () => {
      throw new Error('boom');
    };

    const response = await fetch(`${server.url}/data/files/1`);

    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      message: 'Internal Server Error',
    });
  });

  it('answers 503 when the handler times out', async () => {
    respond = () =>
      new Promise((resolve) =>
        setTimeout(() => resolve({ statusCode: 200 }), 1100),
      );

    const response = await fetch(`${server.url}/data/files/1`);

    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('writes headers, cookies and base64 bodies of the result', async () => {
    respond = async () => ({
      statusCode: 202,
      headers: { 'x-answer': 42 },
      cookies: ['a=1', 'b=2'],
      body: Buffer.from('hello').toString('base64'),
      isBase64Encoded: true,
    });

    const response = await fetch(`${server.url}/data/files/1`);

    expect(response.status).toBe(202);
    expect(response.headers.get('x-answer')).toBe('42');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('hello');
  });

  it('serves EMF metrics in the Prometheus text format', async () => {
    const emf = (
      values: Record<string, number | number[]>,
      namespace = 'TestNamespace',
    ) =>
      JSON.stringify({
        _aws: {
          Timestamp: Date.now(),
          CloudWatchMetrics: [
            {
              Namespace: namespace,
              Dimensions: [['service']],
              Metrics: Object.keys(values).map((Name) => ({ Name })),
            },
          ],
        },
        service: 'test',
        ...values,
      });
    for (const line of [
      emf({ RawDataCount: 3, OldestRawAgeSeconds: 40 }),
      emf({ RawDataCount: [2, 5], OldestRawAgeSeconds: 7 }),
      emf({ RawDataCount: 100 }, 'OtherNamespace'),
      '{"level":"INFO","message":"not a metric"}',
      'plain text',
    ]) {
      const document = parseEmfLine(line);
      if (document !== undefined) metrics.recordEmfDocument(document);
    }

    const response = await fetch(`${server.url}/metrics`);
    const text = await response.text();
    const parsed = parsePrometheusText(text);

    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(parsed.values.get('raw_data_count')).toBe(10);
    expect(parsed.types.get('raw_data_count')).toBe('counter');
    expect(parsed.values.get('oldest_raw_age_seconds')).toBe(7);
    expect(parsed.types.get('oldest_raw_age_seconds')).toBe('gauge');
    expect(parsed.values.get('processed_data_count')).toBe(0);
    expect(parsed.values.get('deleted_data_count')).toBe(0);
    expect(parsed.values.get('files_sent_to_dead_letter_queue')).toBe(0);
    expect(parsed.helpNames.size).toBe(parsed.values.size);
  });
});
