import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import { ValidationError } from '#shared/errors.js';

/** Request header that makes `POST /data/input` idempotent. */
export const idempotencyKeyHeader = 'Idempotency-Key';

const maxKeyLength = 128;
const printableAscii = /^[\x20-\x7e]+$/;
const crockfordBase32 = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ulidRandomLength = 16;

/**
 * Validates an `Idempotency-Key` header value.
 *
 * @returns the key, or undefined when the request has no such header.
 * @throws ValidationError (400) naming the header when the value is empty,
 *   longer than 128 characters or not printable ASCII.
 */
export function parseIdempotencyKey(
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > maxKeyLength || !printableAscii.test(value)) {
    const problem = {
      field: idempotencyKeyHeader,
      rule: `must be 1 to ${maxKeyLength} printable ASCII characters`,
      value: value.length > 64 ? `${value.slice(0, 64)}…` : value,
    };
    throw new ValidationError([problem]);
  }

  return value;
}

/** Hashes UTF-8 text with SHA-256 and returns lowercase hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Hashes a validated file list, so that two requests with the same files
 * match however their JSON was spaced or encoded.
 */
export function hashFileList(files: readonly string[]): string {
  return sha256Hex(JSON.stringify(files));
}

/**
 * Derives the item ids of a request from its idempotency record, so that
 * every attempt of the request writes the same items. Each id is a ULID:
 * the record's creation time in milliseconds, then 80 bits taken from the
 * SHA-256 of the record id and the file's position in the request.
 */
export function deriveFileIds(
  recordId: string,
  createdAtMs: number,
  count: number,
): string[] {
  const time = encodeTime(createdAtMs, 10);

  return Array.from({ length: count }, (_, index) => {
    const digest = createHash('sha256').update(`${recordId}#${index}`).digest();
    let random = '';
    for (let position = 0; position < ulidRandomLength; position++) {
      random += crockfordBase32.charAt((digest[position] ?? 0) & 31);
    }

    return time + random;
  });
}
