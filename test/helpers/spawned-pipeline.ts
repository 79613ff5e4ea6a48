import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OutputLines } from './output-lines.js';
import { waitFor } from './wait-for.js';

/** A pipeline started by `npm start` in a child process. */
export interface SpawnedPipeline {
  /** Base URL from the `listening on` line. */
  readonly url: string;
  /** Standard output, line by line. */
  readonly output: OutputLines;
  /** Standard error, line by line. */
  readonly errors: OutputLines;
  /**
   * Sends SIGTERM to the process group and waits for the exit; kills the
   * group after `timeoutMs`.
   *
   * @returns the exit code, or the signal that ended the process.
   */
  stop(timeoutMs?: number): Promise<number | NodeJS.Signals | null>;
}

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const listeningLine = /^datafile-pipeline listening on (http:\/\/\S+)$/;

/**
 * Variables that would make the child use other endpoints or settings
 * than the defaults, so a developer's shell cannot leak into the test.
 */
const ignoredVariables =
  /^(AWS_ENDPOINT_URL.*|AWS_IGNORE_CONFIGURED_ENDPOINT_URLS|PIPELINE_.*|DYNAMODB_PORT|SQS_PORT|DISPATCH_INTERVAL_SECONDS|DELETE_INTERVAL_SECONDS)$/;

/**
 * Runs `npm start` with `PORT=0` in its own process group and waits for
 * its `listening on` line.
 *
 * @param extraArgs - arguments after `npm start --`.
 */
export async function spawnPipeline(
  extraArgs: readonly string[] = [],
): Promise<SpawnedPipeline> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !ignoredVariables.test(name),
    ),
  );
  const child = spawn('npm', ['start', '--', ...extraArgs], {
    cwd: repositoryRoot,
    env: { ...env, PORT: '0' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collectLines(child.stdout);
  const errors = collectLines(child.stderr);
  const exited = once(child, 'exit');
  const stop = (timeoutMs = 20_000) =>
    stopProcessGroup(child, exited, timeoutMs);
  try {
    const url = await waitFor(() => findListeningUrl(output, child), {
      description: 'the listening line of npm start',
      timeoutMs: 60_000,
      diagnostics: () => `${output.tail(20)}\n${errors.tail(20)}`,
    });
    return { url, output, errors, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function collectLines(stream: NodeJS.ReadableStream | null): OutputLines {
  const lines = new OutputLines();
  if (stream) createInterface({ input: stream }).on('line', lines.push);

  return lines;
}

function findListeningUrl(
  output: OutputLines,
  child: ChildProcess,
): string | undefined {
  if (child.exitCode !== null) {
    throw new Error(`npm start exited with code ${child.exitCode}`);
  }
  for (const line of output.lines) {
    const url = listeningLine.exec(line)?.[1];
    if (url) return url;
  }

  return undefined;
}

/**
 * npm and sh exit on SIGTERM before the runtime has stopped, so this waits
 * for every process of the group, not only for npm.
 */
async function stopProcessGroup(
  child: ChildProcess,
  exited: Promise<unknown[]>,
  timeoutMs: number,
): Promise<number | NodeJS.Signals | null> {
  const pid = child.pid;
  if (pid !== undefined && isGroupAlive(pid)) {
    process.kill(-pid, 'SIGTERM');
    try {
      await waitFor(() => (isGroupAlive(pid) ? undefined : true), {
        description: `process group ${pid} to exit after SIGTERM`,
        timeoutMs,
        intervalMs: 100,
      });
    } catch (error) {
      if (isGroupAlive(pid)) process.kill(-pid, 'SIGKILL');
      throw error;
    }
  }
  await exited;

  return child.exitCode ?? child.signalCode;
}

/** Signal 0 checks that a process of the group still exists. */
function isGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}
