import type { VerifySoftwareTokenRequest, VerifySoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { NotAuthorizedException } from '../../../protocol/errors.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { openPoolSession, returnSession, takePoolSession } from '../../auth/auth-sessions.js';
import { EnableSoftwareTokenMFAException, SoftwareTokenMFANotFoundException } from '../../errors.js';
import { FACTORS, preferenceOf, readUserMfa } from '../factors.js';
import { oneCredential, requireSoftwareTokenMfa, setupSessionParties, type MfaSetupState } from '../software-token.js';
import { matchTotpCode, openTotpSecret } from '../totp.js';

/** Wrong codes one MFA_SETUP session takes before the sign-in must start again. */
const MAX_ATTEMPTS = 5;

const codeMismatch = () => new EnableSoftwareTokenMFAException('Code mismatch and fail enable Software Token MFA');

/**
 * Registers the associated authenticator with a first code from it (±30 s). The registered authenticator
 * replaces any earlier one. Signed in, the user then turns TOTP MFA on with SetUserMFAPreference; during
 * MFA_SETUP, registering is the setup, so TOTP is turned on here and a new Session answers the challenge.
 */
export async function verifySoftwareToken(ctx: RequestContext, input: VerifySoftwareTokenRequest): Promise<VerifySoftwareTokenResponse> {
  const code = input.UserCode!;
  if (oneCredential(input) === 'AccessToken') {
    const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
    requireSoftwareTokenMfa(pool);
    const mfa = await readUserMfa(poolCtx, user);
    if (!mfa.totpPendingSecret) throw new SoftwareTokenMFANotFoundException('Software token has not been associated: call AssociateSoftwareToken first.');
    const step = matchTotpCode(openTotpSecret(poolCtx, user, mfa.totpPendingSecret), code, poolCtx.now());
    if (step === undefined) throw codeMismatch();
    await poolCtx.repos.userMfa.setVerifiedTotpSecret(user.poolId, user.usernameKey, { sealedSecret: mfa.totpPendingSecret, deviceName: input.FriendlyDeviceName, step }, poolCtx.now());
    return { Status: 'SUCCESS' };
  }
  const stored = await takePoolSession(ctx, input.Session!, 'MFA_SETUP');
  const state = stored.state as MfaSetupState;
  if (state.stage !== 'associated' || !state.secret) throw new NotAuthorizedException('Invalid session for the user.');
  const { pool, client, user } = await setupSessionParties(ctx, stored);
  requireSoftwareTokenMfa(pool);
  const step = matchTotpCode(openTotpSecret(ctx, user, state.secret), code, ctx.now());
  if (step === undefined) {
    const attempts = (state.attempts ?? 0) + 1;
    if (attempts < MAX_ATTEMPTS) await returnSession(ctx, stored, { ...state, attempts });
    throw codeMismatch();
  }
  // Registering is the setup: TOTP is turned on, and preferred unless the user already prefers another factor.
  const mfa = await readUserMfa(ctx, user);
  const otherPreferred = FACTORS.some((factor) => factor !== 'SOFTWARE_TOKEN_MFA' && preferenceOf(mfa, factor).preferred);
  await ctx.repos.userMfa.setVerifiedTotpSecret(
    user.poolId,
    user.usernameKey,
    { sealedSecret: state.secret, deviceName: input.FriendlyDeviceName, step, turnOn: { preferred: !otherPreferred } },
    ctx.now(),
  );
  return { Status: 'SUCCESS', Session: await openPoolSession(ctx, client, user.usernameKey, 'MFA_SETUP', { stage: 'verified', ...(state.deviceKey && { deviceKey: state.deviceKey }) } satisfies MfaSetupState) };
}
