import { tableSchema } from '../lambdas/shared/table-schema.js';
import type { PipelineSettings } from './settings.js';

/** Names of the resources a function environment points at. */
export interface ResourceNames {
  readonly tableName: string;
  readonly workQueueUrl: string;
}

/** The pipeline's four functions. */
export type FunctionRole = 'ingest' | 'dispatcher' | 'processor' | 'deleter';

/**
 * Builds the environment variables of one function from the settings, so
 * the stack and the local runtime pass the same values.
 */
export function functionEnvironment(
  role: FunctionRole,
  settings: PipelineSettings,
  names: ResourceNames,
): Record<string, string> {
  const common = {
    POWERTOOLS_SERVICE_NAME: settings.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: settings.logLevel,
    TABLE_NAME: names.tableName,
    STATUS_INDEX_NAME: tableSchema.statusIndexName,
    STATUS_SHARD_COUNT: String(settings.statusShardCount),
    SDK_MAX_ATTEMPTS: String(settings.sdkMaxAttempts),
  };
  switch (role) {
    case 'ingest':
      return {
        ...common,
        MAX_FILES_PER_REQUEST: String(settings.maxFilesPerRequest),
        MAX_FILE_NAME_BYTES: String(settings.maxFileNameBytes),
        MAX_BODY_BYTES: String(settings.maxBodyBytes),
      };
    case 'dispatcher':
      return {
        ...common,
        WORK_QUEUE_URL: names.workQueueUrl,
        BATCH_SIZE: String(settings.batchSize),
        DISPATCH_LEASE_SECONDS: String(settings.dispatchLeaseSeconds),
        MAX_DISPATCH_ATTEMPTS: String(settings.maxDispatchAttempts),
      };
    case 'processor':
      return { ...common, MAX_RECEIVE_COUNT: String(settings.maxReceiveCount) };
    case 'deleter':
      return {
        ...common,
        DELETE_BATCH_SIZE: String(settings.deleteBatchSize),
        PROCESSOR_TIMEOUT_SECONDS: String(settings.processorTimeoutSeconds),
        LOCK_LEASE_SECONDS: String(settings.lockLeaseSeconds),
        LOCK_SAFETY_MARGIN_SECONDS: String(settings.lockSafetyMarginSeconds),
      };
  }
}
