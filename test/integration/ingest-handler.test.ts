import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../../lib/settings.js';
import {
  countItems,
  startTestTable,
  type TestTable,
} from '../helpers/dynamo.js';
import {
  apiEvent,
  type ErrorBody,
  getEvent,
  type IngestHandler,
  importIngestHandler,
  invoke,
  parseBody,
  postEvent,
} from './ingest-handler-setup.js';

const { maxFilesPerRequest, maxFileNameBytes, maxBodyBytes } = defaultSettings;
const json = 'application/json';

function filesBody(files: readonly unknown[]): string {
  return JSON.stringify({ files });
}

function base64Post(bytes: Buffer | string, contentType = json) {
  const body = Buffer.from(bytes).toString('base64');
  return postEvent(body, {
    headers: { 'content-type': contentType },
    isBase64Encoded: true,
  });
}

function withContentType(contentType: string, body = filesBody(['a'])) {
  return postEvent(body, { headers: { 'content-type': contentType } });
}

function withKey(key: string, files: readonly string[] = ['keyed']) {
  return postEvent(filesBody(files), {
    headers: { 'content-type': json, 'Idempotency-Key': key },
  });
}

/** Builds a body whose first entry is nested `depth` arrays deep. */
function nestedBody(depth: number): string {
  return `{"files":[${'['.repeat(depth)}${']'.repeat(depth)}]}`;
}

/** Pads a valid body with JSON whitespace up to `bytes` bytes. */
function paddedBody(bytes: number): string {
  const body = filesBody(['padded']);
  return body.slice(0, -1) + ' '.repeat(bytes - body.length) + body.slice(-1);
}

const atByteLimit3 = `${'€'.repeat((maxFileNameBytes - 1) / 3)}a`;
const atByteLimit4 = '😀'.repeat(maxFileNameBytes / 4);
const manyFiles = (count: number) =>
  Array.from({ length: count }, (_, index) => `file_${index}`);

/** A case that the handler accepts, with the files it must create. */
interface AcceptedCase {
  readonly name: string;
  readonly event: () => APIGatewayProxyEventV2;
  readonly files: number;
  /** Items besides the files, such as an idempotency record. */
  readonly extraItems?: number;
}

/** A case that the handler rejects. */
interface RejectedCase {
  readonly name: string;
  readonly event: () => APIGatewayProxyEventV2;
  readonly status: number;
  readonly field: string;
  readonly rule: string;
}

const acceptedCases: AcceptedCase[] = [
  { name: 'one file name', event: () => postEvent(filesBody(['a'])), files: 1 },
  {
    name: 'a base64-encoded body',
    event: () => base64Post(filesBody(['a', 'b'])),
    files: 2,
  },
  {
    name: 'a charset parameter',
    event: () => withContentType('Application/JSON; charset=UTF-8'),
    files: 1,
  },
  {
    name: 'a quoted charset parameter',
    event: () => withContentType('application/json;charset="utf-8"'),
    files: 1,
  },
  {
    name: 'the maximum number of files',
    event: () => postEvent(filesBody(manyFiles(maxFilesPerRequest))),
    files: maxFilesPerRequest,
  },
  {
    name: 'a name at the byte limit in 3-byte characters',
    event: () => postEvent(filesBody([atByteLimit3])),
    files: 1,
  },
  {
    name: 'a name at the byte limit in 4-byte characters',
    event: () => postEvent(filesBody([atByteLimit4])),
    files: 1,
  },
  {
    name: 'the same name twice',
    event: () => postEvent(filesBody(['twice', 'twice'])),
    files: 2,
  },
  {
    name: 'a body at the size limit',
    event: () => postEvent(paddedBody(maxBodyBytes)),
    files: 1,
  },
  {
    // RFC 8259 lets a parser ignore a leading byte order mark.
    name: 'a byte order mark before the JSON',
    event: () => postEvent('\ufeff{"files":["a"]}'),
    files: 1,
  },
  {
    name: 'an idempotency key of 128 characters',
    event: () => withKey(`k-${'x'.repeat(126)}`),
    files: 1,
    extraItems: 1,
  },
  {
    name: 'an idempotency key with spaces and symbols',
    event: () => withKey('order 42: retry #1 ~ {ok}'),
    files: 1,
    extraItems: 1,
  },
];

const rejectedPostCases: RejectedCase[] = [
  {
    name: 'a missing content type',
    event: () => postEvent(filesBody(['a']), { headers: {} }),
    status: 415,
    field: 'content-type',
    rule: 'must be application/json',
  },
  ...[
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data',
    'application/json-patch+json',
    'application/jsonx',
  ].map((contentType) => ({
    name: `content type ${contentType}`,
    event: () => withContentType(contentType),
    status: 415,
    field: 'content-type',
    rule: 'must be application/json',
  })),
  {
    name: 'a non-UTF-8 charset',
    event: () => withContentType('application/json; charset=iso-8859-1'),
    status: 415,
    field: 'content-type',
    rule: 'in UTF-8',
  },
  {
    name: 'a base64 body with a text content type',
    event: () => base64Post(filesBody(['a']), 'text/plain'),
    status: 415,
    field: 'content-type',
    rule: 'must be application/json',
  },
  {
    name: 'a missing body',
    event: () => postEvent(undefined),
    status: 400,
    field: 'body',
    rule: 'is required',
  },
  {
    name: 'an empty body',
    event: () => postEvent(''),
    status: 400,
    field: 'body',
    rule: 'is required',
  },
  ...[
    ['a whitespace body', ' \n\t '],
    ['truncated JSON', '{"files":["a"'],
    ['JSON cut inside a string', '{"files":["a'],
    ['single-quoted JSON', "{'files':['a']}"],
    ['a trailing comma', '{"files":["a",]}'],
    ['an unquoted key', '{files:["a"]}'],
    ['two JSON documents', '{"files":["a"]}{"files":["b"]}'],
  ].map(([name, body]) => ({
    name: name as string,
    event: () => postEvent(body),
    status: 400,
    field: 'body',
    rule: 'must be valid JSON',
  })),
  ...[
    ['a JSON array body', '["a"]'],
    ['a JSON null body', 'null'],
    ['a JSON string body', '"a"'],
    ['a JSON number body', '42'],
  ].map(([name, body]) => ({
    name: name as string,
    event: () => postEvent(body),
    status: 400,
    field: 'body',
    rule: 'must be a JSON object',
  })),
  {
    name: 'a body without files',
    event: () => postEvent('{}'),
    status: 400,
    field: 'files',
    rule: 'is required',
  },
  {
    name: 'a files key in another case',
    event: () => postEvent('{"Files":["a"]}'),
    status: 400,
    field: 'files',
    rule: 'is required',
  },
  ...[
    ['files null', 'null'],
    ['files as a string', '"a"'],
    ['files as an object', '{"0":"a"}'],
    ['files as a number', '1'],
  ].map(([name, files]) => ({
    name: name as string,
    event: () => postEvent(`{"files":${files}}`),
    status: 400,
    field: 'files',
    rule: 'must be an array of strings',
  })),
  {
    name: 'an empty files array',
    event: () => postEvent(filesBody([])),
    status: 400,
    field: 'files',
    rule: 'must not be empty',
  },
  {
    name: 'one file more than the limit',
    event: () => postEvent(filesBody(manyFiles(maxFilesPerRequest + 1))),
    status: 400,
    field: 'files',
    rule: `must have at most ${maxFilesPerRequest} entries`,
  },
  {
    name: 'a huge array of numbers',
    event: () => postEvent(`{"files":[${'0,'.repeat(199_999)}0]}`),
    status: 400,
    field: 'files',
    rule: `must have at most ${maxFilesPerRequest} entries`,
  },
  ...[
    ['a null entry', [null]],
    ['a number entry', ['a', 7]],
    ['a boolean entry', [true]],
    ['a nested array entry', [['a']]],
    ['an object entry', [{ name: 'a' }]],
  ].map(([name, files]) => ({
    name: name as string,
    event: () => postEvent(filesBody(files as unknown[])),
    status: 400,
    field: `files[${(files as unknown[]).length - 1}]`,
    rule: 'must be a string',
  })),
  {
    name: 'an entry nested 100000 arrays deep',
    event: () => postEvent(nestedBody(100_000)),
    status: 400,
    field: 'files[0]',
    rule: 'must be a string',
  },
  ...[
    ['an empty name', ''],
    ['a name of spaces and tabs', ' \t '],
    ['a name of no-break and ideographic spaces', '\u00a0\u3000'],
  ].map(([name, file]) => ({
    name: name as string,
    event: () => postEvent(filesBody([file])),
    status: 400,
    field: 'files[0]',
    rule: 'must not be empty or only whitespace',
  })),
  ...[
    ['a NUL character', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['an escape character', '\u001b[31mred'],
    ['a DEL character', 'a\u007f'],
    ['a C1 control character', 'a\u0085b'],
  ].map(([name, file]) => ({
    name: name as string,
    event: () => postEvent(filesBody([file])),
    status: 400,
    field: 'files[0]',
    rule: 'must not contain control characters',
  })),
  ...[
    ['a lone high surrogate', '\\ud800'],
    ['a lone low surrogate', '\\udc00x'],
    ['swapped surrogates', '\\udc00\\ud800'],
  ].map(([name, escaped]) => ({
    name: name as string,
    event: () => postEvent(`{"files":["ok","${escaped}"]}`),
    status: 400,
    field: 'files[1]',
    rule: 'must be valid Unicode',
  })),
  {
    name: 'a name one byte over the limit',
    event: () => postEvent(filesBody([`${atByteLimit4}a`])),
    status: 400,
    field: 'files[0]',
    rule: `must be at most ${maxFileNameBytes} bytes of UTF-8`,
  },
  {
    name: 'a name one 3-byte character over the limit',
    event: () => postEvent(filesBody([`${atByteLimit3}€`])),
    status: 400,
    field: 'files[0]',
    rule: `must be at most ${maxFileNameBytes} bytes of UTF-8`,
  },
  {
    name: 'a body one byte over the size limit',
    event: () => postEvent(paddedBody(maxBodyBytes + 1)),
    status: 413,
    field: 'body',
    rule: `must be at most ${maxBodyBytes} bytes`,
  },
  {
    name: 'a base64 body that decodes over the size limit',
    event: () => base64Post(paddedBody(maxBodyBytes + 1)),
    status: 413,
    field: 'body',
    rule: `must be at most ${maxBodyBytes} bytes`,
  },
  ...[
    ['text that is not base64', 'not base64!'],
    ['base64 with trailing garbage', `${btoa(filesBody(['a']))}!!!`],
    // '{"files":["abc"]}' encodes to 'eyJmaWxlcyI6WyJhYmMiXX0='.
    ['base64 without padding', btoa(filesBody(['abc'])).slice(0, -1)],
    // '{"files":["~~~"]}' encodes to 'eyJmaWxlcyI6WyJ+fn4iXX0='.
    ['URL-safe base64', btoa(filesBody(['~~~'])).replace('+', '-')],
  ].map(([name, body]) => ({
    name: name as string,
    event: () =>
      postEvent(body, {
        headers: { 'content-type': json },
        isBase64Encoded: true,
      }),
    status: 400,
    field: 'body',
    rule: 'must be valid base64',
  })),
  ...[
    ['invalid UTF-8', [0x7b, 0xff, 0x7d]],
    ['an overlong UTF-8 sequence', utf8Files([0xc0, 0xaf])],
    ['a UTF-8-encoded surrogate', utf8Files([0xed, 0xa0, 0x80])],
    ['a truncated UTF-8 sequence', utf8Files([0xc3])],
  ].map(([name, bytes]) => ({
    name: `a base64 body of ${name}`,
    event: () => base64Post(Buffer.from(bytes as number[])),
    status: 400,
    field: 'body',
    rule: 'must be valid UTF-8',
  })),
  {
    name: 'a duplicate files key',
    event: () => postEvent('{"files":["a"],"files":["b"]}'),
    status: 400,
    field: 'files',
    rule: 'must appear only once',
  },
  {
    name: 'a duplicate files key spelled with escapes',
    event: () => postEvent('{"files":["a"], "fil\\u0065s" \n : ["b"]}'),
    status: 400,
    field: 'files',
    rule: 'must appear only once',
  },
  {
    name: 'an unknown field',
    event: () => postEvent('{"files":["a"],"priority":"high"}'),
    status: 400,
    field: 'priority',
    rule: 'is not a known field',
  },
  {
    name: 'a __proto__ field',
    event: () => postEvent('{"__proto__":{"files":["x"]},"files":["a"]}'),
    status: 400,
    field: '__proto__',
    rule: 'is not a known field',
  },
  ...[
    ['an empty idempotency key', ''],
    ['an idempotency key of 129 characters', 'k'.repeat(129)],
    ['a non-ASCII idempotency key', 'ключ-1'],
    ['an idempotency key with a tab', 'a\tb'],
  ].map(([name, key]) => ({
    name: name as string,
    event: () => withKey(key as string),
    status: 400,
    field: 'Idempotency-Key',
    rule: 'must be 1 to 128 printable ASCII characters',
  })),
];

const wellFormedUnknownId = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

const rejectedGetCases: RejectedCase[] = [
  ...[
    ['a missing id', undefined],
    ['an empty id', ''],
    ['a short id', 'ABC'],
    ['a 27-character id', `${wellFormedUnknownId}A`],
    ['a lowercase id', wellFormedUnknownId.toLowerCase()],
    ['an id with a U', `U${wellFormedUnknownId.slice(1)}`],
    ['an id above the largest ULID', `8${wellFormedUnknownId.slice(1)}`],
    ['the lock item id', 'lock#deleter'],
    ['an idempotency record id', `idempotency#${'0'.repeat(64)}`],
    ['a path traversal', '../../etc/passwd'],
  ].map(([name, id]) => ({
    name: `GET with ${name}`,
    event: () => getEvent(id),
    status: 400,
    field: 'id',
    rule: 'must be a 26-character ULID',
  })),
  {
    name: 'GET with an unknown id',
    event: () => getEvent(wellFormedUnknownId),
    status: 404,
    field: 'id',
    rule: 'must name an existing item',
  },
  ...['GET /data/input', 'DELETE /data/files/{id}', '$default'].map(
    (routeKey) => ({
      name: `route ${routeKey}`,
      event: () => apiEvent(routeKey, { headers: {}, isBase64Encoded: false }),
      status: 404,
      field: 'route',
      rule: 'must be one of POST /data/input, GET /data/files/{id}',
    }),
  ),
];

function utf8Files(nameBytes: readonly number[]): number[] {
  return [...Buffer.from('{"files":["'), ...nameBytes, ...Buffer.from('"]}')];
}

const unicodeNames = [
  ['emoji with a zero-width joiner', '👩‍👩‍👧 family 📁.csv'],
  ['CJK characters', '数据文件_テスト_데이터.csv'],
  ['combining marks, not normalised', 'cafe\u0301 vs caf\u00e9.txt'],
  ['right-to-left text with marks', '\u200fملف_بيانات\u200e.csv'],
  ['a byte order mark and a noncharacter', '\ufeffbom\uffff.bin'],
  ['line and paragraph separators', 'a\u2028b\u2029c'],
  ['the byte limit in 4-byte characters', atByteLimit4],
];

describe('Handler: ingest, on dynalite', () => {
  let table: TestTable;
  let handler: IngestHandler;

  beforeAll(async () => {
    table = await startTestTable();
    handler = await importIngestHandler(table);
  });

  afterAll(async () => {
    vi.unstubAllEnvs();
    await table?.close();
  });

  const tableSize = () => countItems(table.client, table.tableName);

  it.each(acceptedCases)('accepts $name', async (testCase) => {
    const before = await tableSize();

    const response = await invoke(handler, testCase.event());

    expect(response.statusCode).toBe(201);
    const body = parseBody<{ ids: string[]; count: number }>(response);
    expect(body.count).toBe(testCase.files);
    expect(new Set(body.ids).size).toBe(testCase.files);
    expect(await tableSize()).toBe(
      before + testCase.files + (testCase.extraItems ?? 0),
    );
  });

  it.each([...rejectedPostCases, ...rejectedGetCases])(
    'rejects $name',
    async (testCase) => {
      const before = await tableSize();

      const response = await invoke(handler, testCase.event());

      expect(response.statusCode).toBe(testCase.status);
      const { error } = parseBody<ErrorBody>(response);
      expect(error.problems[0]?.field).toBe(testCase.field);
      expect(error.problems[0]?.rule).toContain(testCase.rule);
      expect(response.headers?.['content-type']).toBe(json);
      expect(await tableSize()).toBe(before);
    },
  );

  it.each(unicodeNames)('returns %s byte for byte', async (_name, file) => {
    const posted = await invoke(handler, postEvent(filesBody([file])));
    const [id] = parseBody<{ ids: string[] }>(posted).ids;

    const response = await invoke(handler, getEvent(id));

    expect(response.statusCode).toBe(200);
    const view = parseBody<{ id: string; file: string; status: string }>(
      response,
    );
    expect(view.id).toBe(id);
    expect(view.status).toBe('raw');
    expect(Buffer.from(view.file).equals(Buffer.from(file))).toBe(true);
  });

  it('returns a name sent in a base64 body byte for byte', async () => {
    const file = 'Ωmega_😀_\u0301.csv';
    const posted = await invoke(handler, base64Post(filesBody([file])));
    const [id] = parseBody<{ ids: string[] }>(posted).ids;

    const response = await invoke(handler, getEvent(id));

    expect(parseBody<{ file: string }>(response).file).toBe(file);
  });

  it('lists at most 20 problems', async () => {
    const files = Array.from({ length: 50 }, () => null);

    const response = await invoke(handler, postEvent(filesBody(files)));

    expect(response.statusCode).toBe(400);
    expect(parseBody<ErrorBody>(response).error.problems).toHaveLength(20);
  });
});
