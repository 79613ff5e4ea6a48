/** Outcome of one batch: the messages that stay on the queue. */
export interface BatchVerdict {
  /** Ids of the messages to leave on the queue for another receive. */
  readonly failedMessageIds: readonly string[];
  /** Reason the whole batch failed, when the response was invalid. */
  readonly invalidResponseReason?: string;
}

/**
 * Reads a handler's partial batch response with the rules that AWS
 * documents for `ReportBatchItemFailures`. An absent response, an absent
 * or null `batchItemFailures` and an empty list mean that every message
 * succeeded. Any identifier that is missing, empty, not a string or not a
 * message id of the batch fails the whole batch.
 *
 * @param response - the value the handler resolved with.
 * @param messageIds - ids of the messages in the batch.
 */
export function readBatchResponse(
  response: unknown,
  messageIds: readonly string[],
): BatchVerdict {
  const allFailed = (reason: string): BatchVerdict => ({
    failedMessageIds: messageIds,
    invalidResponseReason: reason,
  });
  if (response === undefined || response === null) {
    return { failedMessageIds: [] };
  }
  if (typeof response !== 'object' || Array.isArray(response)) {
    return allFailed('the response is not an object');
  }
  const failures = (response as { batchItemFailures?: unknown })
    .batchItemFailures;
  if (failures === undefined || failures === null) {
    return { failedMessageIds: [] };
  }
  if (!Array.isArray(failures)) {
    return allFailed('batchItemFailures is not an array');
  }
  const known = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = (failure as { itemIdentifier?: unknown } | null)
      ?.itemIdentifier;
    if (typeof id !== 'string' || id === '') {
      return allFailed(
        `itemIdentifier ${JSON.stringify(id)} is not a message id`,
      );
    }
    if (!known.has(id)) {
      return allFailed(`itemIdentifier '${id}' is not in the batch`);
    }
    failed.add(id);
  }

  return { failedMessageIds: [...failed] };
}
