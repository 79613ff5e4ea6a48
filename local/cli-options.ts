import { type ParseArgsConfig, parseArgs } from 'node:util';
import { defaultSettings, type PipelineSettings } from '../lib/settings.js';
import { localSettingOverrides } from './local-settings.js';
import type { LocalPipelineOptions } from './pipeline-options.js';

/** The parsed command line: a help request, or the pipeline options. */
export type CommandLine =
  | { readonly help: true }
  | { readonly help: false; readonly options: LocalPipelineOptions };

type Environment = Readonly<Record<string, string | undefined>>;

/** A runtime option with its flag, environment variable and help text. */
interface RuntimeOption {
  readonly flag: string;
  readonly variable: string;
  readonly help: string;
}

const runtimeOptions = {
  port: {
    flag: 'port',
    variable: 'PORT',
    help: 'Port of the HTTP API (default 3000)',
  },
  dynamoDbPort: {
    flag: 'dynamodb-port',
    variable: 'DYNAMODB_PORT',
    help: 'Port of the DynamoDB emulator (default: a free port)',
  },
  sqsPort: {
    flag: 'sqs-port',
    variable: 'SQS_PORT',
    help: 'Port of the SQS emulator (default: a free port)',
  },
  endpointUrl: {
    flag: 'endpoint-url',
    variable: 'AWS_ENDPOINT_URL',
    help: 'Endpoint of both services instead of the emulators',
  },
  dynamoDbEndpointUrl: {
    flag: 'dynamodb-endpoint-url',
    variable: 'AWS_ENDPOINT_URL_DYNAMODB',
    help: 'DynamoDB endpoint instead of the emulator',
  },
  sqsEndpointUrl: {
    flag: 'sqs-endpoint-url',
    variable: 'AWS_ENDPOINT_URL_SQS',
    help: 'SQS endpoint instead of the emulator',
  },
  region: {
    flag: 'region',
    variable: 'AWS_REGION',
    help: 'AWS region for the clients and ARNs (default us-east-1)',
  },
  dispatchIntervalSeconds: {
    flag: 'dispatch-interval-seconds',
    variable: 'DISPATCH_INTERVAL_SECONDS',
    help: 'Seconds between dispatcher runs (default 2)',
  },
  deleteIntervalSeconds: {
    flag: 'delete-interval-seconds',
    variable: 'DELETE_INTERVAL_SECONDS',
    help: 'Seconds between deleter runs (default 5)',
  },
} as const satisfies Record<string, RuntimeOption>;

const settingNames = Object.keys(defaultSettings) as (keyof PipelineSettings)[];

/**
 * Reads the options of `npm start` from the flags and the environment. A
 * flag wins over its environment variable. Each setting of
 * `PipelineSettings` has a flag in kebab case and a variable with the
 * `PIPELINE_` prefix, such as `--batch-size` and `PIPELINE_BATCH_SIZE`.
 *
 * @throws UsageError for an unknown flag or a flag without its value.
 */
export function parseCommandLine(
  args: readonly string[],
  environment: Environment,
): CommandLine {
  const values = parseFlags(args);
  if (values.help === true) return { help: true };
  const read = (option: RuntimeOption) =>
    stringValue(values[option.flag]) ?? nonEmpty(environment[option.variable]);
  const number = (option: RuntimeOption) => toNumber(read(option));
  const endpointUrl = read(runtimeOptions.endpointUrl);

  return {
    help: false,
    options: {
      port: number(runtimeOptions.port) ?? 3000,
      dynamoDbPort: number(runtimeOptions.dynamoDbPort),
      sqsPort: number(runtimeOptions.sqsPort),
      endpoints: {
        dynamoDb: read(runtimeOptions.dynamoDbEndpointUrl) ?? endpointUrl,
        sqs: read(runtimeOptions.sqsEndpointUrl) ?? endpointUrl,
      },
      region: read(runtimeOptions.region),
      dispatchIntervalSeconds: number(runtimeOptions.dispatchIntervalSeconds),
      deleteIntervalSeconds: number(runtimeOptions.deleteIntervalSeconds),
      settings: readSettingOverrides(values, environment),
    },
  };
}

/** Formats the `--help` text. */
export function formatHelp(): string {
  const localSettings = { ...defaultSettings, ...localSettingOverrides };
  const rows = [
    ...Object.values(runtimeOptions).map((option) => [
      `--${option.flag}`,
      option.variable,
      option.help,
    ]),
    ['--help', '', 'Shows this text'],
  ];
  const settingRows = settingNames.map((name) => [
    `--${toKebabCase(name)}`,
    settingVariable(name),
    String(localSettings[name] ?? '(none)'),
  ]);
  const lines = [
    'Usage: npm start -- [options]',
    '',
    'Runs the pipeline on this machine with embedded DynamoDB and SQS',
    'emulators. A flag wins over its environment variable.',
    '',
    ...formatTable(rows),
    '',
    'Pipeline settings, with their local values. Settings that only the',
    'CDK stack reads, such as alarms and API throttling, change nothing here.',
    '',
    ...formatTable(settingRows),
  ];

  return `${lines.join('\n')}\n`;
}

/** Thrown for flags that `parseArgs` rejects. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

function formatTable(rows: readonly string[][]): string[] {
  const widths = [0, 1].map((column) =>
    Math.max(...rows.map((row) => (row[column] ?? '').length)),
  );

  return rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd()
      .replace(/^/, '  '),
  );
}

function parseFlags(args: readonly string[]): Record<string, unknown> {
  try {
    return parseArgs({ args: [...args], options: flagConfig() }).values;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message, { cause: error });
  }
}

function flagConfig(): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {
    help: { type: 'boolean' },
  };
  for (const option of Object.values(runtimeOptions)) {
    config[option.flag] = { type: 'string' };
  }
  for (const name of settingNames) {
    config[toKebabCase(name)] = { type: 'string' };
  }

  return config;
}

function readSettingOverrides(
  values: Record<string, unknown>,
  environment: Environment,
): Record<string, string> {
  const overrides: Record<string, string> = {};
  for (const name of settingNames) {
    const value =
      stringValue(values[toKebabCase(name)]) ??
      nonEmpty(environment[settingVariable(name)]);
    if (value !== undefined) overrides[name] = value;
  }

  return overrides;
}

/** Converts text to a number, or to NaN so that validation reports it. */
function toNumber(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

function stringValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

function toKebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

function settingVariable(name: string): string {
  return `PIPELINE_${toKebabCase(name).replaceAll('-', '_').toUpperCase()}`;
}
