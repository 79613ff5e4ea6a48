import type { PipelineSettings } from '../lib/settings.js';
import type { ServiceEndpoints } from './aws-environment.js';
import type { PipelineHandlers } from './handlers.js';
import { resolveLocalSettings } from './local-settings.js';
import type { ResourceNames } from './resources.js';

/** Options of `startLocalPipeline`; every one is optional. */
export interface LocalPipelineOptions {
  /** Setting overrides applied over the local settings, by name. */
  readonly settings?: Readonly<
    Partial<Record<keyof PipelineSettings, unknown>>
  >;
  /** Port of the HTTP API; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Port of the DynamoDB emulator; 0 picks a free one. @default 0 */
  readonly dynamoDbPort?: number;
  /** Port of the SQS emulator; 0 picks a free one. @default 0 */
  readonly sqsPort?: number;
  /**
   * Endpoints to use instead of starting an emulator, per service, such
   * as LocalStack's `http://127.0.0.1:4566`. The table and queues are
   * created there when missing.
   */
  readonly endpoints?: Partial<ServiceEndpoints>;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Seconds between dispatcher runs. @default 2 */
  readonly dispatchIntervalSeconds?: number;
  /** Seconds between deleter runs. @default 5 */
  readonly deleteIntervalSeconds?: number;
  /** Milliseconds the poller waits after an empty receive. @default 200 */
  readonly pollIdleDelayMs?: number;
  /** False reads the output for /metrics without printing it. @default true */
  readonly printOutput?: boolean;
  /** @default names derived from the service and stage names */
  readonly resourceNames?: Partial<ResourceNames>;
  /** Handlers to run instead of the pipeline's, for tests. */
  readonly handlers?: PipelineHandlers;
}

/** Invalid settings or options, one problem per line of the message. */
export class InvalidOptionsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidOptionsError';
  }
}

/** Options with every default applied. */
export type ResolvedPipelineOptions = Required<
  Omit<LocalPipelineOptions, 'settings' | 'handlers' | 'resourceNames'>
> &
  Pick<LocalPipelineOptions, 'handlers' | 'resourceNames'>;

/**
 * Resolves the settings and the options, and reports the problems of both
 * at once.
 *
 * @throws InvalidOptionsError listing every invalid setting and option.
 */
export function resolveLocalPipeline(options: LocalPipelineOptions): {
  settings: PipelineSettings;
  resolved: ResolvedPipelineOptions;
} {
  const problems: string[] = [];
  let settings: PipelineSettings | undefined;
  try {
    settings = resolveLocalSettings(options.settings);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  const resolved = resolvePipelineOptions(options);
  const optionProblems = findProblems(resolved);
  if (optionProblems.length > 0) {
    problems.push(
      `Invalid local pipeline options:\n${optionProblems.join('\n')}`,
    );
  }
  if (settings === undefined || problems.length > 0) {
    throw new InvalidOptionsError(problems.join('\n'));
  }

  return { settings, resolved };
}

/** Applies the defaults to the options. */
function resolvePipelineOptions(
  options: LocalPipelineOptions,
): ResolvedPipelineOptions {
  const resolved: ResolvedPipelineOptions = {
    port: options.port ?? 0,
    dynamoDbPort: options.dynamoDbPort ?? 0,
    sqsPort: options.sqsPort ?? 0,
    endpoints: options.endpoints ?? {},
    region: options.region ?? 'us-east-1',
    dispatchIntervalSeconds: options.dispatchIntervalSeconds ?? 2,
    deleteIntervalSeconds: options.deleteIntervalSeconds ?? 5,
    pollIdleDelayMs: options.pollIdleDelayMs ?? 200,
    printOutput: options.printOutput ?? true,
    resourceNames: options.resourceNames,
    handlers: options.handlers,
  };
  return resolved;
}

function findProblems(options: ResolvedPipelineOptions): string[] {
  const problems: string[] = [];
  for (const name of ['port', 'dynamoDbPort', 'sqsPort'] as const) {
    const port = options[name];
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      problems.push(`${name} must be an integer from 0 to 65535, got ${port}`);
    }
  }
  for (const name of [
    'dispatchIntervalSeconds',
    'deleteIntervalSeconds',
    'pollIdleDelayMs',
  ] as const) {
    if (!(options[name] > 0)) {
      problems.push(`${name} must be a positive number, got ${options[name]}`);
    }
  }
  for (const [service, url] of Object.entries(options.endpoints)) {
    if (url !== undefined && !/^https?:\/\/[^/]/.test(url)) {
      problems.push(
        `endpoints.${service} must be an http(s) URL, got '${url}'`,
      );
    }
  }

  return problems;
}
