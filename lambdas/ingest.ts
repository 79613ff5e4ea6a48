import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { parseIngestRequest } from '#domain/ingest-request.js';
import { getFile, storeRawFiles } from '#domain/raw-files.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { HttpError, toError } from '#shared/errors.js';
import { errorResponse, headerValue, jsonResponse } from '#shared/http.js';
import { MetricName } from '#shared/metric-names.js';
import { logger, metrics } from '#shared/powertools.js';

const deps = { dynamoDb, table: readTableConfig() };
const limits = {
  maxFiles: requirePositiveInteger('MAX_FILES_PER_REQUEST'),
  maxFileNameBytes: requirePositiveInteger('MAX_FILE_NAME_BYTES'),
  maxBodyBytes: requirePositiveInteger('MAX_BODY_BYTES'),
};

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
      case 'POST /data/input':
        return await postFiles(event, (count) => {
          stored += count;
        });
      case 'GET /data/files/{id}':
        return jsonResponse(200, await getFile(deps, event.pathParameters?.id));
      default:
        throw new HttpError(404, `Route not found: ${event.routeKey}`);
    }
  } catch (error) {
    return failureResponse(error);
  } finally {
    metrics.addMetric(MetricName.RawDataCount, MetricUnit.Count, stored);
    metrics.publishStoredMetrics();
    logger.removeKeys(['requestId']);
  }
};

async function postFiles(
  event: APIGatewayProxyEventV2,
  onStored: (count: number) => void,
): Promise<APIGatewayProxyStructuredResultV2> {
  const files = parseIngestRequest(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: headerValue(event.headers, 'content-type'),
    },
    limits,
  );
  const result = await storeRawFiles(deps, files, onStored);
  logger.info('files accepted', { count: result.count, ids: result.ids });

  return jsonResponse(201, result);
}

function failureResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const response = errorResponse(error);
  if (response.statusCode !== undefined && response.statusCode < 500) {
    metrics.addMetric(MetricName.IngestRejected, MetricUnit.Count, 1);
    logger.warn('request rejected', { statusCode: response.statusCode, error });
  } else {
    logger.error('request failed', toError(error));
  }

  return response;
}
