import { describe, expect, it } from 'vitest';
import { parseNameList } from '../../local/send-command.js';
import { ingestEndpoint, splitIntoRequests } from '../../local/send-files.js';

const bodyBytes = (files: readonly string[]) =>
  Buffer.byteLength(JSON.stringify({ files }));

describe('Function: splitIntoRequests', () => {
  it('keeps a small list in one request', () => {
    const requests = splitIntoRequests(['a', 'b', 'c'], {
      maxFilesPerRequest: 3,
      maxBodyBytes: 1000,
    });

    expect(requests).toEqual([['a', 'b', 'c']]);
  });

  it('splits at the maximum files per request', () => {
    const names = Array.from({ length: 7 }, (_, index) => `file_${index}`);

    const requests = splitIntoRequests(names, {
      maxFilesPerRequest: 3,
      maxBodyBytes: 1000,
    });

    expect(requests.map((request) => request.length)).toEqual([3, 3, 1]);
    expect(requests.flat()).toEqual(names);
  });

  it('fills each body up to the byte limit exactly', () => {
    const names = ['aaaa', 'bbbb', 'cccc', 'dddd'];
    const limit = bodyBytes(['aaaa', 'bbbb']);

    const requests = splitIntoRequests(names, {
      maxFilesPerRequest: 100,
      maxBodyBytes: limit,
    });

    expect(requests).toEqual([
      ['aaaa', 'bbbb'],
      ['cccc', 'dddd'],
    ]);
  });

  it.each([
    ['UTF-8 bytes', 'é'.repeat(10), 36],
    ['JSON escapes', '""""', 25],
  ])('counts %s of each name', (_case, name, limit) => {
    const requests = splitIntoRequests([name, 'b'], {
      maxFilesPerRequest: 100,
      maxBodyBytes: limit,
    });

    expect(bodyBytes([name])).toBeLessThanOrEqual(limit);
    expect(bodyBytes([name, 'b'])).toBeGreaterThan(limit);
    expect(requests).toEqual([[name], ['b']]);
  });

  it('sends a name over the body limit alone', () => {
    const long = 'x'.repeat(50);

    const requests = splitIntoRequests(['a', long, 'b'], {
      maxFilesPerRequest: 100,
      maxBodyBytes: 30,
    });

    expect(requests).toEqual([['a'], [long], ['b']]);
  });

  it('returns no request for no names', () => {
    const requests = splitIntoRequests([], {
      maxFilesPerRequest: 10,
      maxBodyBytes: 100,
    });

    expect(requests).toEqual([]);
  });
});

describe('Function: parseNameList', () => {
  it('reads one name per line and keeps spaces', () => {
    const names = parseNameList('file_1\r\n  spaced name \n\n   \nlast');

    expect(names).toEqual(['file_1', '  spaced name ', 'last']);
  });
});

describe('Function: ingestEndpoint', () => {
  it.each([
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/data/input'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000/data/input'],
    ['https://api.example.com/prod', 'https://api.example.com/prod/data/input'],
  ])('appends the ingest path to %s', (baseUrl, expected) => {
    expect(ingestEndpoint(baseUrl)).toBe(expected);
  });
});
