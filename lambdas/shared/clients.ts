import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { requirePositiveInteger } from './config.js';

/**
 * SDK clients, created once per container. Endpoints, region and
 * credentials come from the standard AWS environment variables, so the
 * local runtime reaches its emulators through `AWS_ENDPOINT_URL_*` alone.
 */
const clientConfig = {
  maxAttempts: requirePositiveInteger('SDK_MAX_ATTEMPTS'),
  requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
};

export const dynamoDb = DynamoDBDocumentClient.from(
  new DynamoDBClient(clientConfig),
  { marshallOptions: { removeUndefinedValues: true } },
);

export const sqs = new SQSClient(clientConfig);
