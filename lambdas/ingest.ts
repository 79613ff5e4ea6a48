import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { IdempotencyInProgressError } from '#domain/idempotency-errors.js';
import {
  type IngestOutcome,
  storeRawFilesOnce,
} from '#domain/idempotency-ingest.js';
import {
  idempotencyKeyHeader,
  parseIdempotencyKey,
  sha256Hex,
} from '#domain/idempotency-key.js';
import { parseIngestRequest } from '#domain/ingest-request.js';
import { getFile, storeRawFiles } from '#domain/raw-files.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { HttpError, toError } from '#shared/errors.js';
import { errorResponse, headerValue, jsonResponse } from '#shared/http.js';
import { MetricName } from '#shared/metric-names.js';
import { logger, metrics } from '#shared/powertools.js';
import { ingestRoutes, routeKey } from '#shared/routes.js';

const deps = { dynamoDb, table: readTableConfig() };
const limits = {
  maxFiles: requirePositiveInteger('MAX_FILES_PER_REQUEST'),
  maxFileNameBytes: requirePositiveInteger('MAX_FILE_NAME_BYTES'),
  maxBodyBytes: requirePositiveInteger('MAX_BODY_BYTES'),
};
/**
 * Milliseconds past the function's timeout that an attempt keeps its
 * idempotency key, so that on Lambda a retry cannot take over the key
 * while the attempt may still write.
 */
const idempotencyLeaseGraceMs = 5_000;
const knownRoutes = Object.values(ingestRoutes).map(routeKey);

/** Handles `POST /data/input` and `GET /data/files/{id}`. */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  logger.appendKeys({ requestId: event.requestContext?.requestId });
  let stored = 0;
  try {
    switch (event.routeKey) {
      case routeKey(ingestRoutes.postFiles):
        return await postFiles(event, context, (count) => {
          stored += count;
        });
      case routeKey(ingestRoutes.getFile):
        return jsonResponse(200, await getFile(deps, event.pathParameters?.id));
      default:
        throw new HttpError(404, `Route not found: ${event.routeKey}`, [
          {
            field: 'route',
            rule: `must be one of ${knownRoutes.join(', ')}`,
            value: event.routeKey ?? null,
          },
        ]);
    }
  } catch (error) {
    const isIngest = event.routeKey === routeKey(ingestRoutes.postFiles);
    return failureResponse(error, isIngest);
  } finally {
    metrics.addMetric(MetricName.RawDataCount, MetricUnit.Count, stored);
    metrics.publishStoredMetrics();
    logger.removeKeys(['requestId']);
  }
};

async function postFiles(
  event: APIGatewayProxyEventV2,
  context: Context,
  onStored: (count: number) => void,
): Promise<APIGatewayProxyStructuredResultV2> {
  const key = parseIdempotencyKey(
    headerValue(event.headers, idempotencyKeyHeader),
  );
  const files = parseIngestRequest(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: headerValue(event.headers, 'content-type'),
    },
    limits,
  );
  if (key === undefined) {
    const result = await storeRawFiles(deps, files, onStored);
    logger.info('files accepted', { count: result.count, ids: result.ids });
    return jsonResponse(201, result);
  }
  const outcome = await storeRawFilesOnce(
    deps,
    {
      key,
      files,
      leaseMs: context.getRemainingTimeInMillis() + idempotencyLeaseGraceMs,
      onRecordUpdateFailed: (error) =>
        logger.warn('idempotency record update failed', {
          error: toError(error),
        }),
    },
    onStored,
  );

  return idempotentResponse(outcome, sha256Hex(key));
}

function idempotentResponse(
  outcome: IngestOutcome,
  keyHash: string,
): APIGatewayProxyStructuredResultV2 {
  if (outcome.replayed) {
    logger.info('idempotent request replayed', { keyHash });
  } else {
    const { ids } = outcome;
    logger.info('files accepted', { keyHash, count: ids.length, ids });
  }

  return {
    statusCode: outcome.statusCode,
    headers: {
      'content-type': 'application/json',
      'idempotent-replayed': String(outcome.replayed),
    },
    body: outcome.body,
  };
}

/**
 * Maps an error to its response and logs it; a rejected `POST /data/input`
 * also counts in `IngestRejected`.
 */
function failureResponse(
  error: unknown,
  isIngest: boolean,
): APIGatewayProxyStructuredResultV2 {
  const response = errorResponse(error);
  if (error instanceof IdempotencyInProgressError) {
    response.headers = {
      ...response.headers,
      'retry-after': String(error.retryAfterSeconds),
    };
  }
  if (response.statusCode !== undefined && response.statusCode < 500) {
    if (isIngest) {
      metrics.addMetric(MetricName.IngestRejected, MetricUnit.Count, 1);
    }
    logger.warn('request rejected', { statusCode: response.statusCode, error });
  } else {
    logger.error('request failed', toError(error));
  }

  return response;
}
