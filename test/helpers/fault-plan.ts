import type { SQSRecord } from 'aws-lambda';
import type { FunctionRole } from '../../lib/environment.js';

/** Faults injected into the handlers' AWS SDK calls. */
export const sdkFaultKinds = [
  /** One attempt fails with a DynamoDB throttling error, and the SDK retries it. */
  'throttle',
  /** Every attempt of one DynamoDB call is throttled, so the caller fails. */
  'throttleBeyondRetries',
  /** BatchWriteItem writes only some requests and returns the rest. */
  'unprocessedItems',
  /** DynamoDB applies an UpdateItem, the SDK gets a 500 and retries it. */
  'writeResponseLost',
  /** SendMessageBatch sends some entries and reports the others failed. */
  'sendEntriesFailed',
  /** SendMessageBatch sends some entries twice, as two messages. */
  'duplicateMessage',
  /** At its first SendMessageBatch, the dispatcher run fails every call. */
  'dispatcherCrash',
] as const;

/** Faults injected around the processor handler. */
export const processorFaultKinds = [
  /** The updates of some messages fail: a partial batch response. */
  'failMessages',
  /** The invocation fails before it processes anything. */
  'failBatch',
  /** The invocation sends some updates, then fails without a response. */
  'crashBeforeAnswer',
  /** The handler runs twice on the same event. */
  'duplicateInvoke',
  /** The handler returns after its timeout, so SQS delivers the batch again. */
  'answerTooLate',
] as const;

export type SdkFaultKind = (typeof sdkFaultKinds)[number];
export type ProcessorFaultKind = (typeof processorFaultKinds)[number];
export type FaultKind = SdkFaultKind | ProcessorFaultKind;

/** One AWS SDK call of a handler, as the fault middleware receives it. */
export interface SdkCall {
  readonly service: 'dynamodb' | 'sqs';
  /** Operation name, such as `UpdateItem`. */
  readonly operation: string;
  /** The command input. DynamoDB inputs are plain JavaScript values. */
  readonly input: Readonly<Record<string, unknown>>;
  /** The function whose invocation sent the call. */
  readonly role: FunctionRole | undefined;
}

/** Common fields of a fault rule. */
interface RuleLimits {
  /** Chance that a matching call or record is hit. @default 1 */
  readonly probability?: number;
  /** Hits at most. @default unlimited */
  readonly times?: number;
}

/** A fault on SDK calls that pass `when`. */
export interface SdkFaultRule extends RuleLimits {
  readonly kind: SdkFaultKind;
  readonly when?: (call: SdkCall) => boolean;
}

/**
 * A fault on processor invocations. `failMessages` tests each record with
 * `when` and the probability. The other kinds act on a whole invocation:
 * `when` receives its first record, and the probability applies once.
 */
export interface ProcessorFaultRule extends RuleLimits {
  readonly kind: ProcessorFaultKind;
  readonly when?: (record: SQSRecord) => boolean;
}

export type FaultRule = SdkFaultRule | ProcessorFaultRule;

interface ActiveRule {
  readonly rule: FaultRule;
  hitsLeft: number;
}

/**
 * Active fault rules, a seeded random source and a count of the faults
 * injected, by kind.
 */
export class FaultPlan {
  readonly random: () => number;
  readonly #rules = new Set<ActiveRule>();
  readonly #counts = new Map<FaultKind, number>();

  /** @param seed - seed of the random choices of all rules. */
  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Adds a rule and returns the function that removes it. */
  add(rule: FaultRule): () => void {
    const active = { rule, hitsLeft: rule.times ?? Number.POSITIVE_INFINITY };
    this.#rules.add(active);

    return () => this.#rules.delete(active);
  }

  /** Removes every rule but keeps the counts. */
  clear(): void {
    this.#rules.clear();
  }

  /** Decides whether a fault of `kind` hits this call, and counts it. */
  hits(kind: SdkFaultKind, call: SdkCall): boolean;
  /** Decides whether a fault of `kind` hits this record, and counts it. */
  hits(kind: ProcessorFaultKind, record: SQSRecord): boolean;
  hits(kind: FaultKind, target: SdkCall | SQSRecord): boolean {
    for (const active of this.#rules) {
      const { rule } = active;
      if (rule.kind !== kind || active.hitsLeft <= 0) continue;
      const when = rule.when as ((value: typeof target) => boolean) | undefined;
      if (when && !when(target)) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      active.hitsLeft--;
      this.#counts.set(kind, (this.#counts.get(kind) ?? 0) + 1);
      return true;
    }

    return false;
  }

  /** Returns the number of faults injected so far, for every kind. */
  counts(): Record<FaultKind, number> {
    const kinds = [...sdkFaultKinds, ...processorFaultKinds];

    return Object.fromEntries(
      kinds.map((kind) => [kind, this.#counts.get(kind) ?? 0]),
    ) as Record<FaultKind, number>;
  }
}

/**
 * Creates the mulberry32 generator: a fast 32-bit generator whose output
 * depends only on the seed, so a seed reproduces the same sequence of
 * choices (though not the same interleaving of concurrent calls).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;

  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 2 ** 32;
  };
}
