import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { Repositories } from './storage/repositories.js';
import type { SecretBox } from './security/secret-box.js';

/**
 * Everything a handler may reach. Time and randomness come from here, not from globals, so tests can
 * pin them.
 */
export interface ServiceContext {
  config: Config;
  repos: Repositories;
  secrets: SecretBox;
  now: () => Date;
  randomBytes: (size: number) => Buffer;
  log: FastifyBaseLogger;
}

/** One API call: the service plus who and where the caller is. */
export interface RequestContext extends ServiceContext {
  requestId: string;
  /** From the SigV4 credential scope when the request is signed; the configured default otherwise. */
  region: string;
}
