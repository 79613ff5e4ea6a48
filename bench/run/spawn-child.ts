import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  ChildMessage,
  ChildTask,
  DrainResult,
  ParentMessage,
} from './child-protocol.js';

const childEntry = fileURLToPath(
  new URL('./pipeline-child.ts', import.meta.url),
);

/** A running child process and a way to talk to it. */
export interface BenchChild {
  /** Resolves with the next message of the given type. */
  next<T extends ChildMessage['type']>(
    type: T,
  ): Promise<Extract<ChildMessage, { type: T }>>;
  send(message: ParentMessage): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
}

/**
 * Starts a child process for one task. Its environment is this process's
 * without any AWS variable, so no profile, credential or endpoint of the
 * machine reaches it: the local runtime sets loopback endpoints and dummy
 * credentials itself.
 */
export function startChild(task: ChildTask): BenchChild {
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );
  const child = fork(childEntry, [JSON.stringify(task)], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...environment,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });

  return wrapChild(child);
}

function wrapChild(child: ChildProcess): BenchChild {
  const queue: ChildMessage[] = [];
  const waiters: ((message: ChildMessage) => void)[] = [];
  let failure: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      failure ??= new Error(`Benchmark child exited with code ${code}`);
      for (const waiter of waiters.splice(0)) waiter(failedMessage(failure));
      resolve(code);
    });
  });
  child.on('message', (message: ChildMessage) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });

  return {
    exited,
    send: (message) => child.send(message),
    async next(type) {
      const message =
        queue.shift() ??
        (failure
          ? failedMessage(failure)
          : await new Promise<ChildMessage>((resolve) =>
              waiters.push(resolve),
            ));
      if (message.type === 'failed') {
        throw new Error(`Benchmark child failed: ${message.error}`);
      }
      if (message.type !== type) {
        throw new Error(`Expected a ${type} message, got ${message.type}`);
      }
      return message as Extract<ChildMessage, { type: typeof type }>;
    },
  };
}

function failedMessage(error: Error): ChildMessage {
  return { type: 'failed', error: error.message };
}

/** Runs a drain task in a child process and returns its result. */
export async function runDrainChild(task: ChildTask): Promise<DrainResult> {
  const child = startChild(task);
  const { result } = await child.next('drained');
  await child.exited;

  return result;
}
