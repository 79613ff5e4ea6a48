import {
  createServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { toError } from '#shared/errors.js';
import { ingestRoutes, routeKey } from '../lambdas/shared/routes.js';
import { matchRoute, toApiGatewayEvent } from './api-gateway-event.js';
import { writeInvocationOutcome, writeJson } from './api-response.js';
import { serveDashboard } from './dashboard-routes.js';
import { invokeFunction, type LocalFunction } from './invoke.js';
import { closeServer, listenOnLoopback, loopbackUrl } from './loopback.js';
import type { MetricsStore } from './metrics-store.js';
import {
  formatPrometheus,
  prometheusContentType,
} from './prometheus-format.js';

/** Routes of the HTTP API that reach the ingest function. */
export const ingestRouteKeys = Object.values(ingestRoutes).map(routeKey);

/** API Gateway HTTP APIs accept payloads of at most 10 MB. */
const maxPayloadBytes = 10 * 1024 * 1024;

/** Options of `startApiServer`. */
export interface ApiServerProps {
  /** TCP port, or 0 for a free one. */
  readonly port: number;
  readonly ingest: LocalFunction<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2
  >;
  readonly metrics: MetricsStore;
  readonly logger: Logger;
}

/** The HTTP server in place of API Gateway. */
export interface ApiServer {
  /** Base URL, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on the loopback address. It turns requests to the
 * ingest routes into API Gateway events, serves `GET /metrics` in the
 * Prometheus text format and the dashboard pages of `serveDashboard`, and
 * returns API Gateway's `404 {"message":"Not Found"}` for any other
 * request.
 */
export async function startApiServer(
  props: ApiServerProps,
): Promise<ApiServer> {
  // Requests still running when the server closes are awaited, so an
  // invocation never outlives the emulators it writes to.
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const handling = handleRequest(props, request, response).catch(
      (error: unknown) => {
        props.logger.error('request failed', toError(error));
        if (!response.headersSent) {
          writeJson(response, 500, { message: 'Internal Server Error' });
        } else {
          response.destroy();
        }
      },
    );
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });
  const port = await listenOnLoopback(server, props.port);
  const close = async () => {
    await closeServer(server);
    await Promise.all(inFlight);
  };

  return { url: loopbackUrl(port), close };
}

async function handleRequest(
  props: ApiServerProps,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (method === 'GET' && path === '/metrics') {
    response.writeHead(200, { 'content-type': prometheusContentType });
    response.end(formatPrometheus(props.metrics.read()));
    return;
  }
  if (await serveDashboard(props.metrics, method, path, response)) return;
  const route = matchRoute(ingestRouteKeys, method, path);
  if (route === undefined) {
    writeJson(response, 404, { message: 'Not Found' });
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    response.setHeader('connection', 'close');
    writeJson(response, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const event = toApiGatewayEvent(request, body, route);
  const outcome = await invokeFunction(props.ingest, event, props.logger);
  writeInvocationOutcome(response, outcome, event.requestContext.requestId);
}

/**
 * Reads the whole request body.
 *
 * @returns the body, or undefined as soon as it exceeds API Gateway's
 *   limit; the rest of the body is then read and dropped.
 */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size > maxPayloadBytes) return;
      size += chunk.length;
      if (size > maxPayloadBytes) {
        chunks.length = 0;
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
