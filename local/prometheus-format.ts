import type { MetricReading } from './metrics-store.js';

/** Content type of the Prometheus text exposition format 0.0.4. */
export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Formats metric readings in the Prometheus text exposition format, with
 * a `HELP` and a `TYPE` line before each sample.
 */
export function formatPrometheus(readings: readonly MetricReading[]): string {
  const lines = readings.flatMap((reading) => [
    `# HELP ${reading.prometheusName} ${escapeHelp(reading.help)}`,
    `# TYPE ${reading.prometheusName} ${reading.kind}`,
    `${reading.prometheusName} ${reading.value}`,
  ]);

  return `${lines.join('\n')}\n`;
}

/** Escapes backslashes and line feeds, as the format requires in HELP. */
function escapeHelp(text: string): string {
  return text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
}
