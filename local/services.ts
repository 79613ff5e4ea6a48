import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { PipelineSettings } from '../lib/settings.js';
import { localCredentials, type ServiceEndpoints } from './aws-environment.js';
import { startDynamoDbEmulator, startSqsEmulator } from './emulators.js';
import type { ResolvedPipelineOptions } from './pipeline-options.js';

/** Registers a function that releases something on stop. */
export type AddCleanup = (release: () => Promise<void> | void) => void;

/**
 * Starts an emulator for each service that has no endpoint in the
 * options, and returns the endpoints to use.
 */
export async function startServices(
  options: ResolvedPipelineOptions,
  addCleanup: AddCleanup,
): Promise<ServiceEndpoints> {
  let dynamoDb = options.endpoints.dynamoDb;
  if (dynamoDb === undefined) {
    const emulator = await startDynamoDbEmulator(options.dynamoDbPort);
    addCleanup(emulator.close);
    dynamoDb = emulator.url;
  }
  let sqs = options.endpoints.sqs;
  if (sqs === undefined) {
    const emulator = await startSqsEmulator(options.sqsPort, options.region);
    addCleanup(emulator.close);
    sqs = emulator.url;
  }

  return { dynamoDb, sqs };
}

/** SDK clients of the runtime itself, with every connection setting set. */
export interface RuntimeClients {
  readonly dynamoDb: DynamoDBClient;
  readonly sqs: SQSClient;
}

/**
 * Creates the runtime's own SDK clients with explicit endpoints, region
 * and dummy credentials, so they never read a profile or call AWS.
 */
export function createRuntimeClients(
  endpoints: ServiceEndpoints,
  region: string,
  settings: PipelineSettings,
  addCleanup: AddCleanup,
): RuntimeClients {
  const common = {
    region,
    credentials: localCredentials,
    maxAttempts: settings.sdkMaxAttempts,
  };
  const clients = {
    dynamoDb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamoDb }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
  };
  addCleanup(() => {
    clients.dynamoDb.destroy();
    clients.sqs.destroy();
  });

  return clients;
}
