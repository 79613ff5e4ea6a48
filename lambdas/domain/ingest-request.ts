import { type FieldProblem, ValidationError } from '#shared/errors.js';

/** Limits an ingest request must respect. */
export interface IngestLimits {
  readonly maxFiles: number;
  readonly maxFileNameBytes: number;
  readonly maxBodyBytes: number;
}

/** The parts of an HTTP request that the ingest rules look at. */
export interface IngestRequestInput {
  readonly body: string | undefined;
  readonly isBase64Encoded: boolean;
  readonly contentType: string | undefined;
}

const knownFields = new Set(['files']);
// biome-ignore lint/suspicious/noControlCharactersInRegex: the rule rejects control characters, so it must name them.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/;
const loneSurrogate =
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const jsonWhitespace = new Set([' ', '\t', '\n', '\r']);
/** Standard base64 with padding, as API Gateway encodes bodies. */
const base64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses and validates the body of `POST /data/input`.
 *
 * @returns the file names, in request order.
 * @throws ValidationError listing every broken rule (status 400, or 413
 *   for a body over the size limit, or 415 for a wrong content type).
 */
export function parseIngestRequest(
  input: IngestRequestInput,
  limits: IngestLimits,
): string[] {
  checkContentType(input.contentType);
  const text = decodeBody(input, limits.maxBodyBytes);
  const document = parseJson(text);
  const files = document.files;
  const problems = [
    ...duplicateFieldProblems(text),
    ...unknownFieldProblems(document),
  ];
  if (!Array.isArray(files)) {
    problems.unshift({
      field: 'files',
      rule: files === undefined ? 'is required' : 'must be an array of strings',
      ...(files === undefined ? {} : { value: preview(files) }),
    });
    throw new ValidationError(problems);
  }
  problems.push(...fileListProblems(files, limits));
  if (problems.length > 0) {
    throw new ValidationError(problems);
  }

  return files as string[];
}

function checkContentType(contentType: string | undefined): void {
  const [mediaType, ...parameters] = (contentType ?? '').split(';');
  const charset = parameters
    .map((parameter) => parameter.split('='))
    .find(([name]) => name?.trim().toLowerCase() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1')
    .toLowerCase();
  const isJson = mediaType?.trim().toLowerCase() === 'application/json';
  if (!isJson || (charset !== undefined && charset !== 'utf-8')) {
    const problem = {
      field: 'content-type',
      rule: 'must be application/json, in UTF-8 if a charset is given',
      value: contentType ?? null,
    };
    throw new ValidationError([problem], 415);
  }
}

function decodeBody(input: IngestRequestInput, maxBodyBytes: number): string {
  if (input.body === undefined || input.body === '') {
    throw new ValidationError([{ field: 'body', rule: 'is required' }]);
  }
  if (input.isBase64Encoded && !base64.test(input.body)) {
    throw new ValidationError([
      { field: 'body', rule: 'must be valid base64 when base64-encoded' },
    ]);
  }
  // Buffer.from skips characters outside the base64 alphabet instead of
  // failing, hence the pattern check above.
  const bytes = input.isBase64Encoded
    ? Buffer.from(input.body, 'base64')
    : Buffer.from(input.body, 'utf8');
  if (bytes.length > maxBodyBytes) {
    const rule = `must be at most ${maxBodyBytes} bytes`;
    throw new ValidationError(
      [{ field: 'body', rule, value: `${bytes.length} bytes` }],
      413,
    );
  }
  try {
    return utf8.decode(bytes);
  } catch (error) {
    const problem = { field: 'body', rule: 'must be valid UTF-8' };
    throw new ValidationError([problem], 400, { cause: error });
  }
}

function parseJson(text: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const problem = { field: 'body', rule: `must be valid JSON (${reason})` };
    throw new ValidationError([problem], 400, { cause: error });
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    Array.isArray(document)
  ) {
    const problem = {
      field: 'body',
      rule: 'must be a JSON object with a files array',
      value: preview(document),
    };
    throw new ValidationError([problem]);
  }

  return document as Record<string, unknown>;
}

function unknownFieldProblems(
  document: Record<string, unknown>,
): FieldProblem[] {
  return Object.keys(document)
    .filter((key) => !knownFields.has(key))
    .map((key) => ({ field: key, rule: 'is not a known field' }));
}

/**
 * Lists the top-level fields that the body names more than once, which
 * JSON.parse accepts by keeping the last value.
 */
function duplicateFieldProblems(text: string): FieldProblem[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const key of topLevelKeys(text)) {
    if (seen.has(key)) repeated.add(key);
    seen.add(key);
  }

  return [...repeated].map((key) => ({
    field: key,
    rule: 'must appear only once',
  }));
}

/**
 * Reads the keys of the top-level object of a text that JSON.parse
 * accepted, in order and with repeats, without recursion.
 */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') {
      const end = closingQuote(text, index);
      if (depth === 1 && text[skipWhitespace(text, end + 1)] === ':') {
        keys.push(JSON.parse(text.slice(index, end + 1)) as string);
      }
      index = end;
    } else if (char === '{' || char === '[') {
      depth++;
    } else if (char === '}' || char === ']') {
      depth--;
    }
  }

  return keys;
}

function skipWhitespace(text: string, start: number): number {
  let index = start;
  while (jsonWhitespace.has(text[index] ?? '')) index++;

  return index;
}

/** Finds the quote that ends the JSON string starting at `start`. */
function closingQuote(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length && text[index] !== '"') {
    index += text[index] === '\\' ? 2 : 1;
  }

  return index;
}

function fileListProblems(
  files: readonly unknown[],
  limits: IngestLimits,
): FieldProblem[] {
  if (files.length === 0) {
    return [{ field: 'files', rule: 'must not be empty' }];
  }
  if (files.length > limits.maxFiles) {
    const rule = `must have at most ${limits.maxFiles} entries`;
    return [{ field: 'files', rule, value: `${files.length} entries` }];
  }

  return files.flatMap((entry, index) => {
    const rule = fileNameRule(entry, limits.maxFileNameBytes);
    return rule
      ? [{ field: `files[${index}]`, rule, value: preview(entry) }]
      : [];
  });
}

function fileNameRule(entry: unknown, maxBytes: number): string | undefined {
  if (typeof entry !== 'string') return 'must be a string';
  if (entry.trim() === '') return 'must not be empty or only whitespace';
  if (controlCharacters.test(entry)) {
    return 'must not contain control characters';
  }
  if (loneSurrogate.test(entry)) return 'must be valid Unicode';
  if (Buffer.byteLength(entry, 'utf8') > maxBytes) {
    return `must be at most ${maxBytes} bytes of UTF-8`;
  }

  return undefined;
}

/**
 * Shortens a rejected value so an error body stays small. Arrays and
 * objects become their JSON type, because serialising a deeply nested one
 * overflows the stack.
 */
function preview(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > 64 ? `${value.slice(0, 64)}…` : value;
  }
  if (Array.isArray(value)) return `array of ${value.length} entries`;
  if (value !== null && typeof value === 'object') return 'object';

  return value;
}
