import type {
  Context,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import { parseWorkMessage } from '#domain/process.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig } from '#shared/config.js';
import { toError } from '#shared/errors.js';
import { MetricName } from '#shared/metric-names.js';
import { logger } from '#shared/powertools.js';
import { moveItem, publishFileMetric } from './naive-table.js';

const { tableName } = readTableConfig();

/**
 * Baseline processor, the way the Rails `DataHandlerJob` worked: marks
 * each file of each message `processed` one after the other and publishes
 * one metric document per file. Failed messages are reported back.
 */
export const handler = async (
  event: SQSEvent,
  context: Context,
): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const batchItemFailures: SQSBatchItemFailure[] = [];
  for (const record of event.Records) {
    try {
      const processed = await processMessage(record.body);
      logger.info(
        processed > 0 ? `Processed ${processed} files` : 'No files to process',
        { messageId: record.messageId },
      );
    } catch (error) {
      logger.warn('message failed; SQS will retry it', {
        messageId: record.messageId,
        error: toError(error),
      });
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }

  return { batchItemFailures };
};

async function processMessage(body: string): Promise<number> {
  let processed = 0;
  for (const id of parseWorkMessage(body)) {
    const moved = await moveItem(dynamoDb, tableName, {
      id,
      expected: 'queued',
      status: 'processed',
      now: new Date().toISOString(),
    });
    if (!moved) continue;
    processed++;
    publishFileMetric(MetricName.ProcessedDataCount);
  }

  return processed;
}
