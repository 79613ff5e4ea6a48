import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  type TableDescription,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { tableSchema } from '#shared/table-schema.js';
import {
  deadLetterRetentionSeconds,
  type PipelineSettings,
  visibilityTimeoutSeconds,
} from '../lib/settings.js';

/** Names of the table and queues the local runtime creates or reuses. */
export interface ResourceNames {
  readonly tableName: string;
  readonly workQueueName: string;
  readonly deadLetterQueueName: string;
}

/** URL and ARN of one queue. */
export interface QueueAddress {
  readonly url: string;
  readonly arn: string;
}

/** The work queue and its dead-letter queue. */
export interface PipelineQueues {
  readonly workQueue: QueueAddress;
  readonly deadLetterQueue: QueueAddress;
}

/** Derives the local resource names from the service and stage names. */
export function localResourceNames(settings: PipelineSettings): ResourceNames {
  const prefix = `${settings.serviceName}-${settings.stageName}`;

  return {
    tableName: `${prefix}-files`,
    workQueueName: `${prefix}-work`,
    deadLetterQueueName: `${prefix}-work-dlq`,
  };
}

/**
 * Creates the data file table with its status index, or checks that an
 * existing table has that index.
 *
 * @throws Error when an existing table lacks the status index keys.
 */
export async function ensureTable(
  dynamoDb: DynamoDBClient,
  tableName: string,
): Promise<void> {
  const existing = await describeTable(dynamoDb, tableName);
  if (existing) {
    checkStatusIndex(existing, tableName);
    return;
  }
  await dynamoDb.send(new CreateTableCommand(tableDefinition(tableName)));
  await waitUntilTableExists(
    { client: dynamoDb, maxWaitTime: 60, minDelay: 1, maxDelay: 2 },
    { TableName: tableName },
  );
}

/**
 * Creates the work queue and its dead-letter queue, or applies the
 * settings to queues that already exist.
 */
export async function ensureQueues(
  sqs: SQSClient,
  names: ResourceNames,
  settings: PipelineSettings,
): Promise<PipelineQueues> {
  const deadLetterQueue = await ensureQueue(sqs, names.deadLetterQueueName, {
    MessageRetentionPeriod: String(deadLetterRetentionSeconds),
  });
  const workQueue = await ensureQueue(sqs, names.workQueueName, {
    VisibilityTimeout: String(visibilityTimeoutSeconds(settings)),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: settings.maxReceiveCount,
    }),
  });

  return { workQueue, deadLetterQueue };
}

function tableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, statusIndexPartitionKey, statusIndexSortKey } =
    tableSchema;

  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: partitionKey, AttributeType: 'S' },
      { AttributeName: statusIndexPartitionKey, AttributeType: 'S' },
      { AttributeName: statusIndexSortKey, AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: tableSchema.statusIndexName,
        KeySchema: [
          { AttributeName: statusIndexPartitionKey, KeyType: 'HASH' },
          { AttributeName: statusIndexSortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

async function describeTable(
  dynamoDb: DynamoDBClient,
  tableName: string,
): Promise<TableDescription | undefined> {
  try {
    const output = await dynamoDb.send(
      new DescribeTableCommand({ TableName: tableName }),
    );
    return output.Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

function checkStatusIndex(table: TableDescription, tableName: string): void {
  const index = table.GlobalSecondaryIndexes?.find(
    (candidate) => candidate.IndexName === tableSchema.statusIndexName,
  );
  const keys = index?.KeySchema?.map((key) => key.AttributeName) ?? [];
  const expected = [
    tableSchema.statusIndexPartitionKey,
    tableSchema.statusIndexSortKey,
  ];
  if (keys.join() !== expected.join()) {
    throw new Error(
      `Table ${tableName} exists but its index ${tableSchema.statusIndexName} has keys [${keys.join(', ')}], expected [${expected.join(', ')}]. Delete the table or choose another stage name.`,
    );
  }
}

async function ensureQueue(
  sqs: SQSClient,
  queueName: string,
  attributes: Partial<Record<QueueAttributeName, string>>,
): Promise<QueueAddress> {
  let url = await findQueueUrl(sqs, queueName);
  if (url === undefined) {
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
    );
    url = created.QueueUrl;
  } else {
    await sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }),
    );
  }
  if (url === undefined) {
    throw new Error(`CreateQueue returned no URL for queue ${queueName}`);
  }
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['QueueArn'],
    }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) {
    throw new Error(`GetQueueAttributes returned no ARN for queue ${url}`);
  }

  return { url, arn };
}

async function findQueueUrl(
  sqs: SQSClient,
  queueName: string,
): Promise<string | undefined> {
  try {
    const output = await sqs.send(
      new GetQueueUrlCommand({ QueueName: queueName }),
    );
    return output.QueueUrl;
  } catch (error) {
    if (error instanceof QueueDoesNotExist) return undefined;
    throw error;
  }
}
