import type { ServerResponse } from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { InvocationOutcome } from './invoke.js';

/** Writes a JSON body with its status code. */
export function writeJson(
  response: ServerResponse,
  statusCode: number,
  body: unknown,
): void {
  response.writeHead(statusCode, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/**
 * Writes what API Gateway returns for an invocation: the handler's
 * response, `500 Internal Server Error` when the handler failed, or
 * `503 Service Unavailable` when it timed out.
 */
export function writeInvocationOutcome(
  response: ServerResponse,
  outcome: InvocationOutcome<unknown>,
  requestId: string,
): void {
  response.setHeader('apigw-requestid', requestId);
  switch (outcome.status) {
    case 'failed':
      writeJson(response, 500, { message: 'Internal Server Error' });
      return;
    case 'timedOut':
      writeJson(response, 503, { message: 'Service Unavailable' });
      return;
    case 'succeeded':
      writeHandlerResult(response, outcome.result);
  }
}

/**
 * Writes a handler result. Payload format 2.0 turns a result without a
 * `statusCode` into a `200` response with the result as its JSON body.
 */
function writeHandlerResult(response: ServerResponse, result: unknown): void {
  if (!isStructuredResult(result)) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body ?? '');
    return;
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    response.setHeader(name, String(value));
  }
  if (result.cookies?.length) response.setHeader('set-cookie', result.cookies);
  response.writeHead(result.statusCode ?? 200);
  const body = result.body ?? '';
  response.end(
    result.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body),
  );
}

function isStructuredResult(
  result: unknown,
): result is APIGatewayProxyStructuredResultV2 {
  return (
    typeof result === 'object' &&
    result !== null &&
    typeof (result as { statusCode?: unknown }).statusCode === 'number'
  );
}
