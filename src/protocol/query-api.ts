import type { FastifyReply, FastifyRequest } from 'fastify';
import { ServiceError } from './errors.js';
import { parseAuthorization, verifySignature, type Credential } from './sigv4.js';
import { toXml } from './xml.js';
import { oneValidationError } from './validate-input.js';

/** Who signed a query request: the SigV4 credential, and the session token of temporary credentials. */
export type QueryCaller = Credential & { sessionToken?: string };

/** One AWS query-protocol service (STS, IAM) served on POST / beside the JSON APIs. */
export interface QueryService<Ctx> {
  /** The `Version` form field that selects it, e.g. 2011-06-15. */
  version: string;
  /** SigV4 signing name, e.g. `sts`. */
  signingName: string;
  xmlNamespace: string;
  /** Operations that are not signed (STS AssumeRoleWithWebIdentity). */
  unsigned: Set<string>;
  /**
   * Whether temporary credentials (a session token) may call it. Their role's policies are not evaluated
   * here, so a service that does not say so (IAM) refuses them: a guest's credentials must not administer roles.
   */
  acceptsSessionCredentials?: boolean;
  operations: Record<string, (ctx: Ctx, params: Record<string, string>, caller: QueryCaller | undefined) => Promise<Record<string, unknown>>>;
}

export interface QueryApiOptions<Ctx> {
  services: QueryService<Ctx>[];
  requireSignature: boolean;
  /** The secret for an access key id (and session token, for temporary credentials). */
  secretFor: (accessKeyId: string, sessionToken: string | undefined) => string | undefined;
  maxClockSkewSeconds: number;
  defaultRegion: string;
  now: () => Date;
  createContext: (request: FastifyRequest, region: string) => Ctx;
}

/** Errors of the query protocol: the same classes, a different wire shape. */
export class QueryProtocolError extends ServiceError {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
  }

  override get type(): string {
    return this.code;
  }
}

function sendXml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/xml').send(Buffer.from(body, 'utf8'));
}

export function sendQueryError(reply: FastifyReply, namespace: string, error: ServiceError, requestId: string): FastifyReply {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  const body = `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type>${toXml('Code', error.type)}${toXml('Message', error.message)}</Error>${toXml('RequestId', requestId)}</ErrorResponse>`;
  reply.header('x-amzn-ErrorType', error.type);
  return sendXml(reply, error.status, body);
}

/**
 * Serves a form-encoded `Action=…&Version=…` request: picks the service by Version, authenticates it
 * (temporary credentials included), runs the operation and answers `<ActionResponse><ActionResult>`.
 */
export async function handleQueryRequest<Ctx>(request: FastifyRequest, reply: FastifyReply, raw: Buffer, options: QueryApiOptions<Ctx>): Promise<FastifyReply> {
  const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  const service = options.services.find((s) => s.version === params.Version);
  const namespace = service?.xmlNamespace ?? 'https://sts.amazonaws.com/doc/2011-06-15/';
  try {
    if (!service) throw new QueryProtocolError('InvalidAction', `Unknown or missing Version '${params.Version ?? ''}'.`);
    const action = params.Action ?? '';
    const operation = Object.hasOwn(service.operations, action) ? service.operations[action] : undefined;
    if (!operation) throw new QueryProtocolError('InvalidAction', `Could not find operation ${action} for version ${service.version}`);
    request.operation = action;
    let caller: QueryCaller | undefined;
    if (!service.unsigned.has(action)) {
      caller = options.requireSignature || request.headers['x-amz-security-token']
        ? await verifySignatureForQuery(
            { method: request.method, url: request.url, headers: request.headers, body: raw },
            {
              service: service.signingName,
              secretFor: (id) => options.secretFor(id, request.headers['x-amz-security-token'] as string | undefined),
              now: options.now(),
              maxSkewSeconds: options.maxClockSkewSeconds,
            },
          )
        : safeParse(request);
      const sessionToken = request.headers['x-amz-security-token'];
      if (caller && typeof sessionToken === 'string') {
        if (!service.acceptsSessionCredentials) {
          throw new QueryProtocolError('AccessDenied', `Temporary credentials are not authorized to perform: ${service.signingName}:${action}`, 403);
        }
        caller = { ...caller, sessionToken };
      }
    }
    // As in the JSON protocol (validate-input.ts): PostgreSQL cannot store a NUL, and no real value has one.
    const withNul = Object.keys(params).find((name) => params[name].includes('\u0000'));
    if (withNul) throw new QueryProtocolError('ValidationError', oneValidationError(withNul, 'Member must not contain the NUL character'));
    const ctx = options.createContext(request, caller?.region ?? options.defaultRegion);
    const result = await operation(ctx, params, caller);
    const body = `<${action}Response xmlns="${namespace}">${toXml(`${action}Result`, result)}<ResponseMetadata>${toXml('RequestId', request.id)}</ResponseMetadata></${action}Response>`;
    return sendXml(reply, 200, body);
  } catch (error) {
    if (error instanceof ServiceError) return sendQueryError(reply, namespace, error, request.id);
    // Not the JSON error handler's answer: a query client reads XML only.
    request.log.error({ err: error }, 'unexpected error');
    return sendQueryError(reply, namespace, new QueryProtocolError('InternalFailure', 'An internal error occurred. The request id identifies it in the server log.', 500), request.id);
  }
}

/** The query services name SigV4 failures differently from the JSON ones. */
const QUERY_NAMES: Record<string, [string, number]> = {
  MissingAuthenticationTokenException: ['MissingAuthenticationToken', 403],
  InvalidSignatureException: ['SignatureDoesNotMatch', 403],
  UnrecognizedClientException: ['InvalidClientTokenId', 403],
  IncompleteSignatureException: ['IncompleteSignature', 400],
};

async function verifySignatureForQuery(...args: Parameters<typeof verifySignature>): Promise<Credential> {
  try {
    return await verifySignature(...args);
  } catch (error) {
    const renamed = error instanceof ServiceError ? QUERY_NAMES[error.type] : undefined;
    if (renamed) throw new QueryProtocolError(renamed[0], (error as Error).message, renamed[1]);
    throw error;
  }
}

function safeParse(request: FastifyRequest): Credential | undefined {
  try {
    return parseAuthorization(request.headers);
  } catch {
    return undefined;
  }
}
