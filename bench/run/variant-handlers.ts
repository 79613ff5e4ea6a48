import type { PipelineHandlers } from '../../local/handlers.js';
import type { Caller, Recorder } from '../measure/recorder.js';

/** Handler implementation of a benchmark run. */
export type Variant = 'pipeline' | 'naive';

/** Handlers that count their invocations, and a way to load the real ones. */
export interface CountingHandlers {
  readonly handlers: PipelineHandlers;
  /**
   * Imports the handler modules. It must run after the local runtime has
   * set the environment, because the modules read it when they load.
   */
  load(): Promise<void>;
}

/**
 * Wraps the handlers of a variant so that each invocation runs in its own
 * recorder scope. The modules load on `load()`, not here, because the
 * local runtime sets their environment only while it starts.
 */
export function countingHandlers(
  variant: Variant,
  recorder: Recorder,
): CountingHandlers {
  let loaded: PipelineHandlers | undefined;
  const target = (): PipelineHandlers => {
    if (loaded === undefined) {
      throw new Error('Handlers invoked before load(); call load() first');
    }
    return loaded;
  };
  const wrap =
    <TEvent, TResult>(
      caller: Caller,
      pick: (
        handlers: PipelineHandlers,
      ) => (
        event: TEvent,
        context: Parameters<PipelineHandlers['dispatcher']>[1],
      ) => Promise<TResult>,
    ) =>
    (event: TEvent, context: Parameters<PipelineHandlers['dispatcher']>[1]) =>
      recorder.runInvocation(
        caller,
        () => pick(target())(event, context),
        (result) => isIdleRun(caller, result),
      );

  return {
    handlers: {
      ingest: wrap('ingest', (handlers) => handlers.ingest),
      dispatcher: wrap('dispatcher', (handlers) => handlers.dispatcher),
      processor: wrap('processor', (handlers) => handlers.processor),
      deleter: wrap('deleter', (handlers) => handlers.deleter),
    },
    async load() {
      loaded ??= await importVariant(variant);
    },
  };
}

async function importVariant(variant: Variant): Promise<PipelineHandlers> {
  if (variant === 'pipeline') {
    const { importPipelineHandlers } = await import('../../local/handlers.js');
    return importPipelineHandlers();
  }
  const [ingest, dispatcher, processor, deleter] = await Promise.all([
    import('../naive/ingest.js'),
    import('../naive/dispatcher.js'),
    import('../naive/processor.js'),
    import('../naive/deleter.js'),
  ]);

  return {
    ingest: ingest.handler,
    dispatcher: dispatcher.handler,
    processor: processor.handler,
    deleter: deleter.handler,
  };
}

/**
 * Decides whether a scheduled run was idle: it sent or deleted nothing.
 * Both variants return `sent` from the dispatcher and `deleted` or
 * `lockHeld` from the deleter.
 */
export function isIdleRun(caller: Caller, result: unknown): boolean {
  const summary = (result ?? {}) as { sent?: unknown; deleted?: unknown };
  if (caller === 'dispatcher') return summary.sent === 0;
  if (caller === 'deleter') return !(Number(summary.deleted) > 0);

  return false;
}
