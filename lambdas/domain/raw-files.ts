import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import type { TableConfig } from '#shared/config.js';
import {
  NotFoundError,
  StorageError,
  ValidationError,
} from '#shared/errors.js';
import { batchWriteAll } from './batch-write.js';
import { type FileItem, statusIndexKeys } from './file-item.js';

/** Dependencies of the ingest domain functions. */
export interface IngestDeps {
  readonly dynamoDb: DynamoDBDocumentClient;
  readonly table: TableConfig;
  readonly now?: () => Date;
  readonly newId?: () => string;
}

/** Outcome of a successful ingest. */
export interface StoredFiles {
  readonly ids: readonly string[];
  readonly count: number;
}

const nextUlid = monotonicFactory();
// The first character is at most 7: a ULID's 48-bit time fills 50 bits.
const ulidPattern = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/**
 * Stores one `raw` item per file name, in BatchWriteItem calls.
 *
 * @param onStored - called with the number of items of each stored chunk,
 *   so a counter can count exactly what reached the table.
 * @throws StorageError when some items could not be stored after retries;
 *   it lists the ids that were stored.
 */
export async function storeRawFiles(
  deps: IngestDeps,
  files: readonly string[],
  onStored: (count: number) => void,
): Promise<StoredFiles> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  const newId = deps.newId ?? (() => nextUlid());
  const items: FileItem[] = files.map((file) => {
    const id = newId();
    const keys = statusIndexKeys(id, 'raw', now, deps.table.statusShardCount);
    return { id, file, status: 'raw', createdAt: now, updatedAt: now, ...keys };
  });
  const requests = items.map((item) => ({ PutRequest: { Item: item } }));
  const result = await batchWriteAll(
    deps.dynamoDb,
    deps.table.tableName,
    requests,
    { onWritten: (written) => onStored(written.length) },
  );
  if (result.unprocessed.length > 0) {
    const storedIds = new Set(
      result.written.map((request) => String(request.PutRequest?.Item?.id)),
    );
    const stored = items.filter((item) => storedIds.has(item.id));
    const failed = items.filter((item) => !storedIds.has(item.id));
    throw new StorageError(
      `Stored ${stored.length} of ${items.length} files. Send the files listed in unstoredFiles again.`,
      {
        storedIds: stored.map((item) => item.id),
        unstoredFiles: failed.map((item) => item.file),
      },
      result.errors[0] ?? new Error('BatchWriteItem left items unprocessed'),
    );
  }

  return { ids: items.map((item) => item.id), count: items.length };
}

/** Public view of one file item. */
export interface FileView {
  readonly id: string;
  readonly file: string;
  readonly status: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Reads one file item by id.
 *
 * @throws ValidationError when the id is not a ULID.
 * @throws NotFoundError when no item has this id.
 */
export async function getFile(
  deps: IngestDeps,
  id: string | undefined,
): Promise<FileView> {
  if (id === undefined || !ulidPattern.test(id)) {
    const rule = 'must be a 26-character ULID';
    throw new ValidationError([{ field: 'id', rule, value: id ?? null }]);
  }
  const output = await deps.dynamoDb.send(
    new GetCommand({
      TableName: deps.table.tableName,
      Key: { id },
      ConsistentRead: true,
    }),
  );
  const item = output.Item as FileItem | undefined;
  if (!item?.status) {
    throw new NotFoundError('File', id);
  }

  return {
    id: item.id,
    file: item.file,
    status: item.status,
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}
