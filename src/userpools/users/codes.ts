import type { ServiceContext } from '../../context.js';
import { safeEqual } from '../../security/safe-equal.js';
import type { StoredCode } from '../../storage/codes-repository.js';
import { LimitExceededException } from '../../protocol/errors.js';
import { CodeMismatchException, ExpiredCodeException } from '../errors.js';
import { randomString } from '../ids.js';

/** What a code is for, with Cognito's lifetimes (reference/TOKENS.md §1). */
export const CODE_PURPOSES = {
  signUp: { name: 'sign-up', lifetimeMs: 24 * 3600_000 },
  forgotPassword: { name: 'forgot-password', lifetimeMs: 3600_000 },
  verifyEmail: { name: 'verify-email', lifetimeMs: 24 * 3600_000 },
  verifyPhone: { name: 'verify-phone_number', lifetimeMs: 24 * 3600_000 },
} as const;

export type CodePurpose = (typeof CODE_PURPOSES)[keyof typeof CODE_PURPOSES];

const messageKey = (poolId: string, name: string) => `${poolId}:${name}`;

/** What the store keeps of a code: its keyed hash, bound to the pool, the user and the purpose. */
const codeHash = (ctx: ServiceContext, poolId: string, usernameKey: string, purpose: CodePurpose, code: string) =>
  ctx.secrets.mac(`${poolId}:${usernameKey}:${purpose.name}:${code}`);

/** Cognito's answer to too many guesses at a code, and to too many codes asked for. */
const attemptLimitExceeded = () => new LimitExceededException('Attempt limit exceeded, please try after some time.');

/**
 * Counts a code a caller is about to have sent to whoever signs in as `name`, or to the address
 * `to <address>` (config codeMessageLimit), with LimitExceededException once the allowance is spent. Taken
 * before anything is looked up or written, and for names that match nobody as well, so that the limit
 * tells nothing about who exists. (Sign-in names cannot contain a space, so the two kinds never meet.)
 */
export async function takeCodeMessage(ctx: ServiceContext, poolId: string, name: string): Promise<void> {
  if (!(await ctx.codeMessages.take(messageKey(poolId, name)))) throw attemptLimitExceeded();
}

/**
 * takeCodeMessage in two steps, for SignUp: refused now when the allowance is spent, counted by the
 * function returned once the user exists (a sign-up under a name already taken sends nothing).
 */
export async function checkCodeMessage(ctx: ServiceContext, poolId: string, name: string): Promise<() => Promise<unknown>> {
  const key = messageKey(poolId, name);
  if (!(await ctx.codeMessages.available(key))) throw attemptLimitExceeded();
  return async () => ctx.codeMessages.take(key);
}

/** Wrong guesses allowed on one code before it must be requested again. */
const MAX_ATTEMPTS = 5;

/** Issues a fresh six-digit code (replacing any earlier one for the same purpose) and returns it. */
export async function issueCode(ctx: ServiceContext, poolId: string, usernameKey: string, purpose: CodePurpose, payload?: string): Promise<string> {
  const code = randomString(ctx.randomBytes, 6, '0123456789');
  const now = ctx.now();
  await ctx.repos.codes.put(poolId, usernameKey, purpose.name, {
    codeHash: codeHash(ctx, poolId, usernameKey, purpose, code),
    ...(payload !== undefined && { payload }),
    attempts: 0,
    expiresAt: new Date(now.getTime() + purpose.lifetimeMs),
    createdAt: now,
  });
  return code;
}

/**
 * Checks and consumes a code: single use, expiring, and limited to a few guesses, with Cognito's errors
 * for each case. Every guess claims one of the code's attempts (an atomic increment) before it is
 * compared, so concurrent guesses cannot all pass the limit check before any of them is counted: at most
 * MAX_ATTEMPTS guesses are ever compared against one code.
 */
export async function consumeCode(ctx: ServiceContext, poolId: string, usernameKey: string, purpose: CodePurpose, code: string): Promise<StoredCode> {
  const stored = await ctx.repos.codes.get(poolId, usernameKey, purpose.name);
  if (!stored) {
    // Cognito answers a password reset for which no code was requested (or whose code was used) with
    // ExpiredCodeException.
    if (purpose.name === CODE_PURPOSES.forgotPassword.name) throw new ExpiredCodeException('Invalid code provided, please request a code again.');
    throw new CodeMismatchException('Invalid verification code provided, please try again.');
  }
  if (stored.attempts >= MAX_ATTEMPTS) throw attemptLimitExceeded();
  if (stored.expiresAt.getTime() <= ctx.now().getTime()) throw new ExpiredCodeException('Invalid code provided, please request a code again.');
  // The repository counts any attempt; 0 means the code is gone (used or replaced meanwhile).
  const attempt = await ctx.repos.codes.recordFailedAttempt(poolId, usernameKey, purpose.name);
  if (attempt === 0) throw new CodeMismatchException('Invalid verification code provided, please try again.');
  if (attempt > MAX_ATTEMPTS) throw attemptLimitExceeded();
  if (!safeEqual(codeHash(ctx, poolId, usernameKey, purpose, code), stored.codeHash)) {
    if (attempt >= MAX_ATTEMPTS) throw attemptLimitExceeded();
    throw new CodeMismatchException('Invalid verification code provided, please try again.');
  }
  // Two requests racing with the right code: only one consumes it.
  if (!(await ctx.repos.codes.consume(poolId, usernameKey, purpose.name, stored.codeHash))) {
    throw new CodeMismatchException('Invalid verification code provided, please try again.');
  }
  return stored;
}

/**
 * Puts back a code that was consumed by an operation that then failed for a reason that is not the
 * code's (ConfirmSignUp refused with AliasExistsException), so the user can retry with the same code —
 * unless a newer code has been issued meanwhile.
 */
export async function restoreCode(ctx: ServiceContext, poolId: string, usernameKey: string, purpose: CodePurpose, code: StoredCode): Promise<void> {
  if (await ctx.repos.codes.get(poolId, usernameKey, purpose.name)) return;
  await ctx.repos.codes.put(poolId, usernameKey, purpose.name, code);
}
