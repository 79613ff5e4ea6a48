import type { Context } from 'aws-lambda';

/** Time kept back at the end of a run for the last writes and metrics. */
const reserveMs = 5_000;

/**
 * Tells whether a scheduled run has time for another round: more than
 * the reserve is left before the function times out.
 */
export function hasTimeLeft(context: Context): () => boolean {
  return () => context.getRemainingTimeInMillis() > reserveMs;
}
