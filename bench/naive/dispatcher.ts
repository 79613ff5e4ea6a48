import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { dynamoDb, sqs } from '#shared/clients.js';
import {
  readTableConfig,
  requireEnv,
  requirePositiveInteger,
} from '#shared/config.js';
import { MetricName } from '#shared/metric-names.js';
import { logger } from '#shared/powertools.js';
import { hasTimeLeft } from '#shared/time-budget.js';
import {
  moveItem,
  type NaiveItem,
  publishFileMetric,
  scanItems,
} from './naive-table.js';

const { tableName } = readTableConfig();
const queueUrl = requireEnv('WORK_QUEUE_URL');
const batchSize = requirePositiveInteger('BATCH_SIZE');
const leaseMs = requirePositiveInteger('DISPATCH_LEASE_SECONDS') * 1000;

/** Summary of one baseline dispatcher run. */
export interface NaiveDispatchSummary {
  readonly sent: number;
  readonly messages: number;
}

/**
 * Baseline dispatcher, the way the Rails publisher found work: Scan the
 * table for `raw` items and for `queued` items whose lease expired, claim
 * them one by one, and send one SendMessage per batch of `BATCH_SIZE` ids.
 * It scans again until a scan finds nothing or its time runs out.
 */
export const handler = async (
  _event: unknown,
  context: Context,
): Promise<NaiveDispatchSummary> => {
  logger.addContext(context);
  const hasTime = hasTimeLeft(context);
  let sent = 0;
  let messages = 0;
  while (hasTime()) {
    const due = await scanDueItems();
    if (due.length === 0) break;
    for (let start = 0; start < due.length && hasTime(); start += batchSize) {
      const ids = await claimBatch(due.slice(start, start + batchSize));
      if (ids.length === 0) continue;
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: JSON.stringify({ ids }),
        }),
      );
      sent += ids.length;
      messages++;
    }
  }
  if (sent > 0) logger.info(`Dispatched ${sent} files`, { sent, messages });

  return { sent, messages };
};

function scanDueItems(): Promise<NaiveItem[]> {
  const cutoff = new Date(Date.now() - leaseMs).toISOString();

  return scanItems(dynamoDb, tableName, {
    expression: '#status = :raw OR (#status = :queued AND updatedAt < :cutoff)',
    names: { '#status': 'status' },
    values: { ':raw': 'raw', ':queued': 'queued', ':cutoff': cutoff },
  });
}

/** Claims each item of a batch and returns the ids it claimed. */
async function claimBatch(items: readonly NaiveItem[]): Promise<string[]> {
  const ids: string[] = [];
  for (const item of items) {
    const claimed = await moveItem(dynamoDb, tableName, {
      id: item.id,
      expected: item.status,
      status: 'queued',
      now: new Date().toISOString(),
    });
    if (!claimed) continue;
    ids.push(item.id);
    publishFileMetric(MetricName.FilesClaimed);
  }

  return ids;
}
