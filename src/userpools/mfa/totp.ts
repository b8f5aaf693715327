import { Secret, TOTP } from 'otpauth';
import type { ServiceContext } from '../../context.js';
import type { StoredUserMfa } from '../../storage/user-mfa-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';

/** RFC 6238 as every authenticator app does it by default, and as Cognito's codes are: SHA-1, 6 digits, 30 s. */
const PERIOD_SECONDS = 30;
/** One step either side, for the clocks of phones and servers that drift apart. */
const WINDOW = 1;
/** 32 bytes: Cognito's SecretCode is 52 base32 characters. */
const SECRET_BYTES = 32;

/** A new random TOTP secret, base32 (what AssociateSoftwareToken answers as SecretCode). */
export function newTotpSecret(ctx: ServiceContext): string {
  const bytes = ctx.randomBytes(SECRET_BYTES);
  return new Secret({ buffer: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) }).base32;
}

/** The associated data of a sealed secret: a secret copied to another user's row does not open. */
const sealContext = (user: Pick<StoredUser, 'poolId' | 'usernameKey'>) => `totp-secret:${user.poolId}:${user.usernameKey}`;

export function sealTotpSecret(ctx: ServiceContext, user: Pick<StoredUser, 'poolId' | 'usernameKey'>, secret: string): string {
  return ctx.secrets.encrypt(secret, sealContext(user));
}

export function openTotpSecret(ctx: ServiceContext, user: Pick<StoredUser, 'poolId' | 'usernameKey'>, sealed: string): string {
  return ctx.secrets.decrypt(sealed, sealContext(user));
}

/** The time step `code` belongs to, within the window around now, or undefined when it matches none. */
export function matchTotpCode(secret: string, code: string, now: Date): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS });
  const delta = totp.validate({ token: code, timestamp: now.getTime(), window: WINDOW });
  return delta === null ? undefined : totp.counter({ timestamp: now.getTime() }) + delta;
}

/**
 * A sign-in's TOTP code: right for the user's verified authenticator, and of a later time step than any
 * code accepted before, so a code seen over someone's shoulder (or replayed) does not work a second time.
 */
export async function acceptTotpCode(ctx: ServiceContext, user: StoredUser, mfa: StoredUserMfa, code: string): Promise<boolean> {
  if (!mfa.totpSecret) return false;
  const step = matchTotpCode(openTotpSecret(ctx, user, mfa.totpSecret), code, ctx.now());
  if (step === undefined || (mfa.totpLastStep !== undefined && step <= mfa.totpLastStep)) return false;
  return ctx.repos.userMfa.claimTotpStep(user.poolId, user.usernameKey, step);
}

/** The `otpauth://` URI an authenticator app reads from a QR code. */
export function totpUri(secret: string, issuer: string, account: string): string {
  return new TOTP({ issuer, label: account, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS }).toString();
}
