import { setTimeout as sleep } from 'node:timers/promises';

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** What the caller waits for, for the timeout message. */
  readonly description: string;
  /** @default 20000 */
  readonly timeoutMs?: number;
  /** @default 50 */
  readonly intervalMs?: number;
  /** Extra text for the timeout message, such as recent output. */
  readonly diagnostics?: () => string;
}

/**
 * Calls `probe` until it returns a value other than undefined, or fails
 * when the deadline passes.
 *
 * @throws Error naming what did not happen in time.
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      const details = options.diagnostics?.() ?? '';
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${options.description}${details ? `\n${details}` : ''}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}
