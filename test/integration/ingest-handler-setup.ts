import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { vi } from 'vitest';
import { functionEnvironment } from '../../lib/environment.js';
import { defaultSettings } from '../../lib/settings.js';
import { createLambdaContext } from '../../local/lambda-context.js';
import { type TestTable, testRegion } from '../helpers/dynamo.js';

/** The ingest function's handler. */
export type IngestHandler = typeof import('../../lambdas/ingest.js')['handler'];

/** A closed loopback port, for clients that the tests must never use. */
const unusedEndpoint = 'http://127.0.0.1:9';

/**
 * Sets the ingest function's environment, as the stack builds it, with the
 * test table's endpoint, then imports the handler, which reads it once.
 * The variables stay stubbed until `vi.unstubAllEnvs()`.
 */
export async function importIngestHandler(
  table: TestTable,
): Promise<IngestHandler> {
  const environment = {
    ...functionEnvironment('ingest', defaultSettings, {
      tableName: table.tableName,
      workQueueUrl: `${unusedEndpoint}/000000000000/unused`,
    }),
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    AWS_ENDPOINT_URL_SQS: unusedEndpoint,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_REGION: testRegion,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  for (const [name, value] of Object.entries(environment)) {
    vi.stubEnv(name, value);
  }
  const module = await import('../../lambdas/ingest.js');

  return module.handler;
}

/** Invokes the handler with a fresh context of the stack's timeout. */
export function invoke(
  handler: IngestHandler,
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const context = createLambdaContext({
    functionName: 'ingest',
    timeoutSeconds: defaultSettings.ingestTimeoutSeconds,
    region: testRegion,
  });

  return handler(event, context);
}

/** Options of {@link postEvent}. */
export interface PostOptions {
  /** Request headers. @default a JSON content type */
  readonly headers?: Record<string, string>;
  readonly isBase64Encoded?: boolean;
}

/** Builds the event of `POST /data/input`. */
export function postEvent(
  body: string | undefined,
  options: PostOptions = {},
): APIGatewayProxyEventV2 {
  return apiEvent('POST /data/input', {
    headers: options.headers ?? { 'content-type': 'application/json' },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(body === undefined ? {} : { body }),
  });
}

/** Builds the event of `GET /data/files/{id}`. */
export function getEvent(id: string | undefined): APIGatewayProxyEventV2 {
  return apiEvent('GET /data/files/{id}', {
    headers: {},
    isBase64Encoded: false,
    ...(id === undefined ? {} : { pathParameters: { id } }),
  });
}

/** Builds an API Gateway HTTP API event (payload format 2.0). */
export function apiEvent(
  routeKey: string,
  parts: Pick<APIGatewayProxyEventV2, 'headers' | 'isBase64Encoded'> &
    Partial<Pick<APIGatewayProxyEventV2, 'body' | 'pathParameters'>>,
): APIGatewayProxyEventV2 {
  const [method = 'GET', path = '/'] = routeKey.split(' ');
  const now = new Date();

  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      domainName: 'test.local',
      domainPrefix: 'test',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...parts,
  };
}

/** The JSON error body of a rejected request. */
export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly problems: readonly { field: string; rule: string }[];
  };
}

/** Parses a response body as JSON. */
export function parseBody<T>(response: APIGatewayProxyStructuredResultV2): T {
  return JSON.parse(response.body ?? 'null') as T;
}
