import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, isUnavailableError } from './errors.js';

/** Builds a JSON response for an HTTP API. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * Maps an error to its HTTP response: an {@link HttpError} to its own
 * status and body, an AWS service that is unavailable or throttling to a
 * 503 that requests a retry, anything else to a 500 that hides the
 * details.
 */
export function errorResponse(
  error: unknown,
): APIGatewayProxyStructuredResultV2 {
  if (error instanceof HttpError) {
    return {
      statusCode: error.statusCode,
      headers: { 'content-type': 'application/json' },
      body: error.toBody(),
    };
  }

  if (isUnavailableError(error)) {
    const response = jsonResponse(503, {
      error: { message: 'Storage is unavailable; retry the request later' },
    });
    response.headers = { ...response.headers, 'retry-after': '1' };
    return response;
  }

  return jsonResponse(500, { error: { message: 'Internal server error' } });
}

/** Reads a header of an API Gateway v2 event, whatever its case. */
export function headerValue(
  headers: Readonly<Record<string, string | undefined>> | undefined,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }

  return undefined;
}
