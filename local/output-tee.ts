import { StringDecoder } from 'node:string_decoder';

/** Receives each complete line written to standard output or error. */
export type LineListener = (line: string) => void;

/** A tap on `process.stdout` and `process.stderr`. */
export interface OutputTee {
  /** Adds a listener and returns a function that removes it. */
  onLine(listener: LineListener): () => void;
  /** Puts the original `write` methods back. */
  restore(): void;
}

/**
 * Maximum length of a partial line waiting for its line feed. A longer one
 * is dropped instead of buffered without bound. EMF documents are far
 * shorter, because one contains at most 100 metrics.
 */
const maxBufferedChars = 1024 * 1024;

type WriteCallback = (error?: Error | null) => void;

/**
 * Replaces the `write` methods of `process.stdout` and `process.stderr`
 * with functions that pass every write through and split each stream
 * into lines for the listeners. Console objects built on these streams,
 * such as those of the Powertools Logger and Metrics, write through them
 * too. The Logger writes warnings and errors to standard error.
 *
 * @param print - false to swallow the output after reading it, which
 *   keeps test runs quiet.
 */
export function teeOutput(print = true): OutputTee {
  const listeners = new Set<LineListener>();
  const restores = [process.stdout, process.stderr].map((stream) =>
    tapStream(stream, print, (line) => {
      for (const listener of listeners) callListener(listener, line);
    }),
  );

  return {
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restore() {
      for (const restore of restores) restore();
    },
  };
}

/** Patches one stream and returns the function that undoes the patch. */
function tapStream(
  stream: NodeJS.WriteStream,
  print: boolean,
  onLine: LineListener,
): () => void {
  const originalWrite = stream.write;
  const decoder = new StringDecoder('utf8');
  let pending = '';

  const emitLines = (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (pending.length > maxBufferedChars) pending = '';
    for (const line of lines) onLine(line);
  };

  const write = (
    chunk: string | Uint8Array,
    encodingOrCallback?: BufferEncoding | WriteCallback,
    callback?: WriteCallback,
  ): boolean => {
    const encoding =
      typeof encodingOrCallback === 'string' ? encodingOrCallback : 'utf8';
    emitLines(chunkToText(chunk, encoding, decoder));
    if (print) {
      return Reflect.apply(originalWrite, stream, [
        chunk,
        encodingOrCallback,
        callback,
      ]) as boolean;
    }
    const done =
      typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (done) queueMicrotask(() => done(null));

    return true;
  };
  stream.write = write as typeof stream.write;

  return () => {
    if (stream.write === write) stream.write = originalWrite;
  };
}

/** A failing listener must not break the handler that wrote the line. */
function callListener(listener: LineListener, line: string): void {
  try {
    listener(line);
  } catch (error) {
    process.stderr.write(`stdout line listener failed: ${String(error)}\n`);
  }
}

function chunkToText(
  chunk: string | Uint8Array,
  encoding: BufferEncoding,
  decoder: StringDecoder,
): string {
  if (typeof chunk !== 'string') return decoder.write(chunk);
  if (encoding === 'utf8' || encoding === 'utf-8') return chunk;

  return Buffer.from(chunk, encoding).toString('utf8');
}
