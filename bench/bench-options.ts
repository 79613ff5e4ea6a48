import { parseArgs } from 'node:util';

/** Options of `npm run bench`. */
export interface BenchOptions {
  /** Files of the drain run. */
  readonly files: number;
  /** Files per POST in the drain run. */
  readonly filesPerRequest: number;
  /** Seconds of measured load per ingest request size. */
  readonly ingestSeconds: number;
  /** Fresh processes per bundle for the cold start median. */
  readonly coldStartRuns: number;
  /** Maximum wait for one drain, in seconds. */
  readonly drainTimeoutSeconds: number;
  /** False skips the naive baseline. */
  readonly baseline: boolean;
}

export const benchHelp = `Usage: npm run bench -- [options]

Measures the pipeline and a naive baseline on the local runtime and
writes the figures to bench-output/.

  --large                    Drains 100,000 files instead of 10,000
  --files <count>            Files of the drain run (default 10000)
  --ingest-seconds <s>       Measured seconds per ingest request size (default 5)
  --cold-start-runs <n>      Fresh processes per bundle (default 7)
  --drain-timeout <s>        Maximum seconds to wait for one drain (default 600,
                             3600 with --large)
  --no-baseline              Measures only the pipeline
  --help                     Shows this text
`;

/**
 * Parses the command line of `npm run bench`.
 *
 * @returns undefined when `--help` was given.
 * @throws Error naming an invalid option value.
 */
export function parseBenchOptions(
  args: readonly string[],
): BenchOptions | undefined {
  const { values } = parseArgs({
    args: [...args],
    options: {
      large: { type: 'boolean' },
      files: { type: 'string' },
      'ingest-seconds': { type: 'string' },
      'cold-start-runs': { type: 'string' },
      'drain-timeout': { type: 'string' },
      'no-baseline': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return undefined;
  const large = values.large === true;

  return {
    files: positiveInteger('files', values.files, large ? 100_000 : 10_000),
    filesPerRequest: 500,
    ingestSeconds: positiveInteger(
      'ingest-seconds',
      values['ingest-seconds'],
      5,
    ),
    coldStartRuns: positiveInteger(
      'cold-start-runs',
      values['cold-start-runs'],
      7,
    ),
    drainTimeoutSeconds: positiveInteger(
      'drain-timeout',
      values['drain-timeout'],
      large ? 3600 : 600,
    ),
    baseline: values['no-baseline'] !== true,
  };
}

function positiveInteger(
  name: string,
  text: string | undefined,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`--${name} must be a positive integer, got '${text}'`);
  }

  return value;
}
