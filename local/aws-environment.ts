import {
  type FunctionRole,
  functionEnvironment,
  type ResourceNames,
} from '../lib/environment.js';
import type { PipelineSettings } from '../lib/settings.js';

/** Endpoint URLs of the two AWS services the pipeline uses. */
export interface ServiceEndpoints {
  readonly dynamoDb: string;
  readonly sqs: string;
}

/** Dummy credentials; the emulators do not check them. */
export const localCredentials = {
  accessKeyId: 'local',
  secretAccessKey: 'local',
} as const;

const roles: readonly FunctionRole[] = [
  'ingest',
  'dispatcher',
  'processor',
  'deleter',
];

/**
 * Sets the variables that point every SDK client with default config in
 * this process at the given endpoints, with dummy credentials, so that no
 * client falls back to a real AWS endpoint, a profile or the EC2 instance
 * metadata service.
 */
export function applyAwsEnvironment(
  endpoints: ServiceEndpoints,
  region: string,
): void {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamoDb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    // When true, this variable makes the SDK skip the two above.
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  delete process.env.AWS_SESSION_TOKEN;
  // AWS SDK for JavaScript 3.1178 warns once per process on Node.js < 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // POWERTOOLS_DEV=true turns metrics off unless this variable is set, and
  // /metrics reads the metrics from the output.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'false';
}

/**
 * Merges the environments of the four functions into one, since they
 * share this process.
 *
 * @throws Error when two functions need different values for one name.
 */
export function mergedFunctionEnvironment(
  settings: PipelineSettings,
  names: ResourceNames,
): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const role of roles) {
    const environment = functionEnvironment(role, settings, names);
    for (const [name, value] of Object.entries(environment)) {
      const previous = merged[name];
      if (previous !== undefined && previous !== value) {
        throw new Error(
          `Functions need different values for ${name} ('${previous}' and '${value}'), so they cannot share one process`,
        );
      }
      merged[name] = value;
    }
  }

  return merged;
}
