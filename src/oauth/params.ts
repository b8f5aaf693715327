import { parse } from 'node:querystring';
import type { FastifyRequest } from 'fastify';
import { InvalidRequest } from './oauth-errors.js';

/** A query string or form body as the parsers give it: repeated names arrive as arrays. */
export type RawParams = Record<string, string | string[] | undefined>;

/** The one parser of form bodies, Fastify's (formbody's `parser`) and the direct token route's alike. */
export function parseForm(text: string): RawParams {
  return parse(text);
}

/**
 * Reads single-valued parameters. RFC 6749 §3.1 and §3.2: "Request and response parameters MUST NOT be
 * included more than once", and a parameter sent without a value is treated as omitted.
 */
export class Params {
  constructor(private readonly raw: RawParams) {}

  static ofQuery(request: FastifyRequest): Params {
    return new Params((request.query ?? {}) as RawParams);
  }

  /** The form body; anything but application/x-www-form-urlencoded is refused. */
  static ofForm(request: FastifyRequest): Params {
    const body = request.body;
    if (body === undefined || body === null || Buffer.isBuffer(body) || typeof body !== 'object') {
      throw new InvalidRequest('The request body must be application/x-www-form-urlencoded.');
    }
    return new Params(body as RawParams);
  }

  /** A form body read off the wire by the caller, whose content type it has checked. */
  static ofFormBody(body: Buffer): Params {
    return new Params(parseForm(body.toString('utf8')));
  }

  get(name: string): string | undefined {
    const value = this.raw[name];
    if (Array.isArray(value)) throw new InvalidRequest(`The ${name} parameter must not be repeated.`);
    // No identifier, code or URI has one, and PostgreSQL cannot look one up (validate-input.ts refuses them too).
    if (value?.includes('\u0000')) throw new InvalidRequest(`The ${name} parameter must not contain a NUL character.`);
    return value === undefined || value === '' ? undefined : value;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new InvalidRequest(`The ${name} parameter is required.`);
    return value;
  }

  /** Every single-valued parameter, for passing an authorization request on from page to page. */
  entries(names: readonly string[]): [string, string][] {
    return names.flatMap((name) => {
      const value = this.raw[name];
      return typeof value === 'string' && value !== '' ? [[name, value] as [string, string]] : [];
    });
  }
}
