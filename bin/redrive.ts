#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { findStuckFiles, requeueStuckFiles } from '#domain/redrive.js';
import { tableSchema } from '#shared/table-schema.js';
import { defaultSettings } from '../lib/settings.js';

const usage = `Usage: npx tsx bin/redrive.ts --table-name NAME [options]

Finds the files that the dispatcher marked stuck (status index partitions
stuck#0 ... stuck#N-1) and moves them back to raw with their dispatch
attempts reset, so the next dispatcher run sends them again. Fix the cause
of the failures first. The AWS SDK reads the region, credentials and
endpoint from the standard AWS variables and profile.

Options:
  --table-name NAME          data file table (default: $TABLE_NAME)
  --status-shard-count N     status index shards of the stack (default ${defaultSettings.statusShardCount})
  --limit N                  files to read from each shard (default 1000)
  --dry-run                  list the stuck files without changing them
  --help                     print this help
`;

/** A command line that cannot run, so the process exits with status 2. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface RedriveOptions {
  readonly tableName: string;
  readonly statusShardCount: number;
  readonly limit: number;
  readonly dryRun: boolean;
}

function parseOptions(args: string[]): RedriveOptions | undefined {
  const { values } = parseArgs({
    args,
    options: {
      'table-name': { type: 'string' },
      'status-shard-count': { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return undefined;
  const tableName = values['table-name'] ?? process.env.TABLE_NAME;
  if (!tableName) {
    throw new UsageError(
      'Missing --table-name: pass the data file table, or set TABLE_NAME',
    );
  }

  return {
    tableName,
    statusShardCount: positiveInteger(
      'status-shard-count',
      values['status-shard-count'] ?? String(defaultSettings.statusShardCount),
    ),
    limit: positiveInteger('limit', values.limit ?? '1000'),
    dryRun: values['dry-run'],
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got '${text}'`);
  }

  return value;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options === undefined) {
    process.stdout.write(usage);
    return;
  }
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const table = {
    tableName: options.tableName,
    statusIndexName: tableSchema.statusIndexName,
    statusShardCount: options.statusShardCount,
  };
  try {
    const stuck = await findStuckFiles(client, table, options.limit);
    process.stdout.write(`stuck files found: ${stuck.length}\n`);
    if (options.dryRun) {
      for (const item of stuck) {
        process.stdout.write(
          `stuck: ${item.id} ${JSON.stringify(item.file)}\n`,
        );
      }
      return;
    }
    const summary = await requeueStuckFiles(client, table, stuck);
    for (const id of summary.requeued) {
      process.stdout.write(`moved to raw: ${id}\n`);
    }
    for (const id of summary.skipped) {
      process.stdout.write(`skipped, changed since found: ${id}\n`);
    }
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError || isParseArgsError(error)) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`Redrive failed: ${String(error)}\n`);
  process.exitCode = 1;
});

/** `parseArgs` rejects unknown flags and missing values with these codes. */
function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;

  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
