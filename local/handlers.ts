import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  SQSBatchResponse,
  SQSEvent,
} from 'aws-lambda';
import type { LambdaHandler } from './invoke.js';

/** The four handlers of the pipeline, as the local runtime calls them. */
export interface PipelineHandlers {
  readonly ingest: LambdaHandler<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2
  >;
  readonly dispatcher: LambdaHandler<unknown, unknown>;
  readonly processor: LambdaHandler<SQSEvent, SQSBatchResponse | undefined>;
  readonly deleter: LambdaHandler<unknown, unknown>;
}

/**
 * Imports the handler modules. The handlers create their SDK clients and
 * read their environment when their module loads, so this must run after
 * the environment is set, and a process can load them only once.
 */
export async function importPipelineHandlers(): Promise<PipelineHandlers> {
  const [ingest, dispatcher, processor, deleter] = await Promise.all([
    import('../lambdas/ingest.js'),
    import('../lambdas/dispatcher.js'),
    import('../lambdas/processor.js'),
    import('../lambdas/deleter.js'),
  ]);

  return {
    ingest: ingest.handler,
    dispatcher: dispatcher.handler,
    processor: processor.handler,
    deleter: deleter.handler,
  };
}
