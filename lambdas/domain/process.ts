import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableConfig } from '#shared/config.js';
import { PipelineError, toError } from '#shared/errors.js';
import { transitionItem } from './claims.js';

/** A work message whose body does not match `{"ids": [string, …]}`. */
export class InvalidMessageError extends PipelineError {
  constructor(reason: string, options?: ErrorOptions) {
    super(`Invalid work message: ${reason}`, options);
    this.name = 'InvalidMessageError';
  }
}

/** Some updates of a message failed; the message must be retried. */
export class ProcessingError extends PipelineError {
  readonly failedIds: readonly string[];

  constructor(failedIds: readonly string[], cause: Error) {
    super(`Failed to process ${failedIds.length} files`, { cause });
    this.name = 'ProcessingError';
    this.failedIds = failedIds;
  }
}

/** Outcome of processing the ids of one message. */
export interface ProcessResult {
  /** Ids this call moved `queued → processed`. */
  readonly processed: readonly string[];
  /** Ids that were not `queued`: already processed, deleted, or re-queued. */
  readonly skipped: readonly string[];
  /** Ids whose update failed after the SDK's retries. */
  readonly failed: readonly string[];
  readonly firstError?: Error;
}

/**
 * Parses a work message body.
 *
 * @throws InvalidMessageError naming what is wrong with the body.
 */
export function parseWorkMessage(body: string): string[] {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError('body is not JSON', { cause: error });
  }
  const ids = (document as { ids?: unknown } | null)?.ids;
  if (!Array.isArray(ids) || ids.length === 0) {
    throw new InvalidMessageError('ids must be a non-empty array');
  }
  if (!ids.every((id) => typeof id === 'string' && id !== '')) {
    throw new InvalidMessageError('every id must be a non-empty string');
  }

  return ids as string[];
}

/**
 * Moves each file `queued → processed` with a conditional update, all at
 * once. A file that is no longer `queued` is skipped, so a duplicate
 * delivery counts nothing twice.
 */
export async function processFiles(
  deps: {
    readonly dynamoDb: DynamoDBDocumentClient;
    readonly table: TableConfig;
    readonly now?: () => Date;
  },
  ids: readonly string[],
): Promise<ProcessResult> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const unique = [...new Set(ids)];
  const results = await Promise.allSettled(
    unique.map((id) =>
      transitionItem(deps.dynamoDb, deps.table, {
        id,
        expected: 'queued',
        status: 'processed',
        since: now,
        now,
      }),
    ),
  );
  const processed: string[] = [];
  const skipped: string[] = [];
  const failed: string[] = [];
  let firstError: Error | undefined;
  results.forEach((result, index) => {
    const id = unique[index] ?? '';
    if (result.status === 'rejected') {
      failed.push(id);
      firstError ??= toError(result.reason);
    } else if (result.value === 'written') {
      processed.push(id);
    } else {
      skipped.push(id);
    }
  });

  return { processed, skipped, failed, ...(firstError ? { firstError } : {}) };
}
