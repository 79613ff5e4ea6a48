/**
 * CloudWatch metric names, in the one namespace the settings give. Each
 * counter is published at most once per file; each gauge once per run.
 */
export const MetricName = {
  /** Files stored with status `raw` by the ingest function. */
  RawDataCount: 'RawDataCount',
  /** Files moved from `queued` to `processed`. */
  ProcessedDataCount: 'ProcessedDataCount',
  /** Files deleted after processing. */
  DeletedDataCount: 'DeletedDataCount',
  /** Ingest requests rejected as invalid. */
  IngestRejected: 'IngestRejected',
  /** Files claimed `raw → queued` by the dispatcher. */
  FilesClaimed: 'FilesClaimed',
  /** Files sent again after their dispatch lease expired. */
  FilesRedispatched: 'FilesRedispatched',
  /** Files returned to `raw` because SQS rejected their message. */
  FilesReturnedToRaw: 'FilesReturnedToRaw',
  /** Files left `queued` after the maximum dispatch attempts. */
  FilesStuck: 'FilesStuck',
  /** Files of messages that failed their last receive before the DLQ. */
  FilesSentToDeadLetterQueue: 'FilesSentToDeadLetterQueue',
  /** Messages the processor reported as failed. */
  MessagesFailed: 'MessagesFailed',
  /** Age of the oldest item in each status, in seconds. */
  OldestRawAgeSeconds: 'OldestRawAgeSeconds',
  OldestQueuedAgeSeconds: 'OldestQueuedAgeSeconds',
  OldestProcessedAgeSeconds: 'OldestProcessedAgeSeconds',
  /** Deleter runs that took the lock. */
  LockAcquired: 'LockAcquired',
  /** Deleter runs that found the lock held and exited. */
  LockContended: 'LockContended',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];
