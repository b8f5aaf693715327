/**
 * The authorizers as middleware: a Fastify preHandler, an Express/Connect `(req, res, next)` function,
 * and a helper for Fetch API `Request`s (Hono, Next.js route handlers, …). An allowed request goes on
 * with the decision on `request.authorizer` (`req.authorizer`); a refused one is answered 401/403 here.
 *
 * The IAM authorizer checks the payload hash, so it needs the body as received: in Fastify register
 * `captureRawBody()` as a preParsing hook (or parse bodies as Buffers); in Express put `express.raw()`
 * in front (or set `req.rawBody`). Without the body, a signed non-empty body fails closed (403).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AuthorizerDecision, AuthorizerRequest, Allowed } from './decision.js';
import { refusalResponse, type RefusalFormat } from './refusal.js';

/** Any of the authorizers (user pool or IAM) or one of your own. */
export type RequestAuthorizer<P> = (request: AuthorizerRequest) => Promise<AuthorizerDecision<P>>;

export interface MiddlewareOptions {
  /** How refusals are written (default json). */
  errorFormat?: RefusalFormat;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The decision of the authorizer that let the request through. */
    authorizer?: Allowed<unknown>;
    /** The body as received, when captureRawBody() is registered. */
    rawBody?: Buffer;
  }
}

function bodyOf(body: unknown, raw: unknown): Buffer | string | undefined {
  if (Buffer.isBuffer(raw) || typeof raw === 'string') return raw;
  if (Buffer.isBuffer(body) || typeof body === 'string') return body;
  return undefined;
}

export function fromFastifyRequest(request: FastifyRequest): AuthorizerRequest {
  return {
    method: request.method,
    url: request.raw.url ?? request.url,
    headers: request.headers,
    body: bodyOf(request.body, request.rawBody),
    sourceIp: request.ip,
    secure: request.protocol === 'https',
  };
}

/** A Fastify preHandler hook running the authorizer: `app.addHook('preHandler', fastifyAuthorizer(authorize))`. */
export function fastifyAuthorizer<P>(authorizer: RequestAuthorizer<P>, options: MiddlewareOptions = {}) {
  return async function authorizerPreHandler(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const decision = await authorizer(fromFastifyRequest(request));
    if (decision.allowed) {
      request.authorizer = decision as Allowed<unknown>;
      return;
    }
    const refusal = refusalResponse(decision, options.errorFormat, request.id);
    await reply.code(refusal.status).headers(refusal.headers).send(refusal.body);
  };
}

/**
 * A Fastify preParsing hook that keeps the body as received on `request.rawBody` (up to `limitBytes`,
 * default 10 MiB; beyond it the request is refused with 413) and hands the same bytes to the parser.
 */
export function captureRawBody(limitBytes = 10 * 1024 * 1024) {
  return async function rawBodyPreParsing(request: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream): Promise<NodeJS.ReadableStream> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of payload) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > limitBytes) throw Object.assign(new Error('Request body is too large'), { statusCode: 413 });
      chunks.push(buffer);
    }
    request.rawBody = Buffer.concat(chunks);
    const replay = Readable.from([request.rawBody]) as Readable & { receivedEncodedLength?: number };
    replay.receivedEncodedLength = size;
    return replay;
  };
}

/** The part of an Express / Connect / node:http request the adapter reads. */
export type NodeLikeRequest = IncomingMessage & { originalUrl?: string; body?: unknown; rawBody?: unknown; ip?: string; secure?: boolean; authorizer?: unknown };

export function fromNodeRequest(req: NodeLikeRequest): AuthorizerRequest {
  return {
    method: req.method ?? 'GET',
    url: req.originalUrl ?? req.url ?? '/',
    headers: req.headers,
    body: bodyOf(req.body, req.rawBody),
    sourceIp: req.ip ?? req.socket?.remoteAddress,
    secure: req.secure ?? (req.socket as { encrypted?: boolean } | undefined)?.encrypted === true,
  };
}

/** Express / Connect middleware: `app.use('/photos', expressAuthorizer(authorize))`. */
export function expressAuthorizer<P>(authorizer: RequestAuthorizer<P>, options: MiddlewareOptions = {}) {
  return function authorizerMiddleware(req: NodeLikeRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    authorizer(fromNodeRequest(req)).then(
      (decision) => {
        if (decision.allowed) {
          req.authorizer = decision;
          next();
          return;
        }
        const refusal = refusalResponse(decision, options.errorFormat);
        res.writeHead(refusal.status, refusal.headers);
        res.end(refusal.body);
      },
      (error: unknown) => next(error),
    );
  };
}

/**
 * For Fetch API handlers: the decision for a `Request` (its body read from a clone), and, when refused,
 * the `Response` to answer with.
 */
export async function authorizeFetchRequest<P>(
  authorizer: RequestAuthorizer<P>,
  request: Request,
  options: MiddlewareOptions & { sourceIp?: string } = {},
): Promise<{ decision: AuthorizerDecision<P>; response?: Response }> {
  const url = new URL(request.url);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  if (headers.host === undefined) headers.host = url.host;
  const body = request.body ? Buffer.from(await request.clone().arrayBuffer()) : undefined;
  const decision = await authorizer({
    method: request.method,
    url: `${url.pathname}${url.search}`,
    headers,
    body,
    sourceIp: options.sourceIp,
    secure: url.protocol === 'https:',
  });
  if (decision.allowed) return { decision };
  const refusal = refusalResponse(decision, options.errorFormat);
  return { decision, response: new Response(refusal.body, { status: refusal.status, headers: refusal.headers }) };
}
