import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { toError } from '#shared/errors.js';

type WriteRequest = NonNullable<
  BatchWriteCommandInput['RequestItems']
>[string][number];

/** Options of {@link batchWriteAll}. */
export interface BatchWriteOptions {
  /** Retries of the unprocessed items of one chunk. @default 6 */
  readonly maxRetries?: number;
  /** First backoff delay in milliseconds, doubled per retry. @default 25 */
  readonly baseDelayMs?: number;
  /** Chunks of 25 written at once. @default 4 */
  readonly concurrency?: number;
  /** Called after each chunk with the requests it wrote. */
  readonly onWritten?: (requests: readonly WriteRequest[]) => void;
  /**
   * Tells whether another retry may start; when it returns false, what is
   * still unprocessed is returned as unprocessed. @default always true
   */
  readonly mayRetry?: () => boolean;
}

/** Requests written and requests still unprocessed after every retry. */
export interface BatchWriteResult {
  readonly written: readonly WriteRequest[];
  readonly unprocessed: readonly WriteRequest[];
  /** Errors of calls that failed after the SDK's own retries. */
  readonly errors: readonly Error[];
}

/** Maximum requests in one BatchWriteItem call, fixed by DynamoDB. */
export const batchWriteLimit = 25;

/**
 * Writes the requests in BatchWriteItem calls of 25 and retries the
 * `UnprocessedItems` that DynamoDB returns for throttled writes, which the
 * SDK does not retry, with exponential backoff and full jitter.
 *
 * It does not throw for a failed call: the requests of that call are
 * returned as unprocessed with the error, so the caller knows exactly what
 * was stored.
 */
export async function batchWriteAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: BatchWriteOptions = {},
): Promise<BatchWriteResult> {
  const chunks: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += batchWriteLimit) {
    chunks.push(requests.slice(start, start + batchWriteLimit));
  }
  const written: WriteRequest[] = [];
  const unprocessed: WriteRequest[] = [];
  const errors: Error[] = [];
  const writeNext = async (): Promise<void> => {
    for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) {
      const result = await writeChunk(client, tableName, chunk, options);
      written.push(...result.written);
      unprocessed.push(...result.unprocessed);
      errors.push(...result.errors);
      options.onWritten?.(result.written);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, writeNext);
  await Promise.all(workers);

  return { written, unprocessed, errors };
}

async function writeChunk(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunk: readonly WriteRequest[],
  options: BatchWriteOptions,
): Promise<BatchWriteResult> {
  const maxRetries = options.maxRetries ?? 6;
  const baseDelayMs = options.baseDelayMs ?? 25;
  let pending = [...chunk];
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 0) {
      await sleep(Math.random() * baseDelayMs * 2 ** (attempt - 1));
    }
    let left: WriteRequest[];
    try {
      const output = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      left = output.UnprocessedItems?.[tableName] ?? [];
    } catch (error) {
      const failure = toError(error);

      return {
        written: without(chunk, pending),
        unprocessed: pending,
        errors: [failure],
      };
    }
    const stop = attempt >= maxRetries || options.mayRetry?.() === false;
    if (left.length > 0 && stop) {
      return { written: without(chunk, left), unprocessed: left, errors: [] };
    }
    pending = left;
  }

  return { written: [...chunk], unprocessed: [], errors: [] };
}

function without(
  all: readonly WriteRequest[],
  left: readonly WriteRequest[],
): WriteRequest[] {
  const leftKeys = new Set(left.map(requestKey));

  return all.filter((request) => !leftKeys.has(requestKey(request)));
}

function requestKey(request: WriteRequest): string {
  const key = request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {};

  return String(key.id);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
