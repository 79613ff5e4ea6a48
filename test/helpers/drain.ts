import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DynamoDBDocumentClient,
  GetCommand,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';
import { localCredentials } from '../../local/aws-environment.js';
import type { LocalPipeline } from '../../local/pipeline.js';
import { waitFor } from './wait-for.js';

/** Id of the deleter's lock item in the data file table. */
const lockId = 'lock#deleter';

/** Requests of one batch of files before `postFiles` gives up. */
const maxIngestAttempts = 20;

/** The parts of the ingest API's responses that `postFiles` reads. */
interface IngestResponseBody {
  readonly ids?: string[];
  readonly error?: { storedIds?: string[]; unstoredFiles?: string[] };
}

/**
 * Posts files to `POST /data/input` and sends again the files that a
 * `503` reports as unstored, as a client should.
 *
 * @returns the ids of every stored file.
 * @throws Error on any other status, or when files stay unstored.
 */
export async function postFiles(
  url: string,
  files: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  let pending = files;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > maxIngestAttempts) {
      throw new Error(
        `${pending.length} files still unstored after ${maxIngestAttempts} requests`,
      );
    }
    const response = await fetch(`${url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files: pending }),
    });
    const body = (await response.json()) as IngestResponseBody;
    if (response.status === 201) {
      ids.push(...(body.ids ?? []));
      pending = [];
    } else if (response.status === 503 && body.error?.unstoredFiles) {
      ids.push(...(body.error.storedIds ?? []));
      pending = body.error.unstoredFiles;
    } else {
      throw new Error(
        `POST /data/input returned ${response.status}: ${JSON.stringify(body)}`,
      );
    }
  }

  return ids;
}

/**
 * Ids of the files that the processor's `Processed N files` log entries
 * name, and the number of ids it skipped as no longer `queued`.
 */
export class ProcessedLog {
  readonly #counts = new Map<string, number>();
  #skipped = 0;

  /** Reads one output line; pass it to `pipeline.onOutputLine`. */
  readonly read = (line: string): void => {
    if (!line.includes('"skippedIds"')) return;
    const entry = JSON.parse(line) as {
      message?: string;
      ids?: unknown;
      skippedIds?: unknown;
    };
    if (Array.isArray(entry.skippedIds)) {
      this.#skipped += entry.skippedIds.length;
    }
    if (!/^Processed \d+ files$/.test(entry.message ?? '')) return;
    for (const id of Array.isArray(entry.ids) ? entry.ids : []) {
      this.#counts.set(String(id), (this.#counts.get(String(id)) ?? 0) + 1);
    }
  };

  /** Number of ids the processor skipped as no longer `queued`. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Returns how many log entries reported the file as processed. */
  timesProcessed(id: string): number {
    return this.#counts.get(id) ?? 0;
  }

  /** Returns the accepted ids that were not logged exactly once. */
  notProcessedOnce(accepted: readonly string[]): {
    never: string[];
    twice: string[];
  } {
    return {
      never: accepted.filter((id) => this.timesProcessed(id) === 0),
      twice: accepted.filter((id) => this.timesProcessed(id) > 1),
    };
  }
}

/** Work left in the pipeline, and its three counters. */
export interface DrainState {
  readonly raw: number;
  readonly processed: number;
  readonly deleted: number;
  /** File items still in the table, in any status. */
  readonly fileItems: number;
  /** Messages on the work queue, visible or in flight. */
  readonly workMessages: number;
  readonly deadLetterMessages: number;
  /** Ids the deleter's lock item still carries as unconfirmed. */
  readonly lockPendingIds: number;
}

/**
 * Reads the pipeline's table and queues through clients of its own, so
 * that no fault reaches them, and its counters from the metrics store.
 */
export class PipelineProbe {
  readonly #pipeline: LocalPipeline;
  readonly #dynamoDb: DynamoDBDocumentClient;
  readonly #sqs: SQSClient;

  constructor(pipeline: LocalPipeline) {
    this.#pipeline = pipeline;
    const common = { region: pipeline.region, credentials: localCredentials };
    this.#dynamoDb = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, endpoint: pipeline.endpoints.dynamoDb }),
    );
    this.#sqs = new SQSClient({ ...common, endpoint: pipeline.endpoints.sqs });
  }

  get dynamoDb(): DynamoDBDocumentClient {
    return this.#dynamoDb;
  }

  get sqs(): SQSClient {
    return this.#sqs;
  }

  get workQueueUrl(): string {
    return this.#pipeline.queues.workQueue.url;
  }

  /** Returns the current value of each pipeline metric, by name. */
  metrics(): Record<string, number> {
    return Object.fromEntries(
      this.#pipeline.metrics
        .read()
        .map((metric) => [metric.name, metric.value]),
    );
  }

  /** Returns every file item in the table (not the lock item). */
  async fileItems(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    const pages = paginateScan(
      { client: this.#dynamoDb },
      { TableName: this.#pipeline.tableName, ConsistentRead: true },
    );
    for await (const page of pages) {
      items.push(...(page.Items ?? []).filter((item) => 'status' in item));
    }

    return items;
  }

  /** Returns the messages on a queue: visible, in flight and delayed. */
  async messageCount(queueUrl: string): Promise<number> {
    const output = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );

    return Object.values(output.Attributes ?? {}).reduce(
      (sum, value) => sum + Number(value),
      0,
    );
  }

  /** Reads the counters, the table and the queues at once. */
  async state(): Promise<DrainState> {
    const { workQueue, deadLetterQueue } = this.#pipeline.queues;
    const [fileItems, workMessages, deadLetterMessages, lock] =
      await Promise.all([
        this.fileItems(),
        this.messageCount(workQueue.url),
        this.messageCount(deadLetterQueue.url),
        this.#dynamoDb.send(
          new GetCommand({
            TableName: this.#pipeline.tableName,
            Key: { id: lockId },
            ConsistentRead: true,
          }),
        ),
      ]);
    const metrics = this.metrics();
    const pendingIds = lock.Item?.pendingIds;

    return {
      raw: metrics.RawDataCount ?? 0,
      processed: metrics.ProcessedDataCount ?? 0,
      deleted: metrics.DeletedDataCount ?? 0,
      fileItems: fileItems.length,
      workMessages,
      deadLetterMessages,
      lockPendingIds: Array.isArray(pendingIds) ? pendingIds.length : 0,
    };
  }

  /**
   * Waits until `expected` files are counted as deleted, no file item is
   * left and the work queue is empty.
   *
   * @throws Error with the last state when that does not happen in time.
   */
  async waitForDrain(expected: number, timeoutMs: number): Promise<DrainState> {
    let last: DrainState | undefined;

    return waitFor(
      async () => {
        last = await this.state();
        const drained =
          last.deleted >= expected &&
          last.fileItems === 0 &&
          last.workMessages === 0;
        return drained ? last : undefined;
      },
      {
        description: `a drain of ${expected} files`,
        timeoutMs,
        intervalMs: 250,
        diagnostics: () => `last state: ${JSON.stringify(last)}`,
      },
    );
  }

  destroy(): void {
    this.#dynamoDb.destroy();
    this.#sqs.destroy();
  }
}
