import { describe, expect, it } from 'vitest';
import {
  indexWriteUnits,
  readUnits,
  ShadowTable,
  type TableKeySchema,
  writeUnits,
} from '../../bench/capacity/capacity-model.js';
import { itemSize } from '../../bench/capacity/item-size.js';

const schema: TableKeySchema = {
  partitionKey: 'id',
  index: { name: 'StatusIndex', partitionKey: 'shard', sortKey: 'since' },
};

const base = { id: 'f1', file: 'data/file-1', status: 'raw' };
const raw = { ...base, shard: 'raw#0', since: '2026-01-01T00:00:00.000Z' };
const queued = { ...raw, status: 'queued', shard: 'queued#0' };
const processed = { ...queued, status: 'processed', shard: 'processed#0' };

describe('Function: itemSize', () => {
  it.each([
    ['a string', { ab: 'xyz' }, 5],
    ['a multibyte string', { a: 'é' }, 3],
    ['a number', { n: 12345 }, 5],
    ['zero', { n: 0 }, 2],
    ['a boolean', { b: true }, 2],
    ['a list', { l: ['ab', 'c'] }, 1 + 3 + 1 + 2 + 1 + 1],
    ['a map', { m: { k: 'v' } }, 1 + 3 + 1 + 2],
  ])('sizes %s by the documented rules', (_name, item, expected) => {
    expect(itemSize(item)).toBe(expected);
  });
});

describe('Function: writeUnits and readUnits', () => {
  it('rounds writes up to whole KB with a minimum of one', () => {
    expect(writeUnits(0)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
  });

  it('charges an empty eventually consistent read half a unit', () => {
    expect(readUnits(0, false)).toBe(0.5);
    expect(readUnits(4097, false)).toBe(1);
    expect(readUnits(4097, true)).toBe(2);
  });
});

describe('Function: indexWriteUnits', () => {
  it.each([
    ['a new item with index keys', undefined, raw, 1],
    ['a new item without index keys', undefined, base, 0],
    ['a changed index key', raw, queued, 2],
    ['removed index keys', raw, base, 1],
    ['a deleted indexed item', processed, undefined, 1],
    ['a changed projected attribute', raw, { ...raw, file: 'other' }, 1],
    ['an unchanged item', raw, { ...raw }, 0],
  ])('charges %s', (_name, before, after, expected) => {
    expect(indexWriteUnits(schema, before, after)).toBe(expected);
  });
});

describe('Class: ShadowTable', () => {
  it('charges ten write units over the life of one small file', () => {
    const shadow = new ShadowTable(schema);

    const uses = [
      shadow.recordWrite(raw),
      shadow.recordWrite(queued),
      shadow.recordWrite(processed),
      shadow.recordDelete({ id: 'f1' }),
    ];

    expect(uses.map((use) => use.tableWriteUnits)).toEqual([1, 1, 1, 1]);
    expect(uses.map((use) => use.indexWriteUnits)).toEqual([1, 2, 2, 1]);
    expect(shadow.size).toBe(0);
  });

  it('charges a failed condition on the table only', () => {
    const shadow = new ShadowTable(schema);
    shadow.recordWrite(raw);

    const use = shadow.recordFailedCondition({ id: 'f1' });

    expect(use.tableWriteUnits).toBe(1);
    expect(use.indexWriteUnits).toBe(0);
  });
});
