import { PipelineError } from '#shared/errors.js';

/** A held lock: who holds it, until when, and its fencing token. */
export interface Lease {
  readonly owner: string;
  /** Increases on every acquisition; writes that check it are fenced. */
  readonly fence: number;
  /** Epoch milliseconds, by the holder's clock, when the lease ends. */
  readonly expiresAt: number;
}

/** A lease together with the ids its lock item carries. */
export interface LeaseState {
  readonly lease: Lease;
  /**
   * Ids of a delete batch that a previous holder started and did not
   * confirm; the new holder deletes and counts them.
   */
  readonly pendingIds: readonly string[];
}

/**
 * A lock with a lease and a fencing token. Acquisition succeeds only when
 * the lock is free or its lease expired more than the safety margin ago.
 * Every other write is conditional on the caller's fence, so a holder that
 * lost the lock cannot extend or release the new holder's lock.
 *
 * Each owner measures time with its own clock: the holder sets `expiresAt`
 * from its clock, and a contender compares it with its own. The safety
 * margin is how long a contender waits past `expiresAt` before it takes
 * the lock over. Two holders never overlap as long as both rules are kept:
 *
 * - the clocks of any two owners differ by less than the safety margin;
 * - a holder finishes the writes that follow a successful `acquire` or
 *   `renew` within `leaseMs`, by its own clock, of the `now` it passed.
 *
 * A holder that breaks the second rule, for example because its process
 * paused, is fenced: its next `renew` or `release` raises
 * {@link LockLostError}, but writes it already sent are not undone.
 */
export interface LockStore {
  acquire(owner: string, leaseMs: number, now: number): Promise<LeaseState>;
  /**
   * Extends the lease and stores the ids of the batch about to be deleted.
   *
   * @throws LockLostError when another holder took the lock.
   */
  renew(
    lease: Lease,
    leaseMs: number,
    now: number,
    pendingIds: readonly string[],
  ): Promise<Lease>;
  /**
   * Frees the lock, keeping its pending ids for the next holder.
   *
   * @throws LockLostError when another holder took the lock.
   */
  release(lease: Lease): Promise<void>;
}

/** The lock is held by someone else and its lease has not expired. */
export class LockHeldError extends PipelineError {
  readonly holder: string | undefined;
  readonly expiresAt: number | undefined;

  constructor(holder: string | undefined, expiresAt: number | undefined) {
    super(`Lock held by ${holder ?? 'another owner'}`);
    this.name = 'LockHeldError';
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/** The caller's lease was taken over; its fence no longer matches. */
export class LockLostError extends PipelineError {
  readonly fence: number;

  constructor(lease: Lease, options?: ErrorOptions) {
    super(`Lock lost by ${lease.owner} (fence ${lease.fence})`, options);
    this.name = 'LockLostError';
    this.fence = lease.fence;
  }
}

/** Settings shared by the {@link LockStore} adapters. */
export interface LockStoreOptions {
  /**
   * Milliseconds a lease must be past its `expiresAt` before another owner
   * may take the lock over. Set it above the largest clock difference
   * between owners. @default 0
   */
  readonly safetyMarginMs?: number;
}

/**
 * Computes the cutoff for a contender whose clock reads `now`: it may take
 * the lock over only when `expiresAt < now - safetyMarginMs`.
 */
export function takeoverCutoff(now: number, safetyMarginMs: number): number {
  return now - safetyMarginMs;
}

interface StoredLock {
  owner: string | undefined;
  fence: number;
  expiresAt: number;
  pendingIds: readonly string[];
}

/** A {@link LockStore} in memory, with the same rules as the DynamoDB one. */
export class InMemoryLockStore implements LockStore {
  readonly #safetyMarginMs: number;
  #lock: StoredLock | undefined;

  constructor(options: LockStoreOptions = {}) {
    this.#safetyMarginMs = options.safetyMarginMs ?? 0;
  }

  async acquire(owner: string, leaseMs: number, now: number) {
    const current = this.#lock;
    const cutoff = takeoverCutoff(now, this.#safetyMarginMs);
    if (current?.owner !== undefined && current.expiresAt >= cutoff) {
      throw new LockHeldError(current.owner, current.expiresAt);
    }
    const fence = (current?.fence ?? 0) + 1;
    const pendingIds = current?.pendingIds ?? [];
    this.#lock = { owner, fence, expiresAt: now + leaseMs, pendingIds };

    return { lease: { owner, fence, expiresAt: now + leaseMs }, pendingIds };
  }

  async renew(
    lease: Lease,
    leaseMs: number,
    now: number,
    pendingIds: readonly string[],
  ) {
    const lock = this.#owned(lease);
    lock.expiresAt = now + leaseMs;
    lock.pendingIds = [...pendingIds];

    return { ...lease, expiresAt: lock.expiresAt };
  }

  async release(lease: Lease) {
    const lock = this.#owned(lease);
    lock.owner = undefined;
    lock.expiresAt = 0;
  }

  /** Returns a copy of the stored lock, for tests. */
  peek(): Readonly<StoredLock> | undefined {
    return this.#lock ? { ...this.#lock } : undefined;
  }

  #owned(lease: Lease): StoredLock {
    const lock = this.#lock;
    if (lock?.fence !== lease.fence || lock.owner !== lease.owner) {
      throw new LockLostError(lease);
    }

    return lock;
  }
}
