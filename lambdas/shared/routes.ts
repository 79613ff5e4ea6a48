/**
 * Routes of the HTTP API that reach the ingest function, as API Gateway
 * route keys (`METHOD /path`). The handler, the CDK API and the local
 * HTTP server all read them from here.
 */
export const ingestRoutes = {
  postFiles: { method: 'POST', path: '/data/input' },
  getFile: { method: 'GET', path: '/data/files/{id}' },
} as const;

/** Builds the route key of a route. */
export function routeKey(route: {
  readonly method: string;
  readonly path: string;
}): string {
  return `${route.method} ${route.path}`;
}
