/**
 * Typed settings shared by the CDK stack and the local runtime, so that
 * both build the same table, queues, schedules and function environments
 * from one source.
 */
export interface PipelineSettings {
  /** Stage name used in resource names and the API stage. @default 'dev' */
  readonly stageName: string;
  /** Powertools service name and metrics namespace prefix. */
  readonly serviceName: string;
  /** CloudWatch metrics namespace. @default 'DatafilePipeline' */
  readonly metricsNamespace: string;
  /** Powertools log level. @default 'INFO' */
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** File ids per SQS message. @default 3 */
  readonly batchSize: number;
  /** Write shards of each status in the status index. @default 4 */
  readonly statusShardCount: number;
  /** Maximum entries in one ingest request. @default 1000 */
  readonly maxFilesPerRequest: number;
  /** Maximum length of one file name, in UTF-8 bytes. @default 1024 */
  readonly maxFileNameBytes: number;
  /** Maximum request body, in bytes. @default 1048576 */
  readonly maxBodyBytes: number;
  /** Minutes between dispatcher runs on AWS. @default 1 */
  readonly dispatchRateMinutes: number;
  /** Minutes between deleter runs on AWS. @default 1 */
  readonly deleteRateMinutes: number;
  /** Seconds a claimed file may stay `queued` before it is re-dispatched. */
  readonly dispatchLeaseSeconds: number;
  /** Dispatches of one file before it is reported as stuck. @default 5 */
  readonly maxDispatchAttempts: number;
  /** Seconds the deleter lock lease lasts. @default 60 */
  readonly lockLeaseSeconds: number;
  /** Seconds of lease the deleter must have left to start a batch. */
  readonly lockSafetyMarginSeconds: number;
  /** Processor timeout in seconds. @default 30 */
  readonly processorTimeoutSeconds: number;
  /** Dispatcher and deleter timeout in seconds. @default 60 */
  readonly scheduledTimeoutSeconds: number;
  /** Receives of a message before SQS moves it to the DLQ. @default 5 */
  readonly maxReceiveCount: number;
  /** Messages per processor invocation. @default 10 */
  readonly processorBatchSize: number;
  /** Maximum concurrent processor invocations. @default 10 */
  readonly processorMaxConcurrency: number;
  /** Attempts of one AWS SDK call, including the first. @default 5 */
  readonly sdkMaxAttempts: number;
}

export const defaultSettings: PipelineSettings = {
  stageName: 'dev',
  serviceName: 'datafile-pipeline',
  metricsNamespace: 'DatafilePipeline',
  logLevel: 'INFO',
  batchSize: 3,
  statusShardCount: 4,
  maxFilesPerRequest: 1000,
  maxFileNameBytes: 1024,
  maxBodyBytes: 1024 * 1024,
  dispatchRateMinutes: 1,
  deleteRateMinutes: 1,
  dispatchLeaseSeconds: 900,
  maxDispatchAttempts: 5,
  lockLeaseSeconds: 60,
  lockSafetyMarginSeconds: 15,
  processorTimeoutSeconds: 30,
  scheduledTimeoutSeconds: 60,
  maxReceiveCount: 5,
  processorBatchSize: 10,
  processorMaxConcurrency: 10,
  sdkMaxAttempts: 5,
};

const integerKeys = [
  'batchSize',
  'statusShardCount',
  'maxFilesPerRequest',
  'maxFileNameBytes',
  'maxBodyBytes',
  'dispatchRateMinutes',
  'deleteRateMinutes',
  'dispatchLeaseSeconds',
  'maxDispatchAttempts',
  'lockLeaseSeconds',
  'lockSafetyMarginSeconds',
  'processorTimeoutSeconds',
  'scheduledTimeoutSeconds',
  'maxReceiveCount',
  'processorBatchSize',
  'processorMaxConcurrency',
  'sdkMaxAttempts',
] as const satisfies readonly (keyof PipelineSettings)[];

const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

/**
 * Merges overrides into the defaults and validates the result.
 *
 * @param overrides - values from CDK context, props or the command line;
 *   numbers may arrive as strings from `cdk -c key=value`.
 * @throws Error listing every invalid setting, one per line.
 */
export function resolveSettings(
  overrides: Readonly<Record<string, unknown>> = {},
): PipelineSettings {
  const problems: string[] = [];
  const merged: Record<string, unknown> = { ...defaultSettings };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(key in defaultSettings)) {
      problems.push(`unknown setting '${key}'`);
      continue;
    }
    merged[key] = value;
  }
  for (const key of integerKeys) {
    const value = Number(merged[key]);
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`${key} must be a positive integer, got '${merged[key]}'`);
    }
    merged[key] = value;
  }
  const settings = merged as unknown as PipelineSettings;
  problems.push(...checkRelations(settings));
  if (problems.length > 0) {
    throw new Error(`Invalid pipeline settings:\n${problems.join('\n')}`);
  }

  return settings;
}

function checkRelations(settings: PipelineSettings): string[] {
  const problems: string[] = [];
  if (!logLevels.includes(settings.logLevel)) {
    problems.push(
      `logLevel must be one of ${logLevels.join(', ')}, got '${settings.logLevel}'`,
    );
  }
  if (settings.batchSize > 100) {
    problems.push(`batchSize must be at most 100, got ${settings.batchSize}`);
  }
  if (settings.processorBatchSize > 10) {
    problems.push(
      `processorBatchSize must be at most 10, got ${settings.processorBatchSize}`,
    );
  }
  if (settings.processorMaxConcurrency < 2) {
    problems.push(
      `processorMaxConcurrency must be at least 2 (the SQS event source minimum), got ${settings.processorMaxConcurrency}`,
    );
  }
  if (settings.lockSafetyMarginSeconds * 2 > settings.lockLeaseSeconds) {
    problems.push(
      `lockSafetyMarginSeconds must be at most half of lockLeaseSeconds, got ${settings.lockSafetyMarginSeconds} of ${settings.lockLeaseSeconds}`,
    );
  }
  if (settings.dispatchLeaseSeconds < settings.processorTimeoutSeconds * 6) {
    problems.push(
      `dispatchLeaseSeconds must be at least six processor timeouts (${settings.processorTimeoutSeconds * 6}), got ${settings.dispatchLeaseSeconds}`,
    );
  }

  return problems;
}
