import type { FastifyReply } from 'fastify';
import { ServiceError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/**
 * AWS JSON 1.1 writes timestamps as epoch seconds (fractional allowed); the SDK types use Date. Converted
 * in a walk before stringifying rather than with a JSON.stringify replacer, which takes V8 off its fast
 * path and cost about as much as the rest of serialisation (npm run bench).
 */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    // No prototype, so a "__proto__" key (a legal tag key) is copied as data, not as the prototype.
    const out = Object.create(null) as Record<string, unknown>;
    for (const key in value) out[key] = toWire((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/**
 * Bodies go out as bytes: Fastify appends `; charset=utf-8` to a JSON media type sent as a string, and
 * Cognito's Content-Type is exactly `application/x-amz-json-1.1`.
 */
function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

export function sendResult(reply: FastifyReply, output: unknown): FastifyReply {
  return reply
    .code(200)
    .header('content-type', JSON_CONTENT_TYPE)
    .send(json(toWire(output ?? {})));
}

/**
 * The one place an error becomes a response: `{"__type","message"}` plus the `x-amzn-ErrorType` header,
 * which SDKs read first (reference/PROTOCOL.md §4).
 */
export function sendError(reply: FastifyReply, error: ServiceError): FastifyReply {
  return reply
    .code(error.status)
    .header('content-type', JSON_CONTENT_TYPE)
    .header('x-amzn-ErrorType', error.type)
    .send(json({ __type: error.type, message: error.message, ...error.extra }));
}
