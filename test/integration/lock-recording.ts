import {
  type Lease,
  type LeaseState,
  LockLostError,
  type LockStore,
} from '#domain/lock.js';

/** When one owner held the lock, in `performance.now()` milliseconds. */
export interface HoldInterval {
  readonly owner: string;
  readonly fence: number;
  readonly start: number;
  readonly end: number;
}

/** Hooks that let a test pause or observe one owner's lock calls. */
export interface RecordingHooks {
  /** Called once the acquire call settled, whatever its outcome. */
  readonly onAcquireSettled?: () => void;
  /** Awaited before each renew; `call` counts from 1. */
  readonly beforeRenew?: (
    call: number,
    pendingIds: readonly string[],
  ) => Promise<void> | void;
  /** Awaited before the release. */
  readonly beforeRelease?: () => Promise<void> | void;
}

/**
 * A {@link LockStore} that forwards to another and records each hold,
 * from a successful acquire until the release or the first LockLostError.
 */
export class RecordingLockStore implements LockStore {
  readonly #inner: LockStore;
  readonly #holds: HoldInterval[];
  readonly #hooks: RecordingHooks;
  readonly #started = new Map<number, number>();
  #renewCalls = 0;

  constructor(
    inner: LockStore,
    holds: HoldInterval[],
    hooks: RecordingHooks = {},
  ) {
    this.#inner = inner;
    this.#holds = holds;
    this.#hooks = hooks;
  }

  async acquire(
    owner: string,
    leaseMs: number,
    now: number,
  ): Promise<LeaseState> {
    try {
      const state = await this.#inner.acquire(owner, leaseMs, now);
      this.#started.set(state.lease.fence, performance.now());
      return state;
    } finally {
      this.#hooks.onAcquireSettled?.();
    }
  }

  async renew(
    lease: Lease,
    leaseMs: number,
    now: number,
    pendingIds: readonly string[],
  ): Promise<Lease> {
    await this.#hooks.beforeRenew?.(++this.#renewCalls, pendingIds);
    try {
      return await this.#inner.renew(lease, leaseMs, now, pendingIds);
    } catch (error) {
      if (error instanceof LockLostError) this.#end(lease);
      throw error;
    }
  }

  async release(lease: Lease): Promise<void> {
    await this.#hooks.beforeRelease?.();
    try {
      await this.#inner.release(lease);
    } finally {
      this.#end(lease);
    }
  }

  #end(lease: Lease): void {
    const start = this.#started.get(lease.fence);
    if (start === undefined) return;
    this.#started.delete(lease.fence);
    this.#holds.push({
      owner: lease.owner,
      fence: lease.fence,
      start,
      end: performance.now(),
    });
  }
}

/** A promise that resolves once `open` is called. */
export interface Gate {
  readonly opened: Promise<void>;
  open(): void;
}

/** Creates a closed {@link Gate}. */
export function createGate(): Gate {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });

  return { opened, open: () => open() };
}

/** Creates a gate that opens after `count` calls of `arrive`. */
export function createBarrier(count: number): Gate & { arrive(): void } {
  const gate = createGate();
  let arrived = 0;

  return {
    ...gate,
    arrive: () => {
      arrived++;
      if (arrived >= count) gate.open();
    },
  };
}
