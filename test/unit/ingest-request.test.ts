import { describe, expect, it } from 'vitest';
import { parseIngestRequest } from '#domain/ingest-request.js';
import { ValidationError } from '#shared/errors.js';

const limits = { maxFiles: 5, maxFileNameBytes: 8, maxBodyBytes: 200 };
const json = 'application/json';

function parse(body: string | undefined, contentType: string | null = json) {
  return parseIngestRequest(
    { body, isBase64Encoded: false, contentType: contentType ?? undefined },
    limits,
  );
}

function rejection(action: () => unknown): ValidationError {
  try {
    action();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('Function: parseIngestRequest', () => {
  it('returns the file names in request order', () => {
    const files = parse('{"files":["b","a","b"]}');

    expect(files).toEqual(['b', 'a', 'b']);
  });

  it('accepts a base64-encoded body', () => {
    const body = Buffer.from('{"files":["é"]}').toString('base64');

    const files = parseIngestRequest(
      { body, isBase64Encoded: true, contentType: json },
      limits,
    );

    expect(files).toEqual(['é']);
  });

  it('accepts a charset parameter on the content type', () => {
    expect(parse('{"files":["a"]}', 'Application/JSON; charset=utf-8')).toEqual(
      ['a'],
    );
  });

  it.each([
    ['not JSON', '{"files":', 400, 'body', 'must be valid JSON'],
    ['an array body', '["a"]', 400, 'body', 'must be a JSON object'],
    ['no files', '{}', 400, 'files', 'is required'],
    ['files not an array', '{"files":"a"}', 400, 'files', 'must be an array'],
    ['an empty array', '{"files":[]}', 400, 'files', 'must not be empty'],
    ['a number entry', '{"files":[1]}', 400, 'files[0]', 'must be a string'],
    [
      'a null entry',
      '{"files":["a",null]}',
      400,
      'files[1]',
      'must be a string',
    ],
    ['an empty entry', '{"files":[""]}', 400, 'files[0]', 'must not be empty'],
    ['a blank entry', '{"files":["  "]}', 400, 'files[0]', 'only whitespace'],
    [
      'a control character',
      '{"files":["a\\u0007"]}',
      400,
      'files[0]',
      'control characters',
    ],
    [
      'a lone surrogate',
      '{"files":["\\ud800"]}',
      400,
      'files[0]',
      'valid Unicode',
    ],
    [
      'a name over the limit',
      '{"files":["éééée"]}',
      400,
      'files[0]',
      'at most 8 bytes',
    ],
    [
      'too many entries',
      '{"files":["a","b","c","d","e","f"]}',
      400,
      'files',
      'at most 5 entries',
    ],
    [
      'an unknown field',
      '{"files":["a"],"x":1}',
      400,
      'x',
      'is not a known field',
    ],
    [
      'a body over the limit',
      `{"files":["${'a'.repeat(300)}"]}`,
      413,
      'body',
      'at most 200 bytes',
    ],
    ['no body', undefined, 400, 'body', 'is required'],
  ])('rejects %s', (_case, body, status, field, rule) => {
    const error = rejection(() => parse(body));

    expect(error.statusCode).toBe(status);
    expect(error.problems[0]?.field).toBe(field);
    expect(error.problems[0]?.rule).toContain(rule);
  });

  it.each([
    ['missing', null],
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
  ])('rejects a %s content type with 415', (_case, contentType) => {
    const error = rejection(() => parse('{"files":["a"]}', contentType));

    expect(error.statusCode).toBe(415);
    expect(error.problems[0]?.field).toBe('content-type');
  });

  it('rejects invalid UTF-8 in a base64 body', () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d]).toString('base64');

    const error = rejection(() =>
      parseIngestRequest(
        { body, isBase64Encoded: true, contentType: json },
        limits,
      ),
    );

    expect(error.problems[0]?.rule).toBe('must be valid UTF-8');
  });

  it('lists every invalid entry at once', () => {
    const error = rejection(() => parse('{"files":[1,"ok",null]}'));

    expect(error.problems.map((problem) => problem.field)).toEqual([
      'files[0]',
      'files[2]',
    ]);
  });
});
