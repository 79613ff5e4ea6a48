import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { FunctionRole } from '../../lib/environment.js';
import {
  importPipelineHandlers,
  type PipelineHandlers,
} from '../../local/handlers.js';
import {
  type FaultKind,
  FaultPlan,
  type FaultRule,
  type ProcessorFaultKind,
} from './fault-plan.js';
import {
  addSdkFaultMiddleware,
  InjectedFaultError,
  type InvocationScope,
} from './sdk-faults.js';

export * from './fault-plan.js';
export { InjectedFaultError } from './sdk-faults.js';

/**
 * Injects faults into a local pipeline that runs in this process.
 *
 * Pass `handlers` to `startLocalPipeline`, then call `load()` once the
 * pipeline has started: it imports the real handlers, which read their
 * environment when they load, and adds the fault middleware to the SDK
 * clients of `lambdas/shared/clients.ts`. Those module-scope clients are
 * the ones the handlers use, because this process imports that module
 * once. Each wrapped handler runs in an AsyncLocalStorage scope, so a
 * fault can target the calls of one function or one invocation.
 */
export class FaultInjector {
  readonly plan: FaultPlan;
  readonly handlers: PipelineHandlers;
  readonly #scopes = new AsyncLocalStorage<InvocationScope>();
  readonly #calls = new Map<string, number>();
  readonly #fileNames = new Map<string, string>();
  readonly #stats = new Map<FunctionRole, { count: number; busyMs: number }>();
  readonly #loaded = deferred<PipelineHandlers>();

  /** @param seed - seed of every random choice of the faults. */
  constructor(seed: number) {
    this.plan = new FaultPlan(seed);
    this.handlers = {
      ingest: (event, context) =>
        this.#inScope('ingest', async (real) => real.ingest(event, context)),
      dispatcher: (event, context) =>
        this.#inScope('dispatcher', async (real) =>
          real.dispatcher(event, context),
        ),
      processor: (event, context) => this.#runProcessor(event, context),
      deleter: (event, context) =>
        this.#inScope('deleter', async (real) => real.deleter(event, context)),
    };
  }

  /**
   * Imports the pipeline's handlers and SDK clients and adds the fault
   * middleware. Call it after `startLocalPipeline` has set the
   * environment; invocations that arrive earlier wait for it.
   */
  async load(): Promise<void> {
    const [real, clients] = await Promise.all([
      importPipelineHandlers(),
      import('#shared/clients.js'),
    ]);
    addSdkFaultMiddleware(clients, this.plan, this.#scopes);
    clients.dynamoDb.middlewareStack.add(
      (next, context) => async (args) => {
        this.#observeCall(context.commandName, args.input);
        return next(args);
      },
      { step: 'initialize', name: 'faultInjectionObserver' },
    );
    this.#loaded.resolve(real);
  }

  /** Adds a rule and returns the function that removes it. */
  add(rule: FaultRule): () => void {
    return this.plan.add(rule);
  }

  /** Removes every rule. */
  clear(): void {
    this.plan.clear();
  }

  /** Returns the faults injected so far, by kind. */
  counts(): Record<FaultKind, number> {
    return this.plan.counts();
  }

  /**
   * Returns how many DynamoDB calls of an operation a function sent
   * through the shared client, such as `('ingest', 'BatchWriteItem')`.
   */
  callCount(role: FunctionRole, operation: string): number {
    return this.#calls.get(`${role} ${operation}`) ?? 0;
  }

  /**
   * Returns the file name of an id that the ingest function wrote, so a
   * rule can pick records by file name.
   */
  fileNameOf(id: string): string | undefined {
    return this.#fileNames.get(id);
  }

  /** Counts the call and records the file names of new items. */
  #observeCall(commandName: string | undefined, input: object): void {
    const role = this.#scopes.getStore()?.role;
    const operation = String(commandName).replace(/Command$/, '');
    const key = `${role} ${operation}`;
    this.#calls.set(key, (this.#calls.get(key) ?? 0) + 1);
    if (role !== 'ingest' || operation !== 'BatchWriteItem') return;
    const { RequestItems = {} } = input as {
      RequestItems?: Record<string, { PutRequest?: { Item?: object } }[]>;
    };
    for (const request of Object.values(RequestItems).flat()) {
      const item = request.PutRequest?.Item as
        | { id?: string; file?: string }
        | undefined;
      if (item?.id && item.file !== undefined) {
        this.#fileNames.set(item.id, item.file);
      }
    }
  }

  /**
   * Returns how many times a handler ran and for how long in total, in
   * milliseconds. A duplicated processor run counts as a second run.
   */
  invocationStats(role: FunctionRole): { count: number; busyMs: number } {
    return this.#stats.get(role) ?? { count: 0, busyMs: 0 };
  }

  async #inScope<T>(
    role: FunctionRole,
    run: (real: PipelineHandlers) => Promise<T>,
    options: Partial<InvocationScope> = {},
  ): Promise<T> {
    const real = await this.#loaded.promise;
    const scope: InvocationScope = {
      role,
      failIds: new Set(),
      writesSent: 0,
      crashed: false,
      ...options,
    };
    const started = performance.now();
    try {
      return await this.#scopes.run(scope, () => run(real));
    } finally {
      const stats = this.invocationStats(role);
      this.#stats.set(role, {
        count: stats.count + 1,
        busyMs: stats.busyMs + performance.now() - started,
      });
    }
  }

  /**
   * Runs the real processor with the processor faults that hit this
   * event. Every fault keeps the handler's own metrics and logs, because
   * the local runtime lets a failed or late handler finish.
   */
  async #runProcessor(event: SQSEvent, context: Context) {
    const first = event.Records[0];
    const hits = (kind: ProcessorFaultKind) =>
      first !== undefined && this.plan.hits(kind, first);
    if (hits('failBatch')) {
      throw new InjectedFaultError('the processor failed the whole batch');
    }
    const failIds = new Set(
      event.Records.filter((record) =>
        this.plan.hits('failMessages', record),
      ).flatMap(idsOf),
    );
    const crash = hits('crashBeforeAnswer');
    const fileCount = event.Records.flatMap(idsOf).length;
    const crashAfterWrites = crash
      ? 1 + Math.floor(this.plan.random() * Math.max(1, fileCount - 1))
      : undefined;
    const process = (options: Partial<InvocationScope>) =>
      this.#inScope(
        'processor',
        (real) => real.processor(event, context),
        options,
      );

    let response = await process({ failIds, crashAfterWrites });
    if (hits('duplicateInvoke')) response = await process({});
    if (crash) {
      throw new InjectedFaultError(
        'the processor crashed before it returned a response',
      );
    }
    if (hits('answerTooLate')) {
      await sleep(context.getRemainingTimeInMillis() + 100);
    }

    return response;
  }
}

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });

  return { promise, resolve };
}

/** Reads the file ids of a work message, or none from a malformed body. */
export function idsOf(record: SQSRecord): string[] {
  try {
    const ids: unknown = JSON.parse(record.body).ids;
    return Array.isArray(ids) ? ids.map(String) : [];
  } catch {
    return [];
  }
}
