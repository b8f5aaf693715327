import { availableParallelism } from 'node:os';
import type { Algorithm } from '@node-rs/argon2';
import type { Config } from '../../config.js';
import type { ServiceContext } from '../../context.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { Turns } from '../../security/turns.js';
import { createSrpVerifier } from '../auth/srp.js';

/**
 * Everything Gatehouse keeps to check a user's password, stored as one document beside the user. The
 * argon2id hash is computed off the event loop by @node-rs/argon2. Sign-in adds an SRP verifier here.
 */
export interface PasswordCredentials {
  /** PHC string: `$argon2id$v=19$m=…,t=…,p=…$salt$hash`; its own parameters verify it. */
  hash: string;
  /** Set by an administrator: the user must choose a new one at first sign-in. */
  temporary: boolean;
  /** When a temporary password stops working (ms since the epoch). */
  expiresAt?: number;
  /** Hashes of earlier passwords, newest first, for the pool's PasswordHistorySize. */
  history?: string[];
  /**
   * The SRP-6a salt and verifier (hex) for USER_SRP_AUTH, derived from the pool name, the username and
   * the password: with it the server checks an SRP sign-in without ever seeing the password.
   */
  srp?: { salt: string; verifier: string };
}

export type HashingSettings = Config['passwordHashing'];

/**
 * The argon2 binding is loaded with the first password to hash or check, not at start-up: a server that
 * signs no one in (yet) does without its native module, which added about 14 MB to idle memory and 0.25 s
 * of CPU to start-up (npm run bench -- idle startup).
 */
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loadArgon2 = () => (argon2 ??= import('@node-rs/argon2'));

/**
 * Algorithm.Argon2id. The binding declares a `const enum`, which only tsc inlines: esbuild (the dist/
 * bundle, tsx) reads it from the module, where the enum is an empty object.
 */
const ARGON2ID = 2 as Algorithm.Argon2id;

/**
 * At most one argon2 computation per core at a time. Each one works through its whole memory cost (19 MiB
 * by default) again and again, so more of them than cores only take turns evicting each other from the
 * caches: 10 verifications in flight on one core ran 132 a second on libuv's four threads, 177 a second
 * one at a time; 280 against 309 a second on two cores (the bench's parameters). It also bounds the
 * memory they hold while a burst of sign-ins queues.
 */
const argon2Turns = new Turns(availableParallelism);

export async function hashPassword(password: string, settings: HashingSettings): Promise<string> {
  const { hash } = await loadArgon2();
  return argon2Turns.run(() =>
    hash(password, {
      algorithm: ARGON2ID,
      memoryCost: settings.memoryKiB,
      timeCost: settings.iterations,
      parallelism: settings.parallelism,
    }),
  );
}

export async function verifyPassword(credentials: PasswordCredentials | null | undefined, password: string): Promise<boolean> {
  if (!credentials?.hash) return false;
  const { verify } = await loadArgon2();
  try {
    return await argon2Turns.run(() => verify(credentials.hash, password));
  } catch {
    return false;
  }
}

/** True when `password` is the current one or one of the `size - 1` before it. */
export async function isInHistory(credentials: PasswordCredentials | null | undefined, password: string, size: number): Promise<boolean> {
  if (!credentials || size <= 0) return false;
  const recent = [credentials.hash, ...(credentials.history ?? [])].slice(0, size);
  for (const earlier of recent) {
    if (await verifyPassword({ hash: earlier, temporary: false }, password)) return true;
  }
  return false;
}

export interface CredentialOptions {
  temporary: boolean;
  expiresAt?: Date;
  previous?: PasswordCredentials | null;
  historySize?: number;
}

/** Everything stored for a new password of `username` in `pool`: argon2id hash and SRP verifier. */
export async function newCredentials(
  ctx: ServiceContext,
  pool: StoredUserPool,
  username: string,
  password: string,
  options: CredentialOptions,
): Promise<PasswordCredentials> {
  const previous = options.previous;
  const history = previous && options.historySize ? [previous.hash, ...(previous.history ?? [])].slice(0, options.historySize - 1) : undefined;
  // The SRP "pool name" is the part of the pool id after the underscore (reference/TOKENS.md §4).
  const poolName = pool.id.slice(pool.id.indexOf('_') + 1);
  return {
    hash: await hashPassword(password, ctx.config.passwordHashing),
    temporary: options.temporary,
    ...(options.expiresAt && { expiresAt: options.expiresAt.getTime() }),
    ...(history?.length && { history }),
    srp: createSrpVerifier(poolName, username, password, ctx.randomBytes),
  };
}
