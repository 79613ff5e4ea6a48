/**
 * Item sizes by the rules of the DynamoDB Developer Guide, "Item sizes and
 * formats": an attribute costs the UTF-8 bytes of its name plus its value,
 * a string its UTF-8 bytes, a number about one byte per two significant
 * digits plus one, a boolean or null one byte, and a list or map three
 * bytes plus one byte per element plus the elements.
 *
 * The items are in the document client's form (plain JavaScript values),
 * as `DynamoDBDocumentClient` passes them to and from its middleware.
 */
export type DocumentItem = Readonly<Record<string, unknown>>;

/** Size in bytes of an item. */
export function itemSize(item: DocumentItem): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + valueSize(value);
  }

  return size;
}

/** Size in bytes of one attribute value. */
export function valueSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint') {
    return numberSize(String(value));
  }
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return setSize(value);
  if (Array.isArray(value)) {
    return value.reduce<number>((sum, element) => {
      return sum + 1 + valueSize(element);
    }, 3);
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return 3 + entries.length + itemSize(Object.fromEntries(entries));
  }

  return 0;
}

/** A number costs one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  if (digits === '') return 1;
  const negative = text.startsWith('-') ? 1 : 0;

  return Math.ceil(digits.length / 2) + 1 + negative;
}

function setSize(values: ReadonlySet<unknown>): number {
  let size = 0;
  for (const value of values) size += valueSize(value);

  return size;
}
