import { HttpError } from '#shared/errors.js';
import { idempotencyKeyHeader } from './idempotency-key.js';

/** The key was used before with a different list of files (422). */
export class IdempotencyKeyReusedError extends HttpError {
  constructor() {
    super(
      422,
      `${idempotencyKeyHeader} was already used with a different request body; send a new key for a new request`,
      [
        {
          field: idempotencyKeyHeader,
          rule: 'must not be reused with a different request body',
        },
      ],
    );
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * An earlier request with the same key is still running (409). The
 * handler sends `retryAfterSeconds` as the `Retry-After` header.
 */
export class IdempotencyInProgressError extends HttpError {
  /** Seconds after which the earlier attempt has finished or expired. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(
      409,
      `A request with this ${idempotencyKeyHeader} is still in progress; retry after ${retryAfterSeconds} seconds`,
      [
        {
          field: idempotencyKeyHeader,
          rule: 'must not be reused while the first request is in progress',
        },
      ],
    );
    this.name = 'IdempotencyInProgressError';
    this.retryAfterSeconds = retryAfterSeconds;
  }

  override toBody(): string {
    return JSON.stringify({
      error: {
        message: this.message,
        problems: this.problems,
        retryAfterSeconds: this.retryAfterSeconds,
      },
    });
  }
}
