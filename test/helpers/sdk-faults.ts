import type { AsyncLocalStorage } from 'node:async_hooks';
import {
  InternalServerError,
  ProvisionedThroughputExceededException,
  ThrottlingException,
} from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type {
  FinalizeRequestMiddleware,
  HandlerExecutionContext,
  InitializeHandlerOutput,
  InitializeMiddleware,
} from '@smithy/types';
import type { FunctionRole } from '../../lib/environment.js';
import type { FaultPlan, SdkCall } from './fault-plan.js';

/** Per-invocation fault state, remaining in an AsyncLocalStorage. */
export interface InvocationScope {
  readonly role: FunctionRole;
  /** Ids whose UpdateItem fails, so that their messages fail. */
  readonly failIds: ReadonlySet<string>;
  /** UpdateItem calls the invocation sends before it crashes. */
  readonly crashAfterWrites?: number;
  /** UpdateItem calls sent so far. */
  writesSent: number;
  /** Once set, every SDK call of the invocation fails. */
  crashed: boolean;
}

/**
 * An injected error that the SDK does not retry: a client fault with
 * HTTP status 400 and a name that no retry rule lists.
 */
export class InjectedFaultError extends Error {
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 400 };

  constructor(message: string) {
    super(`Injected fault: ${message}`);
    this.name = 'InjectedFault';
  }
}

/** Decisions taken once per call and read at each attempt. */
interface CallFaults {
  readonly throttleOnce: boolean;
  readonly throttleAlways: boolean;
  readonly loseResponse: boolean;
  attempts: number;
}

type Output = InitializeHandlerOutput<object>;
type Input = Readonly<Record<string, unknown>>;
type Next = (input: Input) => Promise<Output>;

const callFaultsKey = Symbol('callFaults');
type FaultContext = HandlerExecutionContext & {
  [callFaultsKey]?: CallFaults;
};

/**
 * Adds the fault middleware to the SDK clients the handlers share. The
 * DynamoDB document client shares its middleware stack with the client
 * it wraps, and its initialize step receives unmarshalled inputs and
 * outputs.
 */
export function addSdkFaultMiddleware(
  clients: {
    readonly dynamoDb: DynamoDBDocumentClient;
    readonly sqs: SQSClient;
  },
  plan: FaultPlan,
  scopes: AsyncLocalStorage<InvocationScope>,
): void {
  const { dynamoDb, sqs } = clients;
  dynamoDb.middlewareStack.add(callMiddleware('dynamodb', plan, scopes), {
    step: 'initialize',
    name: 'faultInjectionCall',
  });
  dynamoDb.middlewareStack.add(attemptMiddleware(), {
    step: 'finalizeRequest',
    priority: 'low',
    name: 'faultInjectionAttempt',
  });
  sqs.middlewareStack.add(callMiddleware('sqs', plan, scopes), {
    step: 'initialize',
    name: 'faultInjectionCall',
  });
}

function callMiddleware<I extends object, O extends object>(
  service: SdkCall['service'],
  plan: FaultPlan,
  scopes: AsyncLocalStorage<InvocationScope>,
): InitializeMiddleware<I, O> {
  return (next, context: FaultContext) => async (args) => {
    const scope = scopes.getStore();
    const operation = String(context.commandName).replace(/Command$/, '');
    const input = args.input as Input;
    const call: SdkCall = { service, operation, input, role: scope?.role };
    const send: Next = async (changed) =>
      (await next({ ...args, input: changed as I })) as Output;
    if (scope) failInScope(scope, call, plan);
    if (service === 'dynamodb') {
      context[callFaultsKey] = {
        throttleOnce: plan.hits('throttle', call),
        throttleAlways: plan.hits('throttleBeyondRetries', call),
        loseResponse:
          operation === 'UpdateItem' && plan.hits('writeResponseLost', call),
        attempts: 0,
      };
    }

    return (await sendWithFaults(
      call,
      send,
      plan,
    )) as InitializeHandlerOutput<O>;
  };
}

/** Sends a call, changing batch requests and responses when a fault hits. */
function sendWithFaults(
  call: SdkCall,
  send: Next,
  plan: FaultPlan,
): Promise<Output> {
  const { operation, input } = call;
  if (operation === 'BatchWriteItem' && plan.hits('unprocessedItems', call)) {
    return leaveUnprocessed(input, send, plan.random);
  }
  if (operation === 'SendMessageBatch') {
    if (plan.hits('sendEntriesFailed', call)) {
      return failEntries(input, send, plan.random);
    }
    if (plan.hits('duplicateMessage', call)) {
      return sendEntriesTwice(input, send, plan.random);
    }
  }

  return send(input);
}

/**
 * Fails the calls of a crashed invocation, the processor's updates of
 * ids chosen to fail, and every call after the dispatcher's crash.
 */
function failInScope(
  scope: InvocationScope,
  call: SdkCall,
  plan: FaultPlan,
): void {
  if (scope.crashed) {
    throw new InjectedFaultError(`${scope.role} invocation crashed`);
  }
  if (call.operation === 'UpdateItem') {
    const id = String((call.input.Key as Input | undefined)?.id);
    if (scope.failIds.has(id)) {
      throw new InjectedFaultError(`update of ${id} failed`);
    }
    if (
      scope.crashAfterWrites !== undefined &&
      scope.writesSent++ >= scope.crashAfterWrites
    ) {
      scope.crashed = true;
      throw new InjectedFaultError(`${scope.role} invocation crashed`);
    }
  }
  if (
    call.operation === 'SendMessageBatch' &&
    scope.role === 'dispatcher' &&
    plan.hits('dispatcherCrash', call)
  ) {
    scope.crashed = true;
    throw new InjectedFaultError('dispatcher crashed before sending');
  }
}

/** Throttles attempts or loses a response, inside the SDK's retry loop. */
function attemptMiddleware<
  I extends object,
  O extends object,
>(): FinalizeRequestMiddleware<I, O> {
  return (next, context: FaultContext) => async (args) => {
    const faults = context[callFaultsKey];
    if (faults === undefined) return next(args);
    const attempt = faults.attempts++;
    if (faults.throttleAlways || (faults.throttleOnce && attempt === 0)) {
      throw throttlingError(attempt);
    }
    if (faults.loseResponse && attempt === 0) {
      await next(args);
      throw new InternalServerError({
        message: 'Injected fault: the write was applied, the response lost',
        $metadata: { httpStatusCode: 500 },
      });
    }

    return next(args);
  };
}

/** Alternates the two throttling errors that DynamoDB returns. */
function throttlingError(attempt: number): Error {
  const options = {
    message: 'Injected fault: throughput exceeded',
    $metadata: { httpStatusCode: 400 },
  };

  return attempt % 2 === 0
    ? new ProvisionedThroughputExceededException(options)
    : new ThrottlingException(options);
}

/**
 * Writes only some requests of a BatchWriteItem call and returns the
 * others in `UnprocessedItems`, as DynamoDB does when it throttles them.
 */
async function leaveUnprocessed(
  input: Input,
  send: Next,
  random: () => number,
): Promise<Output> {
  const requestItems = input.RequestItems as Record<string, unknown[]>;
  const [tableName, requests = []] = Object.entries(requestItems)[0] ?? [];
  const { remaining, removed } = splitRandomly(requests, random);
  if (tableName === undefined) return send(input);
  const unprocessed = { [tableName]: removed };
  if (remaining.length === 0) {
    return syntheticOutput({ UnprocessedItems: unprocessed });
  }
  const result = await send({
    ...input,
    RequestItems: { [tableName]: remaining },
  });
  const output = result.output as { UnprocessedItems?: Input };
  const left = (output.UnprocessedItems?.[tableName] ?? []) as unknown[];
  output.UnprocessedItems = {
    ...output.UnprocessedItems,
    [tableName]: [...left, ...removed],
  };

  return result;
}

/**
 * Sends only some entries of a SendMessageBatch call and reports the
 * others in `Failed`, as SQS does for entries it could not store.
 */
async function failEntries(
  input: Input,
  send: Next,
  random: () => number,
): Promise<Output> {
  const entries = input.Entries as { Id: string }[];
  const { remaining, removed } = splitRandomly(entries, random);
  const failed = removed.map((entry) => ({
    Id: entry.Id,
    SenderFault: false,
    Code: 'InternalError',
    Message: 'Injected fault: entry not stored',
  }));
  if (remaining.length === 0) {
    return syntheticOutput({ Successful: [], Failed: failed });
  }
  const result = await send({ ...input, Entries: remaining });
  const output = result.output as { Failed?: unknown[] };
  output.Failed = [...(output.Failed ?? []), ...failed];

  return result;
}

/**
 * Sends the batch, then some of its entries again in a second batch, so
 * SQS contains two messages with the same body. The caller receives the
 * response to its own batch only.
 */
async function sendEntriesTwice(
  input: Input,
  send: Next,
  random: () => number,
): Promise<Output> {
  const entries = input.Entries as { Id: string }[];
  const result = await send(input);
  const { removed: copies } = splitRandomly(entries, random);
  await send({ ...input, Entries: copies });

  return result;
}

/**
 * Splits values at random into two parts; `removed` has at least one
 * value, and `remaining` may be empty.
 */
function splitRandomly<T>(
  values: readonly T[],
  random: () => number,
): { remaining: T[]; removed: T[] } {
  const shuffled = [...values];
  for (let index = shuffled.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [shuffled[index], shuffled[other]] = [
      shuffled[other] as T,
      shuffled[index] as T,
    ];
  }
  const removeCount = 1 + Math.floor(random() * values.length);

  return {
    removed: shuffled.slice(0, removeCount),
    remaining: shuffled.slice(removeCount),
  };
}

function syntheticOutput(output: Input): Output {
  return {
    output: { ...output, $metadata: { httpStatusCode: 200 } },
    response: {},
  };
}
