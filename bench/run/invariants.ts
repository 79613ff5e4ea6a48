import type { DrainResult } from './child-protocol.js';

/**
 * Checks that every file was counted once at each step and that nothing
 * is left in the table or on the queues.
 */
export function invariantsHold(drain: DrainResult): boolean {
  const { checks, files } = drain;

  return (
    drain.timings !== undefined &&
    checks.ingested === files &&
    checks.processed === files &&
    checks.deleted === files &&
    checks.itemsLeft === 0 &&
    checks.messagesLeft === 0 &&
    checks.deadLetterMessages === 0 &&
    checks.shadowItemsLeft === 0
  );
}
