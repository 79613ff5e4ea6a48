import { type DocumentItem, itemSize } from './item-size.js';

/** Key schema of a table with one global secondary index. */
export interface TableKeySchema {
  readonly partitionKey: string;
  readonly index: {
    readonly name: string;
    readonly partitionKey: string;
    readonly sortKey: string;
  };
}

/**
 * Request units that one operation consumed, split between the base table
 * and its global secondary index, in DynamoDB's on-demand units.
 */
export interface CapacityUse {
  readonly tableReadUnits: number;
  readonly tableWriteUnits: number;
  readonly indexReadUnits: number;
  readonly indexWriteUnits: number;
}

export const noCapacity: CapacityUse = {
  tableReadUnits: 0,
  tableWriteUnits: 0,
  indexReadUnits: 0,
  indexWriteUnits: 0,
};

/** Write request units of an item: one per started KB, at least one. */
export function writeUnits(sizeBytes: number): number {
  return Math.max(1, Math.ceil(sizeBytes / 1024));
}

/**
 * Read request units of a read: one per started 4 KB for a strongly
 * consistent read, half that for an eventually consistent one. A read that
 * finds nothing still costs one 4 KB unit: the Developer Guide states it
 * for reads of missing items and for empty queries.
 */
export function readUnits(sizeBytes: number, consistent: boolean): number {
  const blocks = Math.max(1, Math.ceil(sizeBytes / 4096));

  return consistent ? blocks : blocks / 2;
}

/**
 * Computes the index write units of one table write, by the Developer
 * Guide's rules for global secondary indexes. Entering the index costs one
 * put and leaving it one delete. A changed index key costs a delete and a
 * put, and a changed projected attribute one put. The index projects all
 * attributes, as `lib/storage.ts` defines it, so an index entry is as
 * large as its item.
 */
export function indexWriteUnits(
  schema: TableKeySchema,
  before: DocumentItem | undefined,
  after: DocumentItem | undefined,
): number {
  const beforeKey = indexKeyOf(schema, before);
  const afterKey = indexKeyOf(schema, after);
  if (before === undefined || beforeKey === undefined) {
    return after !== undefined && afterKey !== undefined
      ? writeUnits(itemSize(after))
      : 0;
  }
  if (after === undefined || afterKey === undefined) {
    return writeUnits(itemSize(before));
  }
  if (beforeKey !== afterKey) {
    return writeUnits(itemSize(before)) + writeUnits(itemSize(after));
  }

  return sameAttributes(before, after) ? 0 : writeUnits(itemSize(after));
}

function indexKeyOf(
  schema: TableKeySchema,
  item: DocumentItem | undefined,
): string | undefined {
  const partition = item?.[schema.index.partitionKey];
  const sort = item?.[schema.index.sortKey];
  if (partition === undefined || sort === undefined) return undefined;

  return JSON.stringify([partition, sort]);
}

function sameAttributes(left: DocumentItem, right: DocumentItem): boolean {
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (JSON.stringify(left[key]) !== JSON.stringify(right[key])) return false;
  }

  return true;
}

/**
 * A copy of every item the observed writes left in the table, so that the
 * size and index key of an item before a write are known. It is complete
 * only when it has seen every write since the table was empty.
 */
export class ShadowTable {
  readonly #schema: TableKeySchema;
  readonly #items = new Map<string, DocumentItem>();

  constructor(schema: TableKeySchema) {
    this.#schema = schema;
  }

  get size(): number {
    return this.#items.size;
  }

  /** Records a put or an update that left `item` in the table. */
  recordWrite(item: DocumentItem): CapacityUse {
    const key = this.#keyOf(item);
    const before = this.#items.get(key);
    this.#items.set(key, item);
    const tableBytes = Math.max(itemSize(item), sizeOrZero(before));

    return {
      ...noCapacity,
      tableWriteUnits: writeUnits(tableBytes),
      indexWriteUnits: indexWriteUnits(this.#schema, before, item),
    };
  }

  /** Records a delete; deleting a missing item still costs one unit. */
  recordDelete(key: DocumentItem): CapacityUse {
    const id = this.#keyOf(key);
    const before = this.#items.get(id);
    this.#items.delete(id);

    return {
      ...noCapacity,
      tableWriteUnits: writeUnits(sizeOrZero(before)),
      indexWriteUnits: indexWriteUnits(this.#schema, before, undefined),
    };
  }

  /**
   * Records a conditional write whose condition failed: it consumes table
   * units for the larger of the stored item and the attempted one, and
   * writes nothing to the index.
   */
  recordFailedCondition(
    key: DocumentItem,
    attempted?: DocumentItem,
  ): CapacityUse {
    const before = this.#items.get(this.#keyOf(key));
    const bytes = Math.max(sizeOrZero(before), sizeOrZero(attempted));

    return { ...noCapacity, tableWriteUnits: writeUnits(bytes) };
  }

  /** Returns the stored copy of an item, if any. */
  get(key: DocumentItem): DocumentItem | undefined {
    return this.#items.get(this.#keyOf(key));
  }

  /** Counts the stored items that match a predicate. */
  countItems(predicate: (item: DocumentItem) => boolean): number {
    let count = 0;
    for (const item of this.#items.values()) if (predicate(item)) count++;

    return count;
  }

  /** Returns an item's table key as a string, to compare keys. */
  keyOf(item: DocumentItem): string {
    return this.#keyOf(item);
  }

  #keyOf(item: DocumentItem): string {
    return JSON.stringify(item[this.#schema.partitionKey]);
  }
}

function sizeOrZero(item: DocumentItem | undefined): number {
  return item === undefined ? 0 : itemSize(item);
}

/** Adds two capacity uses. */
export function addCapacity(left: CapacityUse, right: CapacityUse) {
  return {
    tableReadUnits: left.tableReadUnits + right.tableReadUnits,
    tableWriteUnits: left.tableWriteUnits + right.tableWriteUnits,
    indexReadUnits: left.indexReadUnits + right.indexReadUnits,
    indexWriteUnits: left.indexWriteUnits + right.indexWriteUnits,
  };
}
