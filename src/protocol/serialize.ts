import type { FastifyReply } from 'fastify';
import { ServiceError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * AWS JSON 1.1 writes timestamps as epoch seconds (fractional allowed); the SDK types use Date. Converted
 * in a walk before stringifying rather than with a JSON.stringify replacer, which takes V8 off its fast
 * path and cost about as much as the rest of serialisation (npm run bench).
 *
 * Copy on write: a subtree without a Date or a Buffer is returned as it is, so the shared, frozen pool
 * settings that make up most of a DescribeUserPool answer are stringified in place. Copying every object
 * (into prototype-less objects, which V8 keeps in slow dictionary mode) made walk plus stringify 2.5
 * times as slow, about 10 µs of a DescribeUserPool's CPU (npm run bench -- describe).
 */
/**
 * Frozen objects already found to hold no Date or Buffer anywhere below them, all frozen too: nothing in
 * them can change, so they are not walked again. The pool settings of every DescribeUserPool are such a
 * tree; skipping the walk took it from 7.6 to 1.4 µs (measured last session).
 */
const unchanging = new WeakSet<object>();

function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value !== 'object' || value === null || unchanging.has(value)) return value;
  let frozenBelow = Object.isFrozen(value);
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const wire = toWire(item);
      if (wire !== item) (out ??= value.slice())[i] = wire;
      else if (frozenBelow && typeof item === 'object' && item !== null) frozenBelow = unchanging.has(item);
    }
    if (!out && frozenBelow) unchanging.add(value);
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const wire = toWire(item);
    if (wire !== item) {
      // A spread copies a "__proto__" key (a legal tag key) as an own data property, which an assignment
      // then writes as data too, never as the prototype.
      out ??= { ...value };
      out[key] = wire;
    } else if (frozenBelow && typeof item === 'object' && item !== null) {
      frozenBelow = unchanging.has(item);
    }
  }
  if (!out && frozenBelow) unchanging.add(value);
  return out ?? value;
}

/** An answer of the JSON protocol, whichever HTTP server sends it (Fastify's route or the API listener). */
export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The operation served, when one was found: for logs and metrics. */
  operation?: string;
}

/**
 * Bodies go out as bytes: Fastify appends `; charset=utf-8` to a JSON media type sent as a string, and
 * Cognito's Content-Type is exactly `application/x-amz-json-1.1`.
 */
function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function resultResponse(output: unknown, operation?: string): ApiResponse {
  return { status: 200, headers: { 'content-type': JSON_CONTENT_TYPE }, body: json(toWire(output ?? {})), operation };
}

/**
 * The one place an error becomes a response: `{"__type","message"}` plus the `x-amzn-ErrorType` header,
 * which SDKs read first (reference/PROTOCOL.md §4).
 */
export function errorResponse(error: ServiceError, operation?: string): ApiResponse {
  return {
    status: error.status,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-ErrorType': error.type },
    body: json({ __type: error.type, message: error.message, ...error.extra }),
    operation,
  };
}

export function sendResponse(reply: FastifyReply, response: ApiResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

export function sendError(reply: FastifyReply, error: ServiceError): FastifyReply {
  return sendResponse(reply, errorResponse(error));
}
