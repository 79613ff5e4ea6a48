import {
  BatchProcessor,
  EventType,
  processPartialResponse,
} from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  Context,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
} from 'aws-lambda';
import {
  ProcessingError,
  parseWorkMessage,
  processFiles,
} from '#domain/process.js';
import { dynamoDb } from '#shared/clients.js';
import { readTableConfig, requirePositiveInteger } from '#shared/config.js';
import { toError } from '#shared/errors.js';
import { MetricName } from '#shared/metric-names.js';
import { logger, metrics } from '#shared/powertools.js';

const deps = { dynamoDb, table: readTableConfig() };
const maxReceiveCount = requirePositiveInteger('MAX_RECEIVE_COUNT');
const processor = new BatchProcessor(EventType.SQS);

interface BatchTotals {
  processed: number;
  failedMessages: number;
  deadLetterFiles: number;
}

/**
 * Handles a batch of SQS work messages and reports only the failed ones,
 * so SQS retries them alone.
 */
export const handler = async (
  event: SQSEvent,
  context: Context,
): Promise<SQSBatchResponse> => {
  logger.addContext(context);
  const totals = { processed: 0, failedMessages: 0, deadLetterFiles: 0 };
  try {
    return await processPartialResponse(
      event,
      (record: SQSRecord) => processRecord(record, totals),
      processor,
      { context, throwOnFullBatchFailure: false },
    );
  } finally {
    // NOTE: when Lambda stops the invocation at its timeout, this never
    // runs, so files it already moved to processed go uncounted: their
    // redelivered message finds them processed and skips them.
    addBatchMetrics(totals);
    metrics.publishStoredMetrics();
  }
};

async function processRecord(
  record: SQSRecord,
  totals: BatchTotals,
): Promise<void> {
  logger.appendKeys({ messageId: record.messageId });
  let ids: string[] = [];
  try {
    ids = parseWorkMessage(record.body);
    const result = await processFiles(deps, ids);
    totals.processed += result.processed.length;
    const details = { ids: result.processed, skippedIds: result.skipped };
    if (result.processed.length > 0) {
      logger.info(`Processed ${result.processed.length} files`, details);
    } else if (result.failed.length === 0) {
      logger.info('No files to process', details);
    }
    if (result.firstError) {
      throw new ProcessingError(result.failed, result.firstError);
    }
  } catch (error) {
    recordFailure(record, ids, error, totals);
    throw error;
  } finally {
    logger.removeKeys(['messageId']);
  }
}

function recordFailure(
  record: SQSRecord,
  ids: readonly string[],
  error: unknown,
  totals: BatchTotals,
): void {
  totals.failedMessages++;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  if (receiveCount >= maxReceiveCount) {
    totals.deadLetterFiles += ids.length;
    logger.error('message goes to the dead-letter queue', {
      ids,
      receiveCount,
      error: toError(error),
    });
  } else {
    logger.warn('message failed; SQS will retry it', {
      ids,
      receiveCount,
      error: toError(error),
    });
  }
}

function addBatchMetrics(totals: BatchTotals): void {
  metrics.addMetric(
    MetricName.ProcessedDataCount,
    MetricUnit.Count,
    totals.processed,
  );
  metrics.addMetric(
    MetricName.MessagesFailed,
    MetricUnit.Count,
    totals.failedMessages,
  );
  metrics.addMetric(
    MetricName.FilesSentToDeadLetterQueue,
    MetricUnit.Count,
    totals.deadLetterFiles,
  );
}
