import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSEvent,
} from 'aws-lambda';
import type { FunctionRole } from '../lib/environment.js';
import type { PipelineSettings } from '../lib/settings.js';
import type { PipelineHandlers } from './handlers.js';
import type { LocalFunction } from './invoke.js';

/** The four functions, each with its handler, name and timeout. */
export interface PipelineFunctions {
  readonly ingest: LocalFunction<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2
  >;
  readonly dispatcher: LocalFunction<unknown, unknown>;
  readonly processor: LocalFunction<SQSEvent, unknown>;
  readonly deleter: LocalFunction<unknown, unknown>;
}

/** Pairs each handler with the function settings Lambda would apply. */
export function describeFunctions(
  handlers: PipelineHandlers,
  settings: PipelineSettings,
  region: string,
): PipelineFunctions {
  const identity = (role: FunctionRole, timeoutSeconds: number) => ({
    functionName: `${settings.serviceName}-${settings.stageName}-${role}`,
    timeoutSeconds,
    region,
  });

  return {
    ingest: {
      identity: identity('ingest', settings.ingestTimeoutSeconds),
      handler: handlers.ingest,
    },
    dispatcher: {
      identity: identity('dispatcher', settings.scheduledTimeoutSeconds),
      handler: handlers.dispatcher,
    },
    processor: {
      identity: identity('processor', settings.processorTimeoutSeconds),
      handler: handlers.processor,
    },
    deleter: {
      identity: identity('deleter', settings.scheduledTimeoutSeconds),
      handler: handlers.deleter,
    },
  };
}
