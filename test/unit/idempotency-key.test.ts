import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import {
  deriveFileIds,
  hashFileList,
  parseIdempotencyKey,
} from '#domain/idempotency-key.js';
import { ValidationError } from '#shared/errors.js';

describe('Function: parseIdempotencyKey', () => {
  it('returns undefined when the header is absent', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  it.each([
    ['one character', 'a'],
    ['128 characters', 'k'.repeat(128)],
    ['a UUID', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['spaces and symbols', ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
  ])('accepts %s', (_case, key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  it.each([
    ['an empty value', ''],
    ['129 characters', 'k'.repeat(129)],
    ['a tab', 'a\tb'],
    ['a DEL character', 'a\u007f'],
    ['a non-ASCII letter', 'clé'],
    ['an emoji', 'key-🔑'],
  ])('rejects %s with 400 naming the header', (_case, key) => {
    let error: unknown;
    try {
      parseIdempotencyKey(key);
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ValidationError);
    const validation = error as ValidationError;
    expect(validation.statusCode).toBe(400);
    expect(validation.problems[0]?.field).toBe('Idempotency-Key');
    expect(validation.problems[0]?.rule).toBe(
      'must be 1 to 128 printable ASCII characters',
    );
  });
});

describe('Function: deriveFileIds', () => {
  const createdAt = Date.parse('2026-03-01T12:34:56.789Z');

  it('derives the same ids for the same record', () => {
    const first = deriveFileIds('idempotency#a', createdAt, 50);

    const second = deriveFileIds('idempotency#a', createdAt, 50);

    expect(second).toEqual(first);
  });

  it('derives valid ULIDs that carry the creation time', () => {
    const ids = deriveFileIds('idempotency#a', createdAt, 50);

    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(ids.every((id) => decodeTime(id) === createdAt)).toBe(true);
  });

  it('derives distinct ids per position and per record', () => {
    const ids = [
      ...deriveFileIds('idempotency#a', createdAt, 1000),
      ...deriveFileIds('idempotency#b', createdAt, 1000),
    ];

    expect(new Set(ids).size).toBe(2000);
  });
});

describe('Function: hashFileList', () => {
  it('hashes by content and order', () => {
    expect(hashFileList(['a', 'b'])).toBe(hashFileList(['a', 'b']));
    expect(hashFileList(['a', 'b'])).not.toBe(hashFileList(['b', 'a']));
    expect(hashFileList(['a,b'])).not.toBe(hashFileList(['a', 'b']));
  });
});
