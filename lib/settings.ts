/**
 * Typed settings shared by the CDK stack and the local runtime, so that
 * both build the same table, queues, schedules and function environments
 * from one source.
 */
export interface PipelineSettings {
  /** Stage name used in the stack and dashboard names. @default 'dev' */
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
  /** Processed files the deleter deletes per batch. @default 400 */
  readonly deleteBatchSize: number;
  /** Seconds the deleter lock lease lasts. @default 60 */
  readonly lockLeaseSeconds: number;
  /**
   * Seconds a deleter waits past the end of another's lease before it
   * takes the lock over; must exceed the clock difference between
   * deleters. @default 15
   */
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
  /** Ingest timeout in seconds, below the HTTP API's 30 s limit. @default 29 */
  readonly ingestTimeoutSeconds: number;
  /** Retention of the function and API access logs, in days. @default 30 */
  readonly logRetentionDays: number;
  /**
   * Removal policy of the table, queues and log groups when the stack is
   * deleted. `retain` also turns on table deletion protection.
   * @default 'retain'
   */
  readonly removalPolicy: 'retain' | 'destroy';
  /**
   * Authorization of the HTTP API routes. `iam` requires requests signed
   * with SigV4 by a principal that is allowed `execute-api:Invoke`. `none`
   * opens the routes to anyone who has the URL, so use it only behind
   * another access control or on a throwaway stage. @default 'iam'
   */
  readonly apiAuthorization: 'iam' | 'none';
  /** Steady-state requests per second of the API stage. @default 50 */
  readonly apiThrottleRateLimit: number;
  /** Burst of requests the API stage accepts above the rate. @default 100 */
  readonly apiThrottleBurstLimit: number;
  /**
   * Age of the oldest `raw` file, in seconds, that raises an alarm.
   * @default 600
   */
  readonly oldestRawAgeAlarmSeconds: number;
  /**
   * Age of the oldest `processed` file, in seconds, that raises an alarm.
   * @default 900
   */
  readonly oldestProcessedAgeAlarmSeconds: number;
  /** SNS topic that receives alarm and OK notifications. @default none */
  readonly alarmTopicArn: string | undefined;
}

/**
 * Builds the work queue's visibility timeout: six processor timeouts, the
 * minimum that the Lambda guide to SQS event sources recommends, so that
 * Lambda can retry a throttled batch before the message becomes visible.
 */
export function visibilityTimeoutSeconds(settings: PipelineSettings): number {
  return settings.processorTimeoutSeconds * 6;
}

/** Retention of the dead-letter queue: 14 days, the most SQS allows. */
export const deadLetterRetentionSeconds = 14 * 24 * 60 * 60;

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
  deleteBatchSize: 400,
  lockLeaseSeconds: 60,
  lockSafetyMarginSeconds: 15,
  processorTimeoutSeconds: 30,
  scheduledTimeoutSeconds: 60,
  maxReceiveCount: 5,
  processorBatchSize: 10,
  processorMaxConcurrency: 10,
  sdkMaxAttempts: 5,
  ingestTimeoutSeconds: 29,
  logRetentionDays: 30,
  removalPolicy: 'retain',
  apiAuthorization: 'iam',
  apiThrottleRateLimit: 50,
  apiThrottleBurstLimit: 100,
  oldestRawAgeAlarmSeconds: 600,
  oldestProcessedAgeAlarmSeconds: 900,
  alarmTopicArn: undefined,
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
  'deleteBatchSize',
  'lockLeaseSeconds',
  'lockSafetyMarginSeconds',
  'processorTimeoutSeconds',
  'scheduledTimeoutSeconds',
  'maxReceiveCount',
  'processorBatchSize',
  'processorMaxConcurrency',
  'sdkMaxAttempts',
  'ingestTimeoutSeconds',
  'logRetentionDays',
  'apiThrottleRateLimit',
  'apiThrottleBurstLimit',
  'oldestRawAgeAlarmSeconds',
  'oldestProcessedAgeAlarmSeconds',
] as const satisfies readonly (keyof PipelineSettings)[];

const logLevels = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const removalPolicies = ['retain', 'destroy'] as const;
const apiAuthorizations = ['iam', 'none'] as const;

/** Retention periods, in days, that CloudWatch Logs accepts. */
const logRetentionPeriods = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827,
  2192, 2557, 2922, 3288, 3653,
];

/** Maximum schedule interval, so that alarm periods stay within a day. */
const maxRateMinutes = 720;

/** Stage and service names end up in stack, dashboard and metric names. */
const namePattern = /^[A-Za-z][A-Za-z0-9-]*$/;
const snsTopicArnPattern =
  /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/;

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
  problems.push(...checkChoices(settings), ...checkRelations(settings));
  if (problems.length > 0) {
    throw new Error(`Invalid pipeline settings:\n${problems.join('\n')}`);
  }

  return settings;
}

function checkChoices(settings: PipelineSettings): string[] {
  const problems: string[] = [];
  for (const key of ['stageName', 'serviceName'] as const) {
    if (!namePattern.test(String(settings[key]))) {
      problems.push(
        `${key} must start with a letter and contain only letters, digits and hyphens, got '${settings[key]}'`,
      );
    }
  }
  if (!logLevels.includes(settings.logLevel)) {
    problems.push(
      `logLevel must be one of ${logLevels.join(', ')}, got '${settings.logLevel}'`,
    );
  }
  if (!removalPolicies.includes(settings.removalPolicy)) {
    problems.push(
      `removalPolicy must be one of ${removalPolicies.join(', ')}, got '${settings.removalPolicy}'`,
    );
  }
  if (!apiAuthorizations.includes(settings.apiAuthorization)) {
    problems.push(
      `apiAuthorization must be one of ${apiAuthorizations.join(', ')}, got '${settings.apiAuthorization}'`,
    );
  }
  if (!logRetentionPeriods.includes(settings.logRetentionDays)) {
    problems.push(
      `logRetentionDays must be one of ${logRetentionPeriods.join(', ')}, got ${settings.logRetentionDays}`,
    );
  }
  const topicArn = settings.alarmTopicArn;
  if (topicArn !== undefined && !snsTopicArnPattern.test(String(topicArn))) {
    problems.push(
      `alarmTopicArn must be an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), got '${topicArn}'`,
    );
  }

  return problems;
}

function checkRelations(settings: PipelineSettings): string[] {
  const problems: string[] = [];
  if (settings.batchSize > 100) {
    problems.push(`batchSize must be at most 100, got ${settings.batchSize}`);
  }
  if (settings.deleteBatchSize > 1000) {
    problems.push(
      `deleteBatchSize must be at most 1000, got ${settings.deleteBatchSize}`,
    );
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
  if (settings.dispatchLeaseSeconds < visibilityTimeoutSeconds(settings)) {
    problems.push(
      `dispatchLeaseSeconds must be at least six processor timeouts (${visibilityTimeoutSeconds(settings)}), got ${settings.dispatchLeaseSeconds}`,
    );
  }
  problems.push(...checkLimits(settings));

  return problems;
}

/**
 * Largest request body: Lambda accepts synchronous payloads of up to
 * 6 MB, and API Gateway base64-encodes a body that is not text, which
 * makes it a third larger.
 */
const maxBodyBytesLimit = 4 * 1024 * 1024;

/**
 * Maximum files in one request, so that one response with all their ids and
 * their writes fit in the ingest function's time and payload limits.
 */
const maxFilesPerRequestLimit = 10_000;

function checkLimits(settings: PipelineSettings): string[] {
  const problems: string[] = [];
  if (settings.maxBodyBytes > maxBodyBytesLimit) {
    problems.push(
      `maxBodyBytes must be at most ${maxBodyBytesLimit}, got ${settings.maxBodyBytes}`,
    );
  }
  if (settings.maxFilesPerRequest > maxFilesPerRequestLimit) {
    problems.push(
      `maxFilesPerRequest must be at most ${maxFilesPerRequestLimit}, got ${settings.maxFilesPerRequest}`,
    );
  }
  if (settings.ingestTimeoutSeconds > 29) {
    problems.push(
      `ingestTimeoutSeconds must be at most 29 because HTTP API integrations time out after 30 seconds, got ${settings.ingestTimeoutSeconds}`,
    );
  }
  for (const key of ['dispatchRateMinutes', 'deleteRateMinutes'] as const) {
    if (settings[key] > maxRateMinutes) {
      problems.push(
        `${key} must be at most ${maxRateMinutes}, got ${settings[key]}`,
      );
    }
  }
  const alarmIntervals = [
    ['oldestRawAgeAlarmSeconds', 'dispatchRateMinutes'],
    ['oldestProcessedAgeAlarmSeconds', 'deleteRateMinutes'],
  ] as const;
  for (const [alarmKey, rateKey] of alarmIntervals) {
    if (settings[alarmKey] <= settings[rateKey] * 60) {
      problems.push(
        `${alarmKey} must be greater than ${rateKey} in seconds (${settings[rateKey] * 60}), got ${settings[alarmKey]}`,
      );
    }
  }

  return problems;
}
