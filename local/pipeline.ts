import { Logger } from '@aws-lambda-powertools/logger';
import type { PipelineSettings } from '../lib/settings.js';
import {
  applyAwsEnvironment,
  mergedFunctionEnvironment,
  type ServiceEndpoints,
} from './aws-environment.js';
import { describeFunctions } from './functions.js';
import { importPipelineHandlers, type PipelineHandlers } from './handlers.js';
import { startApiServer } from './http-server.js';
import { MetricsStore, parseEmfLine } from './metrics-store.js';
import { type LineListener, teeOutput } from './output-tee.js';
import {
  type LocalPipelineOptions,
  type ResolvedPipelineOptions,
  resolveLocalPipeline,
} from './pipeline-options.js';
import {
  ensureQueues,
  ensureTable,
  localResourceNames,
  type PipelineQueues,
  type ResourceNames,
} from './resources.js';
import {
  type AddCleanup,
  createRuntimeClients,
  startServices,
} from './services.js';
import { startWorkers } from './workers.js';

/** A running local pipeline. */
export interface LocalPipeline {
  /** Base URL of the HTTP API, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly settings: PipelineSettings;
  readonly region: string;
  readonly endpoints: ServiceEndpoints;
  readonly tableName: string;
  readonly queues: PipelineQueues;
  /** The metrics added up from the handlers' EMF output. */
  readonly metrics: MetricsStore;
  /**
   * Adds a listener for each line of standard output and error, and
   * returns the function that removes it.
   */
  onOutputLine(listener: LineListener): () => void;
  /** Stops everything that `startLocalPipeline` started. */
  stop(): Promise<void>;
}

let running = false;
let pipelineHandlersImported = false;

/**
 * Starts the pipeline in this process: the emulators (unless endpoints
 * are given), the table and queues, the HTTP API, the schedule timers and
 * the SQS poller, all running the pipeline's own handlers.
 *
 * One process can run the pipeline's handlers only once, because they
 * keep the SDK clients and environment of their first load.
 *
 * @throws InvalidOptionsError listing every invalid setting and option.
 * @throws Error when a pipeline runs in this process already, or when the
 *   pipeline's handlers were loaded by an earlier run.
 */
export async function startLocalPipeline(
  options: LocalPipelineOptions = {},
): Promise<LocalPipeline> {
  if (running) throw new Error('A local pipeline is already running');
  const { settings, resolved } = resolveLocalPipeline(options);
  const cleanups: (() => Promise<void> | void)[] = [];
  const addCleanup: AddCleanup = (release) => cleanups.push(release);
  const releaseAll = async () => {
    const errors = await runCleanups(cleanups.splice(0).reverse());
    running = false;
    return errors;
  };
  const stop = async () => {
    const errors = await releaseAll();
    if (errors.length > 0) throw new AggregateError(errors, 'stop failed');
  };
  running = true;
  try {
    return await startParts(settings, resolved, addCleanup, stop);
  } catch (error) {
    const errors = await releaseAll();
    if (errors.length > 0) {
      throw new AggregateError([error, ...errors], 'start and cleanup failed');
    }
    throw error;
  }
}

async function startParts(
  settings: PipelineSettings,
  options: ResolvedPipelineOptions,
  addCleanup: AddCleanup,
  stop: () => Promise<void>,
): Promise<LocalPipeline> {
  const logger = new Logger({
    serviceName: `${settings.serviceName}-local`,
    logLevel: settings.logLevel,
  });
  const output = teeOutput(options.printOutput);
  addCleanup(output.restore);
  addCleanup(() => logger.info('local pipeline stopped'));
  const metrics = new MetricsStore(settings.metricsNamespace);
  output.onLine((line) => {
    const document = parseEmfLine(line);
    if (document !== undefined) metrics.recordEmfDocument(document);
  });

  const { endpoints, clients, names, queues } = await prepareAws(
    settings,
    options,
    addCleanup,
  );

  const handlers = options.handlers ?? (await importHandlersOnce());
  const functions = describeFunctions(handlers, settings, options.region);
  const api = await startApiServer({
    port: options.port,
    ingest: functions.ingest,
    metrics,
    logger,
  });
  addCleanup(api.close);
  const workers = startWorkers({
    functions,
    sqs: clients.sqs,
    workQueue: queues.workQueue,
    settings,
    options,
    logger,
  });
  addCleanup(workers.stop);
  logger.info('local pipeline started', { url: api.url, endpoints, names });

  let stopping: Promise<void> | undefined;
  return {
    url: api.url,
    settings,
    region: options.region,
    endpoints,
    tableName: names.tableName,
    queues,
    metrics,
    onOutputLine: (listener) => output.onLine(listener),
    stop() {
      stopping ??= stop();
      return stopping;
    },
  };
}

/**
 * Starts the emulators or picks the given endpoints, points the process
 * environment at them, and creates the table and queues.
 */
async function prepareAws(
  settings: PipelineSettings,
  options: ResolvedPipelineOptions,
  addCleanup: AddCleanup,
) {
  const endpoints = await startServices(options, addCleanup);
  applyAwsEnvironment(endpoints, options.region);
  const clients = createRuntimeClients(
    endpoints,
    options.region,
    settings,
    addCleanup,
  );
  const names: ResourceNames = {
    ...localResourceNames(settings),
    ...options.resourceNames,
  };
  await ensureTable(clients.dynamoDb, names.tableName);
  const queues = await ensureQueues(clients.sqs, names, settings);
  Object.assign(
    process.env,
    mergedFunctionEnvironment(settings, {
      tableName: names.tableName,
      workQueueUrl: queues.workQueue.url,
    }),
  );

  return { endpoints, clients, names, queues };
}

async function importHandlersOnce(): Promise<PipelineHandlers> {
  if (pipelineHandlersImported) {
    throw new Error(
      'The pipeline handlers were already loaded in this process with the environment of an earlier run; start the local pipeline in a new process',
    );
  }
  pipelineHandlersImported = true;

  return importPipelineHandlers();
}

async function runCleanups(
  cleanups: readonly (() => Promise<void> | void)[],
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const cleanup of cleanups) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }

  return errors;
}
