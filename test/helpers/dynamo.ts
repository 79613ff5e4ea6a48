import { randomUUID } from 'node:crypto';
import {
  type AttributeValue,
  DynamoDBClient,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '../../local/aws-environment.js';
import {
  type RunningEmulator,
  startDynamoDbEmulator,
} from '../../local/emulators.js';
import { ensureTable } from '../../local/resources.js';

/** Region that test clients sign for; dynalite accepts any. */
export const testRegion = 'us-east-1';

/** A dynalite server on the loopback address with one data file table. */
export interface TestTable {
  /** Endpoint URL, such as `http://127.0.0.1:40123`. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBClient;
  readonly documentClient: DynamoDBDocumentClient;
  /** Creates another table like the first one and returns its name. */
  addTable(): Promise<string>;
  /** Destroys the clients and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on a free loopback port, unless the variable
 * `TEST_DYNAMODB_ENDPOINT` names another DynamoDB on loopback, such as
 * DynamoDB Local, which `scripts/test-dynamodb-local.sh` starts to check
 * dynalite's fidelity. Closing leaves such an external server running.
 */
export async function startTestDynamoDb(): Promise<RunningEmulator> {
  const external = process.env.TEST_DYNAMODB_ENDPOINT;
  if (!external) return startDynamoDbEmulator(0);
  const host = new URL(external).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') {
    throw new Error(
      `TEST_DYNAMODB_ENDPOINT must be on loopback, got '${external}'`,
    );
  }

  return { url: external, close: async () => {} };
}

/**
 * Starts DynamoDB (see {@link startTestDynamoDb}) and creates a table with
 * a unique name, with the same keys and status index as the stack's table.
 */
export async function startTestTable(): Promise<TestTable> {
  const emulator = await startTestDynamoDb();
  const tableName = uniqueName('files');
  const documentClient = createDocumentClient(emulator.url);
  const client = new DynamoDBClient(clientConfig(emulator.url));
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    documentClient.destroy();
    await emulator.close();
    throw error;
  }

  return {
    endpoint: emulator.url,
    tableName,
    client,
    documentClient,
    addTable: async () => {
      const name = uniqueName('files');
      await ensureTable(client, name);
      return name;
    },
    close: async () => {
      client.destroy();
      documentClient.destroy();
      await emulator.close();
    },
  };
}

/**
 * Creates a document client with an explicit endpoint, region and dummy
 * credentials, so it never reaches AWS or the instance metadata service.
 * Each call returns a separate client, so that a test can add middleware
 * to one without affecting the others.
 */
export function createDocumentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient(clientConfig(endpoint)),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

function clientConfig(endpoint: string) {
  return {
    endpoint,
    region: testRegion,
    credentials: localCredentials,
    maxAttempts: 1,
  };
}

/** Builds a name that no other test run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Counts the items of a table with a paged Scan. */
export async function countItems(
  client: DynamoDBClient,
  tableName: string,
): Promise<number> {
  let count = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const output = await client.send(
      new ScanCommand({
        TableName: tableName,
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += output.Count ?? 0;
    startKey = output.LastEvaluatedKey;
  } while (startKey);

  return count;
}

/** A time span of one call, in `performance.now()` milliseconds. */
export interface CallInterval {
  readonly start: number;
  readonly end: number;
}

/**
 * Records the start and end of every call of one DynamoDB operation, such
 * as `BatchWriteItemCommand`, that goes through the client.
 */
export function recordCalls(
  client: DynamoDBDocumentClient,
  commandName: string,
): CallInterval[] {
  const calls: CallInterval[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== commandName) return next(args);
      const start = performance.now();
      try {
        return await next(args);
      } finally {
        calls.push({ start, end: performance.now() });
      }
    },
    { step: 'initialize', name: `record-${commandName}-${randomUUID()}` },
  );

  return calls;
}

/**
 * Runs `before` ahead of every call of one operation, such as to pause it
 * or to throw an injected failure instead of sending it. `before` gets
 * the 1-based number of the call and the command input.
 *
 * @returns a function that removes the interception.
 */
export function interceptCalls(
  client: DynamoDBDocumentClient,
  commandName: string,
  before: (call: number, input: Record<string, unknown>) => unknown,
): () => void {
  const name = `intercept-${commandName}-${randomUUID()}`;
  let calls = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== commandName) return next(args);
      calls++;
      await before(calls, args.input as Record<string, unknown>);
      return next(args);
    },
    { step: 'initialize', name },
  );

  return () => {
    client.middlewareStack.remove(name);
  };
}

/**
 * Finds pairs of intervals, from different owners, that overlap in time.
 * Touching ends do not count as overlap.
 */
export function findOverlaps<T extends CallInterval & { owner: string }>(
  intervals: readonly T[],
): [T, T][] {
  const sorted = [...intervals].sort((a, b) => a.start - b.start);
  const overlaps: [T, T][] = [];
  sorted.forEach((first, index) => {
    for (const second of sorted.slice(index + 1)) {
      if (second.start >= first.end) break;
      if (second.owner !== first.owner) overlaps.push([first, second]);
    }
  });

  return overlaps;
}
