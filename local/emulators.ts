import { createServer, type Server } from 'node:http';
import dynalite from 'dynalite';
import { createRequestHandler } from 'local-aws-sqs';
import {
  closeServer,
  listenOnLoopback,
  loopbackHost,
  loopbackUrl,
} from './loopback.js';

/** An emulator listening on the loopback address. */
export interface RunningEmulator {
  /** Endpoint URL to give the SDK, such as `http://127.0.0.1:4566`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Account id that the SQS emulator puts in queue URLs and ARNs. */
export const localAccountId = '123456789012';

/**
 * Starts dynalite with its data in memory, so every start is empty.
 *
 * @param port - TCP port, or 0 for a free one.
 */
export async function startDynamoDbEmulator(
  port: number,
): Promise<RunningEmulator> {
  // Tables become ACTIVE at once instead of after dynalite's 500 ms default.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });

  return listen(server, port);
}

/**
 * Starts local-aws-sqs with its queues in memory.
 *
 * @param port - TCP port, or 0 for a free one.
 * @param region - region that the emulator puts in queue ARNs.
 */
export async function startSqsEmulator(
  port: number,
  region: string,
): Promise<RunningEmulator> {
  // local-aws-sqs 2.0.2's createSqsServer has no listen error handler, so
  // a port in use would crash the process; this server reports it instead.
  const { service, requestHandler } = createRequestHandler({
    port,
    hostname: loopbackHost,
    region,
    accountId: localAccountId,
  });
  const emulator = await listen(createServer(requestHandler), port);
  // Queue URLs embed service.PORT, which must be the port actually bound.
  service.PORT = Number(new URL(emulator.url).port);

  return emulator;
}

async function listen(server: Server, port: number): Promise<RunningEmulator> {
  const boundPort = await listenOnLoopback(server, port);

  return { url: loopbackUrl(boundPort), close: () => closeServer(server) };
}
