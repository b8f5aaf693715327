import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
import { sendError, sendResult } from './serialize.js';
import { parseAuthorization, verifySignature, type Credential } from './sigv4.js';
import { validateInput } from './validate-input.js';

export interface JsonService<Ctx> {
  model: ServiceModel;
  operations: OperationTable<Ctx>;
}

export interface JsonApiOptions<Ctx> {
  services: JsonService<Ctx>[];
  /** Production: signed operations need a valid SigV4 signature from one of these keys. */
  requireSignature: boolean;
  secretFor: (accessKeyId: string) => string | undefined;
  maxClockSkewSeconds: number;
  defaultRegion: string;
  now: () => Date;
  createContext: (request: FastifyRequest, region: string) => Ctx;
  /** Form-encoded requests (the AWS query protocol: STS, IAM) on the same POST /. */
  formHandler?: (request: FastifyRequest, reply: FastifyReply, raw: Buffer) => Promise<FastifyReply>;
  /** Throttling, asked before an operation runs; throws (TooManyRequestsException) to refuse it. */
  throttle?: (operation: string, request: FastifyRequest) => void;
}

const ACCEPTED_CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json'];

declare module 'fastify' {
  interface FastifyRequest {
    /** The operation being served, for logs and metrics. */
    operation?: string;
  }
}

function parseBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return {};
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

/**
 * The AWS JSON 1.1 protocol on `POST /`: find the operation from X-Amz-Target, authenticate it as the
 * model says, validate the body against the model, run the handler, and answer in the AWS shape.
 */
export async function registerJsonApi<Ctx>(app: FastifyInstance, options: JsonApiOptions<Ctx>): Promise<void> {
  const byPrefix = new Map(options.services.map((s) => [s.model.targetPrefix, s]));

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
    request.log.error({ err: error }, 'unexpected error');
    return sendError(reply, new InternalErrorException('An internal error occurred. The request id identifies it in the server log.'));
  });

  // Any other path answers in the AWS shape too, so an SDK pointed at a wrong URL gets a readable error.
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new NotFoundException(`Nothing is served at ${request.method} ${request.url.split('?')[0]}; the API is POST /.`)),
  );

  app.post('/', async (request: FastifyRequest, reply: FastifyReply) => {
    const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // A query-protocol request (STS, IAM) is a form without X-Amz-Target; a JSON target with a form body is an error.
    if (mediaType === 'application/x-www-form-urlencoded' && options.formHandler && request.headers['x-amz-target'] === undefined) {
      return options.formHandler(request, reply, (request.body as Buffer | undefined) ?? Buffer.alloc(0));
    }
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
    request.operation = name;

    if (!ACCEPTED_CONTENT_TYPES.includes(mediaType)) {
      throw new SerializationException(`Content-Type must be application/x-amz-json-1.1, not '${mediaType || '(none)'}'.`);
    }

    const raw = request.body as Buffer | undefined;
    let credential: Credential | undefined;
    if (!spec.unsigned && options.requireSignature) {
      credential = await verifySignature(
        { method: request.method, url: request.url, headers: request.headers, body: raw ?? Buffer.alloc(0) },
        { service: service.model.signingName, secretFor: options.secretFor, now: options.now(), maxSkewSeconds: options.maxClockSkewSeconds },
      );
    } else {
      // Development mode (or an unsigned operation): any credentials do, but their region still counts.
      credential = safeParseAuthorization(request);
    }

    options.throttle?.(name, request);
    const input = validateInput(service.model, spec.inputShape, parseBody(raw));
    const handler = service.operations[name];
    if (!handler) throw new UnsupportedOperationException(`Gatehouse does not implement ${name} yet.`);
    const ctx = options.createContext(request, credential?.region ?? options.defaultRegion);
    return sendResult(reply, await handler(ctx, input));
  });
}

function safeParseAuthorization(request: FastifyRequest): Credential | undefined {
  try {
    return parseAuthorization(request.headers);
  } catch {
    return undefined;
  }
}
