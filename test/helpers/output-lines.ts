import { type WaitForOptions, waitFor } from './wait-for.js';

/** One JSON log line and its position in the output. */
export interface LogEntry {
  readonly index: number;
  readonly entry: Record<string, unknown>;
}

/** Collects output lines and finds structured log entries in them. */
export class OutputLines {
  readonly #lines: string[] = [];

  /** Adds one line of output. */
  readonly push = (line: string): void => {
    this.#lines.push(line);
  };

  get lines(): readonly string[] {
    return this.#lines;
  }

  /**
   * Finds the first JSON log entry at or after `fromIndex` whose
   * `message` equals `message` and that passes `filter`.
   */
  findMessage(
    message: string,
    fromIndex = 0,
    filter: (entry: Record<string, unknown>) => boolean = () => true,
  ): LogEntry | undefined {
    for (let index = fromIndex; index < this.#lines.length; index++) {
      const entry = parseJsonObject(this.#lines[index] ?? '');
      if (entry?.message === message && filter(entry)) return { index, entry };
    }

    return undefined;
  }

  /** Waits until `findMessage` finds an entry. */
  waitForMessage(
    message: string,
    options: Partial<WaitForOptions> & {
      readonly fromIndex?: number;
      readonly filter?: (entry: Record<string, unknown>) => boolean;
    } = {},
  ): Promise<LogEntry> {
    return waitFor(
      () => this.findMessage(message, options.fromIndex, options.filter),
      {
        description: `a log entry '${message}'`,
        diagnostics: () => this.tail(20),
        ...options,
      },
    );
  }

  /** Formats the last lines for a failure message. */
  tail(count: number): string {
    const recent = this.#lines.slice(-count).map((line) => line.slice(0, 300));

    return `last ${recent.length} output lines:\n${recent.join('\n')}`;
  }
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
