import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { defaultSettings } from '../lib/settings.js';
import { type RequestLimits, SendFilesError, sendFiles } from './send-files.js';

/** Streams and environment of `npm run send`, replaceable in tests. */
export interface SendCommandIo {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly stdout: { write(chunk: string): unknown };
  readonly stderr: { write(chunk: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Exit codes of `npm run send`. */
export const SendExitCode = {
  Success: 0,
  /** A request failed or returned an error status. */
  RequestFailed: 1,
  /** Invalid flags or no file names. */
  UsageError: 2,
} as const;

const defaultUrl = 'http://127.0.0.1:3000';

const usage = `Usage: npm run send -- [options] [file names]

Posts file names to POST /data/input and prints the created ids, one per
line. Without names and without --file, it reads names from standard
input. Names from --file or standard input are one per line. Lines that
are empty or only whitespace are skipped, as the API rejects such names.

Options:
  --url URL                    Base URL of the API (default
                               http://127.0.0.1:$PORT, else ${defaultUrl})
  --file PATH, -f PATH         Reads names from PATH, or from standard
                               input when PATH is -
  --max-files-per-request N    Maximum files per request (default
                               $PIPELINE_MAX_FILES_PER_REQUEST, else ${defaultSettings.maxFilesPerRequest})
  --max-body-bytes N           Maximum request body in bytes (default
                               $PIPELINE_MAX_BODY_BYTES, else ${defaultSettings.maxBodyBytes})
  --help, -h                   Shows this text

Exit status: 0 when every file was accepted, 1 when a request failed
(its response body goes to standard error), 2 for invalid options.
`;

class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

interface SendCommand {
  readonly url: string;
  readonly names: readonly string[];
  readonly limits: RequestLimits;
}

/**
 * Runs `npm run send`: reads file names from the arguments, a file or
 * standard input, posts them in requests within the API's limits, and
 * writes each created id to standard output as its request succeeds.
 *
 * @returns the exit code, one of `SendExitCode`.
 */
export async function runSendCommand(
  args: readonly string[],
  io: SendCommandIo,
): Promise<number> {
  let command: SendCommand | undefined;
  try {
    command = await parseSendCommand(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${error.message}\nRun npm run send -- --help.\n`);
    return SendExitCode.UsageError;
  }
  if (command === undefined) {
    io.stdout.write(usage);
    return SendExitCode.Success;
  }

  return postNames(command, io);
}

async function postNames(
  command: SendCommand,
  io: SendCommandIo,
): Promise<number> {
  try {
    await sendFiles(command.names, {
      ...command.limits,
      url: command.url,
      fetch: io.fetch,
      onAccepted: (ids) => io.stdout.write(ids.map((id) => `${id}\n`).join('')),
    });
  } catch (error) {
    if (!(error instanceof SendFilesError)) throw error;
    const total = command.names.length;
    io.stderr.write(
      `${error.message}\n${error.acceptedCount} of ${total} files were accepted before this request. Later requests were not sent.\n`,
    );
    return SendExitCode.RequestFailed;
  }

  return SendExitCode.Success;
}

/** @returns the command, or undefined when help was requested. */
async function parseSendCommand(
  args: readonly string[],
  io: SendCommandIo,
): Promise<SendCommand | undefined> {
  const { values, positionals } = parseFlags(args);
  if (values.help) return undefined;
  const url = parseUrl(
    values.url ??
      (io.env.PORT ? `http://127.0.0.1:${io.env.PORT}` : defaultUrl),
  );
  const limits: RequestLimits = {
    maxFilesPerRequest: positiveInteger(
      '--max-files-per-request',
      values['max-files-per-request'] ??
        io.env.PIPELINE_MAX_FILES_PER_REQUEST ??
        defaultSettings.maxFilesPerRequest,
    ),
    maxBodyBytes: positiveInteger(
      '--max-body-bytes',
      values['max-body-bytes'] ??
        io.env.PIPELINE_MAX_BODY_BYTES ??
        defaultSettings.maxBodyBytes,
    ),
  };
  const names = [...positionals];
  if (values.file !== undefined) {
    names.push(...(await readNameList(values.file, io)));
  } else if (positionals.length === 0) {
    names.push(...(await readNameList('-', io)));
  }
  if (names.length === 0) throw new UsageError('No file names given.');

  return { url, names, limits };
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        file: { type: 'string', short: 'f' },
        'max-files-per-request': { type: 'string' },
        'max-body-bytes': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message, { cause: error });
  }
}

function parseUrl(value: string): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new UsageError(
      `--url must be an absolute http or https URL, such as ${defaultUrl}, got '${value}'`,
    );
  }

  return value;
}

function positiveInteger(flag: string, value: string | number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  }

  return number;
}

/**
 * Reads names one per line from a file, or from standard input for `-`.
 * Only the line ending is removed, so names keep their spaces.
 */
async function readNameList(
  path: string,
  io: SendCommandIo,
): Promise<string[]> {
  let content: string;
  if (path === '-') {
    if (io.stdin.isTTY) {
      io.stderr.write(
        'Reading file names from standard input, one per line. Press Ctrl+D to end.\n',
      );
    }
    content = await text(io.stdin);
  } else {
    try {
      content = await readFile(path, 'utf8');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`Cannot read --file ${path}: ${reason}`, {
        cause: error,
      });
    }
  }

  return parseNameList(content);
}

/**
 * Splits text into names, one per line. Lines that are empty or only
 * whitespace are skipped, because the API rejects such names.
 */
export function parseNameList(content: string): string[] {
  return content.split(/\r?\n/).filter((line) => line.trim() !== '');
}
