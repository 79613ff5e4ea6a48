import type { RecorderSnapshot } from '../measure/recorder.js';
import type { Variant } from './variant-handlers.js';

/** Task of a child process, passed as JSON in its first argument. */
export interface ChildTask {
  readonly variant: Variant;
  readonly phase: 'ingest' | 'drain';
  /** Files to send in the drain phase. */
  readonly files: number;
  /** Files per POST in the drain phase. */
  readonly filesPerRequest: number;
  /** Maximum wait for the drain, in milliseconds. */
  readonly drainTimeoutMs: number;
  readonly dispatchIntervalSeconds: number;
  readonly deleteIntervalSeconds: number;
  /** Pipeline setting overrides over the local settings. */
  readonly settings: Readonly<Record<string, unknown>>;
}

/** Times of one drain, in milliseconds from the first POST. */
export interface DrainTimings {
  readonly ingestedMs: number;
  readonly processedMs: number;
  readonly deletedMs: number;
}

/** Results of the checks after a drain. */
export interface DrainChecks {
  readonly ingested: number;
  readonly processed: number;
  readonly deleted: number;
  /** File items still in the table; the lock item does not count. */
  readonly itemsLeft: number;
  readonly messagesLeft: number;
  readonly deadLetterMessages: number;
  /** Items the capacity model still holds; 0 when it saw every write. */
  readonly shadowItemsLeft: number;
}

/** Result of a drain phase. */
export interface DrainResult {
  readonly files: number;
  readonly filesPerRequest: number;
  /** Undefined when the drain did not finish in time. */
  readonly timings: DrainTimings | undefined;
  readonly checks: DrainChecks;
  readonly recorded: RecorderSnapshot;
}

/** Messages from a child to the parent. */
export type ChildMessage =
  | { readonly type: 'ready'; readonly url: string }
  | { readonly type: 'snapshot'; readonly recorded: RecorderSnapshot }
  | { readonly type: 'drained'; readonly result: DrainResult }
  | { readonly type: 'failed'; readonly error: string };

/** Messages from the parent to a child in the ingest phase. */
export type ParentMessage =
  | { readonly type: 'reset' }
  | { readonly type: 'collect' }
  | { readonly type: 'stop' };
