import { setTimeout as sleep } from 'node:timers/promises';

/** A repeating job that runs in place of an EventBridge schedule. */
export interface Schedule {
  /** Cancels the next run and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/** Options of `startSchedule`. */
export interface ScheduleProps {
  /** Milliseconds from the start of one run to the start of the next. */
  readonly intervalMs: number;
  /** The job; it must not reject, because nothing would handle it. */
  readonly run: () => Promise<void>;
}

/**
 * Runs a job every `intervalMs`, first after one interval. A run that
 * lasts longer than the interval delays the next one, which then starts
 * as soon as it ends, so runs never overlap.
 */
export function startSchedule({ intervalMs, run }: ScheduleProps): Schedule {
  const controller = new AbortController();
  const { signal } = controller;

  const loop = async () => {
    let nextStart = Date.now() + intervalMs;
    while (await sleepUntil(nextStart, signal)) {
      const startedAt = Date.now();
      await run();
      nextStart = Math.max(startedAt + intervalMs, Date.now());
    }
  };
  const running = loop();

  return {
    async stop() {
      controller.abort();
      await running;
    },
  };
}

/**
 * Sleeps until a time, or until the signal aborts.
 *
 * @returns false when the signal aborted.
 */
export async function sleepUntil(
  time: number,
  signal: AbortSignal,
): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(Math.max(0, time - Date.now()), undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}
