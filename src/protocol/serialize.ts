import type { FastifyReply } from 'fastify';
import { ServiceError } from './errors.js';

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

/** AWS JSON 1.1 writes timestamps as epoch seconds (fractional allowed); the SDK types use Date. */
function wireValue(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Date ? original.getTime() / 1000 : value;
}

/**
 * Bodies go out as bytes: Fastify appends `; charset=utf-8` to a JSON media type sent as a string, and
 * Cognito's Content-Type is exactly `application/x-amz-json-1.1`.
 */
function json(value: unknown, replacer?: (this: unknown, key: string, value: unknown) => unknown): Buffer {
  return Buffer.from(JSON.stringify(value, replacer), 'utf8');
}

export function sendResult(reply: FastifyReply, output: unknown): FastifyReply {
  return reply
    .code(200)
    .header('content-type', JSON_CONTENT_TYPE)
    .send(json(output ?? {}, wireValue));
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
