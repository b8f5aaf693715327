import { randomBytes } from 'node:crypto';
import { secureRandomBytes } from './security/random-pool.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import type { ServiceContext } from './context.js';
import { SecretBox } from './security/secret-box.js';
import { openDatabase, type Db } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { createRepositories, type Repositories } from './storage/repositories.js';
import { SigningKeys } from './userpools/auth/signing-keys.js';
import { databaseStartupError } from './startup-errors.js';
import { rateLimitsOf, type RateLimits } from './security/rate-limiter.js';

export interface ServiceOverrides {
  now?: () => Date;
  randomBytes?: (size: number) => Buffer;
  /** In a worker of `serve --workers`: the primary's limits, which every worker shares (workers.ts). */
  rateLimits?: RateLimits;
}

export interface OpenServices {
  services: ServiceContext;
  db: Db;
  kind: 'sqlite' | 'postgres';
  location: string;
  /** The credential and code-message limits: this process's, or the primary's (ServiceOverrides). */
  rateLimits: RateLimits;
  /** Where the server listens, once it does: the default base of issuers and links. */
  setListeningUrl(url: string): void;
  close(): Promise<void>;
}

/** In development a secrets key is generated once and kept in the database, so secrets survive restarts. */
async function resolveSecretsKey(config: Config, repos: Repositories): Promise<string> {
  if (config.secretsKey) return config.secretsKey;
  return repos.meta.getOrCreate('development_secrets_key', () => randomBytes(32).toString('base64url'));
}

/**
 * The database (migrated to the latest version) and everything handlers reach through the context: what
 * the server runs on, and what command-line tools such as `gatehouse keys rotate` use without a server.
 */
export async function openServices(config: Config, log: FastifyBaseLogger, overrides: ServiceOverrides = {}): Promise<OpenServices> {
  const { db, kind, location } = openDatabase(config);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await db.destroy();
    }
  };
  try {
    // The first query: where an unreachable or refusing database shows itself.
    const applied = await migrateToLatest(db as never).catch((error: unknown) => {
      throw databaseStartupError(error, location);
    });
    if (applied.length > 0) log.info({ migrations: applied }, 'applied database migrations');
    const repos = createRepositories(db);
    const secrets = new SecretBox(await resolveSecretsKey(config, repos));
    const now = overrides.now ?? (() => new Date());
    const random = overrides.randomBytes ?? secureRandomBytes;
    let listeningUrl = `http://${config.host}:${config.port}`;
    const rateLimits = overrides.rateLimits ?? rateLimitsOf(config, () => now().getTime());
    const services: ServiceContext = {
      config,
      repos,
      secrets,
      keys: new SigningKeys(repos, secrets, now, random),
      publicUrl: () => (config.publicUrl ?? listeningUrl).replace(/\/+$/, ''),
      now,
      randomBytes: random,
      log,
      codeMessages: rateLimits.codeMessages,
    };
    return { services, rateLimits, db, kind, location, setListeningUrl: (url) => (listeningUrl = url), close };
  } catch (error) {
    await close();
    throw error;
  }
}
