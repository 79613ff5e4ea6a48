import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tableSchema } from '#shared/table-schema.js';
import { addCapacityMiddleware } from '../capacity/capacity-middleware.js';
import {
  ShadowTable,
  type TableKeySchema,
} from '../capacity/capacity-model.js';
import type { Recorder } from './recorder.js';

/** Key schema of the pipeline's table, as `local/resources.ts` builds it. */
export const pipelineKeySchema: TableKeySchema = {
  partitionKey: tableSchema.partitionKey,
  index: {
    name: tableSchema.statusIndexName,
    partitionKey: tableSchema.statusIndexPartitionKey,
    sortKey: tableSchema.statusIndexSortKey,
  },
};

/** AWS JSON protocols name the operation in this header. */
const targetHeader = 'x-amz-target';

/** Maps the `X-Amz-Target` prefix to a service name. */
const servicePrefixes: Record<string, string> = {
  DynamoDB_20120810: 'DynamoDB',
  AmazonSQS: 'SQS',
};

/**
 * Counts every HTTP request this process sends to DynamoDB or SQS, from
 * any SDK client, retries included, through Node.js's
 * `http.client.request.start` diagnostics channel. The SQS event source
 * poller of the local runtime has its own client, which only this
 * channel observes.
 *
 * @returns a function that stops counting.
 */
export function observeAwsRequests(recorder: Recorder): () => void {
  const channel = 'http.client.request.start';
  const onRequest = (message: unknown) => {
    const request = (message as { request?: ClientRequest }).request;
    const target = request?.getHeader(targetHeader);
    if (typeof target !== 'string') return;
    const [prefix = '', operation = ''] = target.split('.');
    const service = servicePrefixes[prefix];
    if (service !== undefined) recorder.addRequest(service, operation);
  };
  diagnosticsChannel.subscribe(channel, onRequest);

  return () => diagnosticsChannel.unsubscribe(channel, onRequest);
}

/**
 * Adds the capacity middleware to the handlers' DynamoDB client, with a
 * shadow table that must start empty with the table.
 */
export function observeDynamoDbCapacity(
  client: DynamoDBDocumentClient,
  recorder: Recorder,
): ShadowTable {
  const shadow = new ShadowTable(pipelineKeySchema);
  addCapacityMiddleware(client, shadow, (record) => {
    recorder.addCapacity(
      'DynamoDB',
      record.operation,
      record.use,
      record.reportedUnits,
    );
  });

  return shadow;
}

/** Tells whether an output line is an Embedded Metric Format document. */
export function isEmfLine(line: string): boolean {
  return line.startsWith('{') && line.includes('"_aws"');
}
