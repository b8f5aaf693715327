import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { maySignIn, newUuid } from '../userpools/users/users.js';
import type { AuthorizationRequest } from './authorization-request.js';
import { InvalidGrant } from './oauth-errors.js';
import { tokensForUser, type TokenResponse } from './oauth-tokens.js';
import { verifyCodeVerifier } from './pkce.js';

/** Cognito's authorization codes live five minutes. */
const CODE_SECONDS = 300;
/** Used and expired codes are kept this long, so a late replay is still recognised (and revokes). */
const KEEP_FOR_REPLAY_MS = 3600_000;

function codeHash(ctx: ServiceContext, poolId: string, code: string): string {
  return ctx.secrets.mac(`oauth-code:${poolId}:${code}`);
}

/** A new single-use code for a signed-in user; only its keyed hash is stored. */
export async function issueCode(ctx: ServiceContext, pool: StoredUserPool, request: AuthorizationRequest, user: StoredUser, authTime: Date): Promise<string> {
  const code = ctx.randomBytes(32).toString('base64url');
  const now = ctx.now();
  await ctx.repos.oauthCodes.insert({
    poolId: pool.id,
    codeHash: codeHash(ctx, pool.id, code),
    clientId: request.client.clientId,
    usernameKey: user.usernameKey,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    ...(request.codeChallenge !== undefined && { codeChallenge: request.codeChallenge }),
    ...(request.nonce !== undefined && { nonce: request.nonce }),
    // Chosen now, so that a replay can revoke the tokens even while the first redemption is issuing them.
    originJti: newUuid(ctx.randomBytes),
    authTime,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CODE_SECONDS * 1000),
  });
  if (ctx.randomBytes(1)[0] < 4) await ctx.repos.oauthCodes.deleteExpired(new Date(now.getTime() - KEEP_FOR_REPLAY_MS));
  return code;
}

export interface CodeRedemption {
  code: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

/**
 * grant_type=authorization_code (RFC 6749 §4.1.3). The code is spent by the first attempt whatever its
 * outcome; a second attempt is a replay, and revokes everything the code was exchanged for (§4.1.2).
 */
export async function redeemCode(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, redemption: CodeRedemption): Promise<TokenResponse> {
  const hash = codeHash(ctx, pool.id, redemption.code);
  const consumed = await ctx.repos.oauthCodes.consume(pool.id, hash, ctx.now());
  if (!consumed) throw new InvalidGrant('The authorization code is not valid.');
  const { code, firstUse } = consumed;
  if (!firstUse) {
    await ctx.repos.oauthCodes.markReplayed(pool.id, hash, ctx.now());
    await ctx.repos.refreshTokens.revokeOrigin(pool.id, code.originJti, ctx.now());
    throw new InvalidGrant('The authorization code has already been used; the tokens issued for it are revoked.');
  }
  if (code.expiresAt.getTime() <= ctx.now().getTime()) throw new InvalidGrant('The authorization code has expired.');
  if (code.clientId !== client.clientId) throw new InvalidGrant('The authorization code was issued to another client.');
  if (redemption.redirectUri !== code.redirectUri) throw new InvalidGrant('redirect_uri does not match the one of the authorization request.');
  verifyCodeVerifier(code.codeChallenge, redemption.codeVerifier);
  const user = await ctx.repos.users.get(pool.id, code.usernameKey);
  if (!user || !maySignIn(user)) throw new InvalidGrant('The user can no longer sign in.');
  const tokens = await tokensForUser(
    ctx,
    { pool, client, user, authTime: code.authTime, originJti: code.originJti, scopes: code.scopes, ...(code.nonce !== undefined && { nonce: code.nonce }) },
    true,
  );
  if (await ctx.repos.oauthCodes.wasReplayed(pool.id, hash)) {
    await ctx.repos.refreshTokens.revokeOrigin(pool.id, code.originJti, ctx.now());
    throw new InvalidGrant('The authorization code has already been used; the tokens issued for it are revoked.');
  }
  return tokens;
}
