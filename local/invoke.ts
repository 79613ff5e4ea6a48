import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { toError } from '#shared/errors.js';
import {
  createLambdaContext,
  type FunctionIdentity,
} from './lambda-context.js';

/** An async Lambda handler. */
export type LambdaHandler<TEvent, TResult> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

/** A handler together with the function settings Lambda would apply. */
export interface LocalFunction<TEvent, TResult> {
  readonly identity: FunctionIdentity;
  readonly handler: LambdaHandler<TEvent, TResult>;
}

/** Result of one invocation, as Lambda would report it. */
export type InvocationOutcome<TResult> =
  | { readonly status: 'succeeded'; readonly result: TResult }
  | { readonly status: 'failed'; readonly error: Error }
  | { readonly status: 'timedOut' };

/** The last invocation of each function, which the next one waits for. */
const lastInvocations = new WeakMap<object, Promise<unknown>>();

/**
 * Invokes a handler with a fresh context and resolves when it settles. A
 * handler that settles after its timeout counts as timed out and its
 * result is discarded, as Lambda discards it.
 *
 * Invocations of one function run one at a time, as in a single Lambda
 * execution environment, because handlers keep per-invocation state in
 * module-scope objects such as the Powertools batch processor.
 *
 * NOTE: Lambda stops a timed-out invocation, but here the handler keeps
 * running until it settles, so its late writes still happen.
 */
export function invokeFunction<TEvent, TResult>(
  fn: LocalFunction<TEvent, TResult>,
  event: TEvent,
  logger: Logger,
): Promise<InvocationOutcome<TResult>> {
  const previous = lastInvocations.get(fn) ?? Promise.resolve();
  const invocation = previous.then(() => runInvocation(fn, event, logger));
  lastInvocations.set(fn, invocation);

  return invocation;
}

/** Never rejects: a handler error becomes a `failed` outcome. */
async function runInvocation<TEvent, TResult>(
  fn: LocalFunction<TEvent, TResult>,
  event: TEvent,
  logger: Logger,
): Promise<InvocationOutcome<TResult>> {
  const context = createLambdaContext(fn.identity);
  const keys = {
    functionName: fn.identity.functionName,
    awsRequestId: context.awsRequestId,
  };
  const timeoutMs = fn.identity.timeoutSeconds * 1000;
  const timer = setTimeout(() => {
    logger.error('invocation timed out', { ...keys, timeoutMs });
  }, timeoutMs);
  try {
    const result = await fn.handler(event, context);
    if (context.getRemainingTimeInMillis() === 0) return { status: 'timedOut' };

    return { status: 'succeeded', result };
  } catch (caught) {
    const error = toError(caught);
    if (context.getRemainingTimeInMillis() === 0) return { status: 'timedOut' };
    logger.error('invocation failed', { ...keys, error });

    return { status: 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}
