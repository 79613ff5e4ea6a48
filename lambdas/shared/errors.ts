/** Base class of the errors the pipeline raises on purpose. */
export class PipelineError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** One rule that a request broke. */
export interface FieldProblem {
  /** JSON path of the value, such as `files[2]`, or `body`. */
  readonly field: string;
  /** The rule, in words, such as `must be a non-empty string`. */
  readonly rule: string;
  /** The offending value, shortened; absent when it would not help. */
  readonly value?: unknown;
}

/** An error that maps to an HTTP response with a stable JSON shape. */
export class HttpError extends PipelineError {
  readonly statusCode: number;
  readonly problems: readonly FieldProblem[];

  constructor(
    statusCode: number,
    message: string,
    problems: readonly FieldProblem[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.problems = problems;
  }

  /** Serialises to `{ "error": { "message", "problems" } }`. */
  toBody(): string {
    return JSON.stringify({
      error: { message: this.message, problems: this.problems },
    });
  }
}

/** A request that breaks one or more input rules; nothing was written. */
export class ValidationError extends HttpError {
  /** Problems found beyond the ones listed, which are capped. */
  readonly unlistedProblems: number;

  constructor(
    problems: readonly FieldProblem[],
    statusCode = 400,
    options?: ErrorOptions,
  ) {
    const first = problems[0];
    const summary = first ? `${first.field} ${first.rule}` : 'invalid request';
    const listed = problems.slice(0, maxListedProblems);
    super(statusCode, `Invalid request: ${summary}`, listed, options);
    this.name = 'ValidationError';
    this.unlistedProblems = problems.length - listed.length;
  }

  override toBody(): string {
    if (this.unlistedProblems === 0) return super.toBody();

    return JSON.stringify({
      error: {
        message: this.message,
        problems: this.problems,
        unlistedProblems: this.unlistedProblems,
      },
    });
  }
}

/**
 * Problems listed in one error response at most, so that a large invalid
 * request cannot make an error body or log line of megabytes.
 */
const maxListedProblems = 20;

/** A file item that does not exist, or no longer exists. */
export class NotFoundError extends HttpError {
  constructor(what: string, id: string) {
    super(404, `${what} not found: ${id}`, [
      { field: 'id', rule: 'must name an existing item', value: id },
    ]);
    this.name = 'NotFoundError';
  }
}

/** Storage that kept failing after retries; the body lists what was kept. */
export class StorageError extends HttpError {
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    details: Readonly<Record<string, unknown>>,
    cause: unknown,
  ) {
    super(503, message, [], { cause });
    this.name = 'StorageError';
    this.details = details;
  }

  override toBody(): string {
    return JSON.stringify({
      error: { message: this.message, ...this.details },
    });
  }
}

/** Narrows a caught value to an Error, wrapping anything else. */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Tells whether a caught SDK error has the given exception name. */
export function isAwsError(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

const throttlingErrorNames = new Set([
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'ThrottlingException',
  'TimeoutError',
]);
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
]);

/**
 * Tells whether a caught error means that an AWS service was unavailable
 * or throttling (after the SDK's retries), so the caller may retry later:
 * a server-side SDK fault, a throttling or timeout error, or a refused or
 * reset connection.
 */
export function isUnavailableError(value: unknown): boolean {
  if (!(value instanceof Error)) return false;
  const error = value as Error & { $fault?: string; code?: string };

  return (
    error.$fault === 'server' ||
    throttlingErrorNames.has(error.name) ||
    networkErrorCodes.has(error.code ?? '')
  );
}
