import { ingestRoutes } from '../lambdas/shared/routes.js';

/** Limits of one ingest request, as the ingest function enforces them. */
export interface RequestLimits {
  /** Maximum entries in one request. */
  readonly maxFilesPerRequest: number;
  /** Maximum JSON body, in UTF-8 bytes. */
  readonly maxBodyBytes: number;
}

/** Options of {@link sendFiles}. */
export interface SendFilesOptions extends RequestLimits {
  /** Base URL of the API, such as `http://127.0.0.1:3000`. */
  readonly url: string;
  /** Called with the ids of each accepted request, in request order. */
  readonly onAccepted: (ids: readonly string[]) => void;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** A request to the ingest API that failed, and how far sending got. */
export class SendFilesError extends Error {
  /** HTTP status, or undefined when no response arrived. */
  readonly statusCode: number | undefined;
  /** Response body as text, or undefined when no response arrived. */
  readonly responseBody: string | undefined;
  /** Files accepted by the requests before the failed one. */
  readonly acceptedCount: number;

  constructor(
    message: string,
    details: {
      readonly statusCode?: number;
      readonly responseBody?: string;
      readonly acceptedCount: number;
    },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SendFilesError';
    this.statusCode = details.statusCode;
    this.responseBody = details.responseBody;
    this.acceptedCount = details.acceptedCount;
  }
}

/** Bytes of `{"files":[]}`, the body around the entries. */
const emptyBodyBytes = Buffer.byteLength(JSON.stringify({ files: [] }));

/**
 * Splits file names into request bodies that keep within both limits,
 * in order. A name too long for any body gets a request of its own, so
 * the API rejects it with its own error message.
 */
export function splitIntoRequests(
  names: readonly string[],
  limits: RequestLimits,
): string[][] {
  const requests: string[][] = [];
  let current: string[] = [];
  let currentBytes = emptyBodyBytes;
  for (const name of names) {
    const entryBytes = Buffer.byteLength(JSON.stringify(name));
    // Entries after the first need a comma.
    const bytesWithEntry =
      currentBytes + (current.length > 0 ? 1 : 0) + entryBytes;
    const isFull =
      current.length >= limits.maxFilesPerRequest ||
      bytesWithEntry > limits.maxBodyBytes;
    if (isFull && current.length > 0) {
      requests.push(current);
      current = [name];
      currentBytes = emptyBodyBytes + entryBytes;
    } else {
      current.push(name);
      currentBytes = bytesWithEntry;
    }
  }
  if (current.length > 0) requests.push(current);

  return requests;
}

/**
 * Posts file names to `POST /data/input`, one request after another, in
 * requests that keep within `limits`. It stops at the first request
 * that fails, so no later file is sent.
 *
 * @returns the number of files accepted.
 * @throws SendFilesError when a request gets no response, a status other
 *   than 201, or a body without the created ids.
 */
export async function sendFiles(
  names: readonly string[],
  options: SendFilesOptions,
): Promise<number> {
  const endpoint = ingestEndpoint(options.url);
  const post = options.fetch ?? fetch;
  let acceptedCount = 0;
  for (const files of splitIntoRequests(names, options)) {
    const ids = await postFiles(post, endpoint, files, acceptedCount);
    options.onAccepted(ids);
    acceptedCount += ids.length;
  }

  return acceptedCount;
}

/** Appends the ingest path to the base URL, keeping any stage prefix. */
export function ingestEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${ingestRoutes.postFiles.path}`;
}

async function postFiles(
  post: typeof fetch,
  endpoint: string,
  files: readonly string[],
  acceptedCount: number,
): Promise<string[]> {
  let response: Response;
  try {
    response = await post(endpoint, {
      method: ingestRoutes.postFiles.method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files }),
    });
  } catch (error) {
    const reason = error instanceof Error ? causeText(error) : String(error);
    throw new SendFilesError(
      `POST ${endpoint} failed: ${reason}`,
      { acceptedCount },
      { cause: error },
    );
  }
  const responseBody = await response.text();
  const details = { statusCode: response.status, responseBody, acceptedCount };
  if (response.status !== 201) {
    throw new SendFilesError(
      `POST ${endpoint} returned ${response.status}: ${responseBody}`,
      details,
    );
  }
  const ids = parseIds(responseBody);
  if (ids?.length !== files.length) {
    throw new SendFilesError(
      `POST ${endpoint} returned 201 without ${files.length} ids: ${responseBody}`,
      details,
    );
  }

  return ids;
}

/** Reads `ids` from a `201` body, or returns undefined when it is missing. */
function parseIds(body: string): string[] | undefined {
  try {
    const document: unknown = JSON.parse(body);
    const ids = (document as { ids?: unknown } | null)?.ids;
    return Array.isArray(ids) && ids.every((id) => typeof id === 'string')
      ? ids
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node.js fetch fails with `fetch failed` and keeps the reason, such as
 * `connect ECONNREFUSED`, in `cause`.
 */
function causeText(error: Error): string {
  return error.cause instanceof Error
    ? `${error.message} (${error.cause.message})`
    : error.message;
}
