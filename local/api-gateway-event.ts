import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localAccountId } from './emulators.js';

/** A route key that matched a request, with its path parameters. */
export interface RouteMatch {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

/**
 * Finds the route key, such as `GET /data/files/{id}`, that matches a
 * method and a path. A `{name}` segment matches one non-empty segment.
 */
export function matchRoute(
  routeKeys: readonly string[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const segments = path.split('/');
  for (const routeKey of routeKeys) {
    const [routeMethod, routePath = ''] = routeKey.split(' ');
    if (routeMethod !== method) continue;
    const parameters = matchPath(routePath.split('/'), segments);
    if (parameters === undefined) continue;
    const hasParameters = Object.keys(parameters).length > 0;

    return { routeKey, pathParameters: hasParameters ? parameters : undefined };
  }

  return undefined;
}

function matchPath(
  routeSegments: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (routeSegments.length !== segments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, routeSegment] of routeSegments.entries()) {
    const segment = segments[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(routeSegment)?.[1];
    if (name === undefined) {
      if (routeSegment !== segment) return undefined;
      continue;
    }
    if (segment === '') return undefined;
    parameters[name] = decodePathSegment(segment);
  }

  return parameters;
}

/**
 * Builds the API Gateway HTTP API event (payload format 2.0) that Lambda
 * would receive for a request.
 *
 * @param body - the request body as received.
 */
export function toApiGatewayEvent(
  request: IncomingMessage,
  body: Buffer,
  route: RouteMatch,
): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers = lowerCaseHeaders(request);
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  const host = headers.host ?? 'localhost';
  const cookies = headers.cookie?.split(/;\s*/).filter(Boolean);
  delete headers.cookie;
  headers['x-forwarded-for'] = sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  const now = new Date();

  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...queryParametersOf(url),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: localAccountId,
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...bodyOf(body, headers['content-type']),
  };
}

/**
 * API Gateway passes text bodies as they are and base64-encodes the rest.
 * NOTE: which media types count as text is this function's choice, made
 * to match the common JSON, XML and `text/*` cases.
 */
export function isTextContentType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';

  return (
    mediaType.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(mediaType) ||
    mediaType === 'application/javascript'
  );
}

/**
 * Passes a text body as text only when it is valid UTF-8; any other body
 * goes base64-encoded, so the handler receives every byte as sent.
 * NOTE: API Gateway documents no rule for text bodies that are not valid
 * UTF-8; keeping the bytes lets the handler reject them.
 */
function bodyOf(
  body: Buffer,
  contentType: string | undefined,
): Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'> {
  if (body.length === 0) return { isBase64Encoded: false };
  if (isTextContentType(contentType) && isUtf8(body)) {
    return { body: body.toString('utf8'), isBase64Encoded: false };
  }

  return { body: body.toString('base64'), isBase64Encoded: true };
}

/** Node.js lower-cases header names; API Gateway joins repeats with commas. */
function lowerCaseHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }

  return headers;
}

function queryParametersOf(
  url: URL,
): Pick<APIGatewayProxyEventV2, 'queryStringParameters'> {
  if (url.search === '') return {};
  const parameters: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    const previous = parameters[name];
    parameters[name] = previous === undefined ? value : `${previous},${value}`;
  }

  return { queryStringParameters: parameters };
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

const monthNames = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');

/** Formats a time as API Gateway does: `04/Mar/2020:19:15:17 +0000`. */
function formatRequestTime(time: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  const day = pad(time.getUTCDate());
  const month = monthNames[time.getUTCMonth()];
  const clock = [time.getUTCHours(), time.getUTCMinutes(), time.getUTCSeconds()]
    .map(pad)
    .join(':');

  return `${day}/${month}/${time.getUTCFullYear()}:${clock} +0000`;
}
