import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { localAccountId } from './emulators.js';

/** The function a context describes. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly timeoutSeconds: number;
  /** Memory size reported to the handler, in MB. @default 1024 */
  readonly memoryLimitInMB?: number;
  readonly region: string;
}

/**
 * Builds a fresh Lambda context for one invocation. The time budget starts
 * now, so `getRemainingTimeInMillis` counts down from the function
 * timeout as it does in Lambda.
 */
export function createLambdaContext(identity: FunctionIdentity): Context {
  const { functionName, region } = identity;
  const deadline = Date.now() + identity.timeoutSeconds * 1000;
  const awsRequestId = randomUUID();
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (name: string) => () => {
    throw new Error(
      `context.${name}() is not supported locally; return or throw from the async handler instead`,
    );
  };

  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${localAccountId}:function:${functionName}`,
    memoryLimitInMB: String(identity.memoryLimitInMB ?? 1024),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${awsRequestId.replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
