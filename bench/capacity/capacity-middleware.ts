import type {
  DynamoDBDocumentClient,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/lib-dynamodb';
import type { InitializeMiddleware } from '@smithy/types';
import {
  type CapacityUse,
  noCapacity,
  readUnits,
  type ShadowTable,
} from './capacity-model.js';
import { type DocumentItem, itemSize } from './item-size.js';

/** Capacity report of one DynamoDB call that returned. */
export interface CapacityRecord {
  /** Operation name, such as `UpdateItem`. */
  readonly operation: string;
  /** Units by DynamoDB's documented rules, from the items involved. */
  readonly use: CapacityUse;
  /** Sum of the `CapacityUnits` that the service itself returned. */
  readonly reportedUnits: number;
}

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

/**
 * Adds a middleware to a DynamoDB document client that asks for
 * `ReturnConsumedCapacity: 'INDEXES'` on every call, and for the new item
 * on updates that did not ask for one, feeds the writes into the shadow
 * table, and reports the units of each call. It removes what it added
 * from the output, so the caller gets the output it requested.
 *
 * It runs in the initialize step, before the document client marshals
 * the input, so it reads and writes items as plain JavaScript values.
 */
export function addCapacityMiddleware(
  client: Pick<DynamoDBDocumentClient, 'middlewareStack'>,
  shadow: ShadowTable,
  onRecord: (record: CapacityRecord) => void,
): void {
  const middleware: InitializeMiddleware<
    ServiceInputTypes,
    ServiceOutputTypes
  > = (next, context) => async (args) => {
    const operation = String(context.commandName ?? '').replace(/Command$/, '');
    const input = args.input as Input;
    const asksNewItem =
      operation === 'UpdateItem' &&
      (input.ReturnValues === undefined || input.ReturnValues === 'NONE');
    const request: Input = {
      ...input,
      ReturnConsumedCapacity: 'INDEXES',
      ...(asksNewItem ? { ReturnValues: 'ALL_NEW' } : {}),
    };
    try {
      const result = await next({
        ...args,
        input: request as ServiceInputTypes,
      });
      const output = result.output as Output;
      onRecord({
        operation,
        use: capacityOf(shadow, operation, request, output),
        reportedUnits: reportedUnits(output.ConsumedCapacity),
      });
      if (asksNewItem) delete output.Attributes;
      if (input.ReturnConsumedCapacity === undefined) {
        delete output.ConsumedCapacity;
      }
      return result;
    } catch (error) {
      if (error instanceof Error && isConditionFailure(error)) {
        const key = (input.Key ?? input.Item) as DocumentItem;
        const use = shadow.recordFailedCondition(
          key,
          input.Item as DocumentItem | undefined,
        );
        onRecord({ operation, use, reportedUnits: 0 });
      }
      throw error;
    }
  };
  client.middlewareStack.add(middleware, {
    step: 'initialize',
    name: 'benchCapacityMiddleware',
    override: true,
  });
}

function isConditionFailure(error: Error): boolean {
  return error.name === 'ConditionalCheckFailedException';
}

function capacityOf(
  shadow: ShadowTable,
  operation: string,
  input: Input,
  output: Output,
): CapacityUse {
  switch (operation) {
    case 'PutItem':
      return shadow.recordWrite(input.Item as DocumentItem);
    case 'UpdateItem':
      return shadow.recordWrite(updatedItem(shadow, input, output));
    case 'DeleteItem':
      return shadow.recordDelete(input.Key as DocumentItem);
    case 'BatchWriteItem':
      return batchWriteCapacity(shadow, input, output);
    case 'GetItem':
      return getCapacity(input, output);
    case 'Query':
    case 'Scan':
      return queryCapacity(input, output);
    default:
      return noCapacity;
  }
}

/**
 * The item after an update: the returned new item, or, when the caller
 * asked for other return values, the stored copy with the returned
 * attributes over it.
 */
function updatedItem(
  shadow: ShadowTable,
  input: Input,
  output: Output,
): DocumentItem {
  const attributes = (output.Attributes ?? {}) as DocumentItem;
  if (input.ReturnValues === 'ALL_NEW') return attributes;
  const key = input.Key as DocumentItem;

  return { ...shadow.get(key), ...key, ...attributes };
}

function batchWriteCapacity(
  shadow: ShadowTable,
  input: Input,
  output: Output,
): CapacityUse {
  const requested = input.RequestItems as Record<string, WriteRequest[]>;
  const unprocessed = (output.UnprocessedItems ?? {}) as Record<
    string,
    WriteRequest[]
  >;
  let total = { ...noCapacity };
  for (const [table, requests] of Object.entries(requested)) {
    const keyOf = (request: WriteRequest) =>
      shadow.keyOf(
        request.PutRequest?.Item ?? request.DeleteRequest?.Key ?? {},
      );
    const left = new Set((unprocessed[table] ?? []).map(keyOf));
    for (const request of requests) {
      if (left.has(keyOf(request))) continue;
      const use = request.PutRequest
        ? shadow.recordWrite(request.PutRequest.Item)
        : shadow.recordDelete(request.DeleteRequest?.Key ?? {});
      total = {
        ...total,
        tableWriteUnits: total.tableWriteUnits + use.tableWriteUnits,
        indexWriteUnits: total.indexWriteUnits + use.indexWriteUnits,
      };
    }
  }

  return total;
}

interface WriteRequest {
  readonly PutRequest?: { readonly Item: DocumentItem };
  readonly DeleteRequest?: { readonly Key: DocumentItem };
}

function getCapacity(input: Input, output: Output): CapacityUse {
  const item = output.Item as DocumentItem | undefined;
  const bytes = item === undefined ? 0 : itemSize(item);

  return {
    ...noCapacity,
    tableReadUnits: readUnits(bytes, input.ConsistentRead === true),
  };
}

/**
 * A query without a filter reads exactly the items it returns. With a
 * filter, and for a scan, it reads items it does not return, so the units
 * come from the service's output, raised to the one-unit minimum that the
 * emulator does not apply.
 */
function queryCapacity(input: Input, output: Output): CapacityUse {
  const consistent = input.ConsistentRead === true;
  const items = (output.Items ?? []) as DocumentItem[];
  const units =
    input.FilterExpression === undefined && input.ScanFilter === undefined
      ? readUnits(
          items.reduce((sum, item) => sum + itemSize(item), 0),
          consistent,
        )
      : Math.max(
          readUnits(0, consistent),
          reportedUnits(output.ConsumedCapacity),
        );

  return input.IndexName === undefined
    ? { ...noCapacity, tableReadUnits: units }
    : { ...noCapacity, indexReadUnits: units };
}

function reportedUnits(consumed: unknown): number {
  const list = Array.isArray(consumed) ? consumed : [consumed];

  return list.reduce<number>((sum, entry) => {
    const units = (entry as { CapacityUnits?: unknown } | undefined)
      ?.CapacityUnits;
    return sum + (typeof units === 'number' ? units : 0);
  }, 0);
}
