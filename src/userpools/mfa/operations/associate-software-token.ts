import type { AssociateSoftwareTokenRequest, AssociateSoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { openPoolSession, takePoolSession } from '../../auth/auth-sessions.js';
import { oneCredential, requireSoftwareTokenMfa, setupSessionParties, type MfaSetupState } from '../software-token.js';
import { newTotpSecret, sealTotpSecret } from '../totp.js';

/**
 * Starts registering an authenticator app: a new secret (SecretCode) for the app to share. Signed in
 * (AccessToken), the secret waits on the user until VerifySoftwareToken; the authenticator already
 * registered keeps working meanwhile. During the MFA_SETUP challenge (Session), the secret travels in a new
 * session, which VerifySoftwareToken takes.
 */
export async function associateSoftwareToken(ctx: RequestContext, input: AssociateSoftwareTokenRequest): Promise<AssociateSoftwareTokenResponse> {
  if (oneCredential(input) === 'AccessToken') {
    const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
    requireSoftwareTokenMfa(pool);
    const secret = newTotpSecret(poolCtx);
    await poolCtx.repos.userMfa.setPendingTotpSecret(pool.id, user.usernameKey, sealTotpSecret(poolCtx, user, secret), poolCtx.now());
    return { SecretCode: secret };
  }
  const stored = await takePoolSession(ctx, input.Session!, 'MFA_SETUP');
  const { pool, client, user } = await setupSessionParties(ctx, stored);
  requireSoftwareTokenMfa(pool);
  const secret = newTotpSecret(ctx);
  const { deviceKey } = stored.state as MfaSetupState;
  const state: MfaSetupState = { stage: 'associated', secret: sealTotpSecret(ctx, user, secret), ...(deviceKey && { deviceKey }) };
  return { SecretCode: secret, Session: await openPoolSession(ctx, client, user.usernameKey, 'MFA_SETUP', state) };
}
