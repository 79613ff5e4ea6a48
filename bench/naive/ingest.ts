import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { ulid } from 'ulid';
import { parseIngestRequest } from '#domain/ingest-request.js';
import { getFile } from '#domain/raw-files.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { HttpError } from '#shared/errors.js';
import { errorResponse, headerValue, jsonResponse } from '#shared/http.js';
import { MetricName } from '#shared/metric-names.js';
import { logger } from '#shared/powertools.js';
import { type NaiveItem, publishFileMetric } from './naive-table.js';

const table = readTableConfig();
const limits = {
  maxFiles: requirePositiveInteger('MAX_FILES_PER_REQUEST'),
  maxFileNameBytes: requirePositiveInteger('MAX_FILE_NAME_BYTES'),
  maxBodyBytes: requirePositiveInteger('MAX_BODY_BYTES'),
};

/**
 * Baseline ingest: the pipeline's request contract, stored the way the
 * Rails controller did it, one PutItem and one metric document per file,
 * one file after the other.
 */
export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyStructuredResultV2> => {
  logger.addContext(context);
  try {
    switch (event.routeKey) {
      case 'POST /data/input':
        return await storeFiles(event);
      case 'GET /data/files/{id}': {
        const deps = { dynamoDb, table };
        return jsonResponse(200, await getFile(deps, event.pathParameters?.id));
      }
      default:
        throw new HttpError(404, `Route not found: ${event.routeKey}`);
    }
  } catch (error) {
    logger.warn('request failed', { error });
    return errorResponse(error);
  }
};

async function storeFiles(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const files = parseIngestRequest(
    {
      body: event.body,
      isBase64Encoded: event.isBase64Encoded,
      contentType: headerValue(event.headers, 'content-type'),
    },
    limits,
  );
  const ids: string[] = [];
  for (const file of files) {
    const now = new Date().toISOString();
    const item: NaiveItem = {
      id: ulid(),
      file,
      status: 'raw',
      createdAt: now,
      updatedAt: now,
    };
    await dynamoDb.send(
      new PutCommand({ TableName: table.tableName, Item: item }),
    );
    ids.push(item.id);
    publishFileMetric(MetricName.RawDataCount);
  }
  logger.info('files accepted', { count: ids.length, ids });

  return jsonResponse(201, { ids, count: ids.length });
}
