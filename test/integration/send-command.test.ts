import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  closeServer,
  listenOnLoopback,
  loopbackUrl,
} from '../../local/loopback.js';
import { runSendCommand, SendExitCode } from '../../local/send-command.js';

/** One request that the fake ingest API received. */
interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly files: string[];
}

type Responder = (
  files: string[],
  index: number,
) => { status: number; body: unknown };

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const acceptAll: Responder = (files, index) => ({
  status: 201,
  body: { ids: files.map((_, n) => `id-${index}-${n}`), count: files.length },
});

/** A fake of `POST /data/input` on 127.0.0.1 that records each request. */
class FakeIngestApi {
  readonly requests: ReceivedRequest[] = [];
  respond: Responder = acceptAll;
  url = '';
  readonly #server: Server = createServer((request, response) => {
    text(request).then((body) => {
      const files = (JSON.parse(body) as { files: string[] }).files;
      this.requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        contentType: request.headers['content-type'],
        files,
      });
      const reply = this.respond(files, this.requests.length - 1);
      response.writeHead(reply.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(reply.body));
    });
  });

  async start(): Promise<void> {
    this.url = loopbackUrl(await listenOnLoopback(this.#server, 0));
  }

  stop(): Promise<void> {
    return closeServer(this.#server);
  }

  reset(): void {
    this.requests.length = 0;
    this.respond = acceptAll;
  }
}

/** Runs the command in this process and collects what it writes. */
async function send(
  args: readonly string[],
  options: { stdin?: string; env?: Record<string, string> } = {},
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const exitCode = await runSendCommand(args, {
    stdin: Readable.from([options.stdin ?? '']),
    stdout: { write: (chunk: string) => stdout.push(chunk) },
    stderr: { write: (chunk: string) => stderr.push(chunk) },
    env: options.env ?? {},
  });

  return { exitCode, stdout: stdout.join(''), stderr: stderr.join('') };
}

describe('Command: npm run send', () => {
  const api = new FakeIngestApi();
  let workDirectory: string;

  beforeAll(async () => {
    await api.start();
    workDirectory = await mkdtemp(join(tmpdir(), 'send-command-'));
  });

  afterEach(() => api.reset());

  afterAll(async () => {
    await api.stop();
    await rm(workDirectory, { recursive: true, force: true });
  });

  it('prints the created ids one per line', async () => {
    const result = await send(['--url', api.url, 'file_1', 'file_2']);

    expect(result.exitCode).toBe(SendExitCode.Success);
    expect(result.stdout).toBe('id-0-0\nid-0-1\n');
    expect(result.stderr).toBe('');
    expect(api.requests).toEqual([
      {
        method: 'POST',
        path: '/data/input',
        contentType: 'application/json',
        files: ['file_1', 'file_2'],
      },
    ]);
  });

  it('splits the names at the maximum files per request', async () => {
    const names = Array.from({ length: 7 }, (_, index) => `file_${index}`);

    const result = await send([
      '--url',
      api.url,
      '--max-files-per-request',
      '3',
      ...names,
    ]);

    expect(result.exitCode).toBe(SendExitCode.Success);
    expect(api.requests.map((request) => request.files)).toEqual([
      names.slice(0, 3),
      names.slice(3, 6),
      names.slice(6),
    ]);
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(7);
  });

  it('reads the request limit from the runtime variable', async () => {
    const names = ['a', 'b', 'c', 'd'];

    const fromVariable = await send(['--url', api.url, ...names], {
      env: { PIPELINE_MAX_FILES_PER_REQUEST: '2' },
    });
    const requestsFromVariable = api.requests.length;
    api.reset();
    const fromFlag = await send(
      ['--url', api.url, '--max-files-per-request', '4', ...names],
      { env: { PIPELINE_MAX_FILES_PER_REQUEST: '2' } },
    );

    expect(fromVariable.exitCode).toBe(SendExitCode.Success);
    expect(requestsFromVariable).toBe(2);
    expect(fromFlag.exitCode).toBe(SendExitCode.Success);
    expect(api.requests).toHaveLength(1);
  });

  it('reads names from --file', async () => {
    const path = join(workDirectory, 'names.txt');
    await writeFile(path, 'file_1\n\nfile with spaces\r\nfile_3\n');

    const result = await send(['--url', api.url, '--file', path]);

    expect(result.exitCode).toBe(SendExitCode.Success);
    expect(api.requests[0]?.files).toEqual([
      'file_1',
      'file with spaces',
      'file_3',
    ]);
  });

  it('reads names from standard input without arguments', async () => {
    const result = await send(['--url', api.url], { stdin: 'a\nb\n' });

    expect(result.exitCode).toBe(SendExitCode.Success);
    expect(api.requests[0]?.files).toEqual(['a', 'b']);
  });

  it('stops at a rejected request and prints its body', async () => {
    const error = { message: 'Invalid request', errors: [{ field: 'files' }] };
    api.respond = (files, index) =>
      index === 1 ? { status: 400, body: error } : acceptAll(files, index);

    const result = await send([
      '--url',
      api.url,
      '--max-files-per-request',
      '2',
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);

    expect(result.exitCode).toBe(SendExitCode.RequestFailed);
    expect(result.stdout).toBe('id-0-0\nid-0-1\n');
    expect(result.stderr).toContain(
      `POST ${api.url}/data/input returned 400: ${JSON.stringify(error)}`,
    );
    expect(result.stderr).toContain('2 of 5 files were accepted');
    expect(api.requests).toHaveLength(2);
  });

  it('fails on a server error status', async () => {
    api.respond = () => ({ status: 503, body: { message: 'Unavailable' } });

    const result = await send(['--url', api.url, 'a']);

    expect(result.exitCode).toBe(SendExitCode.RequestFailed);
    expect(result.stderr).toContain('returned 503: {"message":"Unavailable"}');
  });

  it('fails on a 201 without an id per file', async () => {
    api.respond = () => ({ status: 201, body: { ids: ['only-one'] } });

    const result = await send(['--url', api.url, 'a', 'b']);

    expect(result.exitCode).toBe(SendExitCode.RequestFailed);
    expect(result.stderr).toContain('returned 201 without 2 ids');
  });

  it('fails when nothing listens at the URL', async () => {
    const closed = createServer();
    const url = loopbackUrl(await listenOnLoopback(closed, 0));
    await closeServer(closed);

    const result = await send(['--url', url, 'a']);

    expect(result.exitCode).toBe(SendExitCode.RequestFailed);
    expect(result.stderr).toContain(`POST ${url}/data/input failed`);
    expect(result.stderr).toContain('ECONNREFUSED');
  });

  it.each([
    ['no names', [], 'No file names given.'],
    [
      'a URL without a scheme',
      ['--url', 'localhost:3000', 'a'],
      "--url must be an absolute http or https URL, such as http://127.0.0.1:3000, got 'localhost:3000'",
    ],
    ['an ftp URL', ['--url', 'ftp://127.0.0.1/', 'a'], 'http or https URL'],
    ['a relative URL', ['--url', '/data', 'a'], 'http or https URL'],
    [
      'a zero request limit',
      ['--max-files-per-request', '0', 'a'],
      "--max-files-per-request must be a positive integer, got '0'",
    ],
    ['an unknown flag', ['--nope', 'a'], "Unknown option '--nope'"],
    ['a missing file', ['--file', '/nonexistent/names.txt'], 'ENOENT'],
  ])('rejects %s as a usage error', async (_case, args, message) => {
    const result = await send(args);

    expect(result.exitCode).toBe(SendExitCode.UsageError);
    expect(result.stderr).toContain(message);
    expect(api.requests).toHaveLength(0);
  });

  it('prints the help text', async () => {
    const result = await send(['--help']);

    expect(result.exitCode).toBe(SendExitCode.Success);
    expect(result.stdout).toContain('Usage: npm run send --');
  });

  it('runs as npm run send with names on standard input', async () => {
    const child = spawn('npm', ['run', '-s', 'send', '--', '--url', api.url], {
      cwd: repositoryRoot,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end('file_1\nfile_2\n');
    const [stdout, stderr, [exitCode]] = await Promise.all([
      text(child.stdout),
      text(child.stderr),
      once(child, 'exit'),
    ]);

    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(stdout).toBe('id-0-0\nid-0-1\n');
  });
});
