import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only address the local runtime listens on or connects to. */
export const loopbackHost = '127.0.0.1';

/**
 * Starts a server on the loopback address.
 *
 * @param port - TCP port, or 0 for a free port that the system picks.
 * @returns the port the server listens on.
 * @throws the listen error, such as `EADDRINUSE`, instead of emitting it.
 */
export function listenOnLoopback(
  server: Server,
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, loopbackHost, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Stops a server. On Node.js 19 and later, `close` also ends idle
 * keep-alive connections, so only requests in flight delay it.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close((error) => (error ? reject(error) : resolve()));
  });
}

/** Formats the base URL of a server that listens on the loopback address. */
export function loopbackUrl(port: number): string {
  return `http://${loopbackHost}:${port}`;
}
