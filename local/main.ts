import { formatHelp, parseCommandLine, UsageError } from './cli-options.js';
import { type LocalPipeline, startLocalPipeline } from './pipeline.js';
import { InvalidOptionsError } from './pipeline-options.js';

/** Maximum wait for invocations in progress when the process stops. */
const shutdownTimeoutMs = 30_000;

async function main(): Promise<void> {
  const commandLine = parseCommandLine(process.argv.slice(2), process.env);
  if (commandLine.help) {
    process.stdout.write(formatHelp());
    return;
  }
  const pipeline = await startLocalPipeline(commandLine.options);
  stopOnSignals(pipeline);
  process.stdout.write(`datafile-pipeline listening on ${pipeline.url}\n`);
}

/**
 * Stops the pipeline on the first SIGINT or SIGTERM. Later signals only
 * print a notice, because a terminal's Ctrl+C reaches npm, tsx
 * and this process at once.
 */
function stopOnSignals(pipeline: LocalPipeline): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`${signal} received; still stopping\n`);
      return;
    }
    stopping = true;
    const timer = setTimeout(() => {
      process.stderr.write(
        `Stop timed out after ${shutdownTimeoutMs} ms; exiting\n`,
      );
      process.exit(1);
    }, shutdownTimeoutMs);
    pipeline.stop().then(
      () => clearTimeout(timer),
      (error: unknown) => {
        clearTimeout(timer);
        process.stderr.write(`Stop failed: ${formatError(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function formatError(error: unknown): string {
  if (error instanceof AggregateError) {
    return [error.message, ...error.errors.map(formatError)].join('\n  ');
  }

  return error instanceof Error
    ? (error.stack ?? error.message)
    : String(error);
}

main().catch((error: unknown) => {
  const isInputError =
    error instanceof UsageError || error instanceof InvalidOptionsError;
  const text = isInputError
    ? `${error.message}\nRun npm start -- --help to list the options.`
    : formatError(error);
  process.stderr.write(`Local pipeline failed to start: ${text}\n`);
  process.exitCode = 1;
});
