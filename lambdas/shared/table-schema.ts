/**
 * Key schema of the data file table, shared by the handlers, the CDK
 * table construct and the local runtime.
 */
export const tableSchema = {
  partitionKey: 'id',
  statusIndexName: 'StatusIndex',
  /** Sharded status, `raw#0` … `queued#N-1`, present while work is due. */
  statusIndexPartitionKey: 'statusShard',
  /** ISO-8601 time the item entered its status, so queries go oldest first. */
  statusIndexSortKey: 'statusSince',
  /**
   * Epoch seconds after which DynamoDB's TTL removes an item: set only on
   * idempotency records and on items that an ingest has not published.
   */
  timeToLiveAttribute: 'expiration',
} as const;
