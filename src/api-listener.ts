import type { IncomingMessage, RequestListener } from 'node:http';
import { performance } from 'node:perf_hooks';
import proxyAddr from '@fastify/proxy-addr';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiRequest, JsonApi } from './protocol/json-api.js';
import { RequestEntityTooLargeException } from './protocol/errors.js';
import { errorResponse, type ApiResponse } from './protocol/serialize.js';
import { requestArrived } from './storage/read-epochs.js';

/** One answered request, for the log line and the metrics every request gets, whichever server answered it. */
export interface ServedRequest {
  requestId: string;
  operation: string | undefined;
  method: string;
  url: string;
  status: number;
  errorType: string | undefined;
  ms: number;
}

/**
 * A route answered here rather than by Fastify, for the reason the API is: it is hot, and Fastify's
 * routing, hooks and reply cost more than what it needs of them. It reads no cookies and sets none. Given
 * a request's head, it returns what answers the request once its body is read, or undefined: anything it
 * does not take goes to Fastify, unchanged.
 */
export type DirectRoute = (req: IncomingMessage) => ((request: ApiRequest) => Promise<ApiResponse>) | undefined;

export interface ApiListenerOptions {
  api: JsonApi;
  /** Tried in order, after the API. */
  directRoutes?: DirectRoute[];
  /** Fastify's request handler: everything that is not a JSON API call goes there. */
  fastify: RequestListener;
  bodyLimit: number;
  trustProxy: boolean;
  corsOrigins: string[];
  newRequestId: () => string;
  observe: (served: ServedRequest) => void;
  /** While the server shuts down, calls go to Fastify, which answers 503 and closes the connection. */
  isClosing: () => boolean;
  log: FastifyBaseLogger;
}

/** The headers of a browser's cross-origin reply that @fastify/cors gives every other route (actual requests, not preflights). */
export const EXPOSED_HEADERS = ['x-amzn-RequestId', 'x-amzn-ErrorType', 'x-amzn-ErrorMessage', 'Date'];

/**
 * The CORS headers @fastify/cors adds to a non-preflight request for `origins` as server.ts configures
 * it: any origin (`*`), or a list matched exactly, echoing the allowed origin, with `Vary: Origin`.
 * test/api-listener.test.ts holds the two to the same answers.
 */
export function corsHeaders(origins: string[]): (origin: string | undefined) => Record<string, string> {
  const exposed = EXPOSED_HEADERS.join(', ');
  if (origins.includes('*')) {
    const headers = { 'access-control-allow-origin': '*', 'access-control-expose-headers': exposed };
    return () => headers;
  }
  const refused = { vary: 'Origin', 'access-control-expose-headers': exposed };
  return (origin) =>
    origin !== undefined && origins.includes(origin) ? { vary: 'Origin', 'access-control-allow-origin': origin, 'access-control-expose-headers': exposed } : refused;
}

/**
 * The HTTP server's request listener: AWS JSON API calls (`POST /` with X-Amz-Target) are answered here,
 * on node:http directly, and everything else is handed to Fastify. Fastify's routing, hooks and reply
 * objects cost about 20 µs per request (npm run bench: bare Fastify 31 µs against 12 µs for node:http),
 * more than verifying a token; the API's calls are the hot path (GetUser, InitiateAuth, GetCredentialsForIdentity)
 * and need none of it: the protocol layer already does their parsing, validation and errors.
 */
export function apiListener(options: ApiListenerOptions): RequestListener {
  const cors = corsHeaders(options.corsOrigins);
  const clientIp = options.trustProxy ? (req: IncomingMessage) => proxyAddr(req, () => true) : (req: IncomingMessage) => req.socket.remoteAddress ?? '';
  const tooLarge = errorResponse(new RequestEntityTooLargeException('The request body is larger than this service accepts.'));

  const directRoutes = options.directRoutes ?? [];
  const servedHere = (req: IncomingMessage): ((request: ApiRequest) => Promise<ApiResponse>) | undefined => {
    if (options.isClosing()) return undefined;
    if (req.method === 'POST' && req.url === '/' && req.headers['x-amz-target'] !== undefined) return options.api;
    // A direct route's body has a declared length within the limit: Fastify answers the rest as it always has.
    const length = req.headers['content-length'];
    if (length === undefined || Number(length) > options.bodyLimit) return undefined;
    for (const route of directRoutes) {
      const serve = route(req);
      if (serve) return serve;
    }
    return undefined;
  };

  return (req, res) => {
    requestArrived();
    const serve = servedHere(req);
    if (!serve) {
      options.fastify(req, res);
      return;
    }
    const started = performance.now();
    const requestId = options.newRequestId();
    const answer = (response: ApiResponse, closeConnection = false) => {
      if (res.destroyed) return;
      res.writeHead(response.status, {
        'x-amzn-RequestId': requestId,
        ...cors(req.headers.origin),
        ...response.headers,
        'content-length': response.body.length,
        ...(closeConnection && { connection: 'close' }),
      });
      res.end(response.body);
      const ms = Math.round((performance.now() - started) * 10) / 10;
      options.observe({ requestId, operation: response.operation, method: req.method!, url: req.url!, status: response.status, errorType: response.headers['x-amzn-ErrorType'], ms });
    };

    // A body over the limit is refused without reading it; the connection is closed, not drained.
    if (Number(req.headers['content-length']) > options.bodyLimit) {
      answer(tooLarge, true);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= options.bodyLimit) chunks.push(chunk);
      else if (size - chunk.length <= options.bodyLimit) {
        // Once the answer is out, the connection goes: the rest of the body is never read.
        res.once('finish', () => req.destroy());
        answer(tooLarge, true);
      }
    });
    req.on('end', () => {
      if (size > options.bodyLimit) return;
      const request: ApiRequest = {
        id: requestId,
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        ip: clientIp(req),
      };
      serve(request)
        .then((response) => answer(response, options.isClosing()))
        // The API and the direct routes answer their errors themselves; this would be a fault in writing the answer, which must not end the process.
        .catch((error: unknown) => {
          options.log.error({ err: error, reqId: requestId }, 'unexpected error while answering');
          res.destroy();
        });
    });
    // A client that goes away mid-body gets no answer; there is nothing else to clean up.
    req.on('error', () => undefined);
  };
}
