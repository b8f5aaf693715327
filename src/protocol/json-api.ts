import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  InternalErrorException,
  NotFoundException,
  RequestEntityTooLargeException,
  SerializationException,
  ServiceError,
  UnknownOperationException,
  UnsupportedOperationException,
} from './errors.js';
import type { OperationTable } from './operations.js';
import type { ServiceModel } from './service-model.js';
import { errorResponse, resultResponse, sendError, sendResponse, type ApiResponse } from './serialize.js';
import { parseAuthorization, verifySignature, type Credential } from './sigv4.js';
import { validateInput } from './validate-input.js';

export interface JsonService<Ctx> {
  model: ServiceModel;
  operations: OperationTable<Ctx>;
}

/** One request of the JSON protocol, as either HTTP server hands it over (Fastify's route or the API listener). */
export interface ApiRequest {
  id: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The client's address (X-Forwarded-For's when proxies are trusted): what throttling counts by. */
  ip: string;
}

export interface JsonApiOptions<Ctx> {
  services: JsonService<Ctx>[];
  /** Production: signed operations need a valid SigV4 signature from one of these keys. */
  requireSignature: boolean;
  secretFor: (accessKeyId: string) => string | undefined;
  maxClockSkewSeconds: number;
  defaultRegion: string;
  now: () => Date;
  createContext: (requestId: string, region: string, sourceIp: string) => Ctx;
  /** Throttling, asked before an operation runs; throws (TooManyRequestsException) to refuse it. */
  throttle?: (operation: string, ip: string) => Promise<void> | undefined;
  /** Where an unexpected error is written, with the request id its answer names. */
  log: FastifyBaseLogger;
}

/** The AWS JSON 1.1 protocol as a function: every answer, errors included, is an ApiResponse; it never throws. */
export type JsonApi = (request: ApiRequest) => Promise<ApiResponse>;

const ACCEPTED_CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json'];
const EMPTY = Buffer.alloc(0);

declare module 'fastify' {
  interface FastifyRequest {
    /** The operation being served, for logs and metrics. */
    operation?: string;
  }
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new SerializationException('The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SerializationException('The request body must be a JSON object.');
  }
  return body;
}

/** What a client is told of an error that is not one of ours; the error itself goes to the log only. */
export function internalError(log: FastifyBaseLogger, requestId: string, error: unknown): InternalErrorException {
  log.error({ err: error, reqId: requestId }, 'unexpected error');
  return new InternalErrorException('An internal error occurred. The request id identifies it in the server log.');
}

/**
 * The AWS JSON 1.1 protocol on `POST /`: find the operation from X-Amz-Target, authenticate it as the
 * model says, validate the body against the model, run the handler, and answer in the AWS shape.
 */
export function createJsonApi<Ctx>(options: JsonApiOptions<Ctx>): JsonApi {
  const byPrefix = new Map(options.services.map((s) => [s.model.targetPrefix, s]));

  return async (request) => {
    let operation: string | undefined;
    try {
      const target = request.headers['x-amz-target'];
      if (typeof target !== 'string' || !target.includes('.')) {
        throw new UnknownOperationException('The X-Amz-Target header is missing or does not name an operation.');
      }
      // Split at the first dot only: `Prefix.Op.Extra` names no operation, it must not serve `Op`.
      const dot = target.indexOf('.');
      const prefix = target.slice(0, dot);
      const name = target.slice(dot + 1);
      const service = byPrefix.get(prefix);
      const spec = service?.model.operations.get(name);
      if (!service || !spec) throw new UnknownOperationException(`Unknown operation ${target}`);
      operation = name;

      const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      if (!ACCEPTED_CONTENT_TYPES.includes(mediaType)) {
        throw new SerializationException(`Content-Type must be application/x-amz-json-1.1, not '${mediaType || '(none)'}'.`);
      }

      let credential: Credential | undefined;
      if (!spec.unsigned && options.requireSignature) {
        credential = await verifySignature(
          { method: request.method, url: request.url, headers: request.headers, body: request.body },
          { service: service.model.signingName, secretFor: options.secretFor, now: options.now(), maxSkewSeconds: options.maxClockSkewSeconds },
        );
      } else {
        // Development mode (or an unsigned operation): any credentials do, but their region still counts.
        credential = safeParseAuthorization(request.headers);
      }

      const throttled = options.throttle?.(name, request.ip);
      if (throttled) await throttled;
      const input = validateInput(service.model, spec.inputShape, parseBody(request.body));
      const handler = service.operations[name];
      if (!handler) throw new UnsupportedOperationException(`Gatehouse does not implement ${name} yet.`);
      const ctx = options.createContext(request.id, credential?.region ?? options.defaultRegion, request.ip);
      return resultResponse(modelMembersOf(await handler(ctx, input), spec.outputMembers), operation);
    } catch (error) {
      return errorResponse(error instanceof ServiceError ? error : internalError(options.log, request.id, error), operation);
    }
  };
}

/**
 * The answer with only the members the model gives the operation's output: a handler's internal state
 * (a sign-in step's user, with its password hash) never reaches the wire, whatever it returns. The
 * answer is returned as it is when it has nothing else, which is nearly always.
 */
function modelMembersOf(output: unknown, members: ReadonlySet<string>): unknown {
  if (typeof output !== 'object' || output === null) return output;
  for (const key in output) {
    if (!members.has(key)) return Object.fromEntries(Object.entries(output).filter(([name]) => members.has(name)));
  }
  return output;
}

function safeParseAuthorization(headers: IncomingHttpHeaders): Credential | undefined {
  try {
    return parseAuthorization(headers);
  } catch {
    return undefined;
  }
}

/**
 * Serves `api` on Fastify's `POST /` (the requests the API listener leaves to Fastify, and `inject`), with
 * the form-encoded query protocol (STS, IAM) on the same path; and makes Fastify's own errors and unknown
 * paths answer in the AWS shape too.
 */
export function registerJsonApi(
  app: FastifyInstance,
  api: JsonApi,
  formHandler?: (request: FastifyRequest, reply: FastifyReply, raw: Buffer) => Promise<FastifyReply>,
): void {
  // Keep the raw bytes: SigV4 signs them, and JSON errors must be ours, not the framework's. Fastify's
  // built-in parsers win over '*' for their types, so application/json would arrive parsed: remove them.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
    if (error instanceof ServiceError) return sendError(reply, error);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(reply, new RequestEntityTooLargeException('The request body is larger than this service accepts.'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, new SerializationException(error.message));
    }
    return sendError(reply, internalError(request.log, request.id, error));
  });

  // Any other path answers in the AWS shape too, so an SDK pointed at a wrong URL gets a readable error.
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new NotFoundException(`Nothing is served at ${request.method} ${request.url.split('?')[0]}; the API is POST /.`)),
  );

  app.post('/', async (request: FastifyRequest, reply: FastifyReply) => {
    const raw = (request.body as Buffer | undefined) ?? EMPTY;
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // A query-protocol request (STS, IAM) is a form without X-Amz-Target; a JSON target with a form body is an error.
    if (mediaType === 'application/x-www-form-urlencoded' && formHandler && request.headers['x-amz-target'] === undefined) {
      return formHandler(request, reply, raw);
    }
    const response = await api({ id: request.id, method: request.method, url: request.url, headers: request.headers, body: raw, ip: request.ip });
    request.operation = response.operation;
    return sendResponse(reply, response);
  });
}
