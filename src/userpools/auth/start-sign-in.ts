import type { AuthFlowType } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { preAuthentication } from '../../triggers/authentication.js';
import { checkSecretHash } from '../client-requests.js';
import { requiredParameter as required, requireFlowAllowed } from './auth-flows.js';
import { startChoiceSignIn } from './choice-sign-in.js';
import { startCustomSignIn } from './custom-sign-in.js';
import { signInWithPassword } from './password-sign-in.js';
import { liveRefreshToken, refreshSignIn } from './refresh.js';
import type { SignInStep } from './sign-in-outcome.js';
import { startSrpSignIn } from './srp-sign-in.js';

const USER_FLOWS = new Set<AuthFlowType>(['USER_SRP_AUTH', 'USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'USER_AUTH', 'CUSTOM_AUTH']);
const ADMIN_FLOWS = new Set<AuthFlowType>(['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH', 'USER_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN', 'USER_AUTH', 'CUSTOM_AUTH']);

/**
 * InitiateAuth and AdminInitiateAuth share everything but which flows each accepts. `session` is theirs:
 * ConfirmSignUp's, which only USER_AUTH takes.
 */
export async function startSignIn(
  ctx: RequestContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  flow: AuthFlowType,
  params: Record<string, string>,
  admin: boolean,
  session?: string,
  clientMetadata?: Record<string, string>,
): Promise<SignInStep> {
  if (!(admin ? ADMIN_FLOWS : USER_FLOWS).has(flow)) throw new InvalidParameterException('Initiate Auth method not supported.');
  requireFlowAllowed(client, flow);
  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
    // A refresh here never rotates, so it would keep a rotating client's old refresh token alive forever.
    if (client.settings.RefreshTokenRotation?.Feature === 'ENABLED') {
      throw new InvalidParameterException(`${flow} flow not enabled for this client: refresh token rotation is enabled, use GetTokensFromRefreshToken`);
    }
    const live = await liveRefreshToken(ctx, pool, client, required(params, 'REFRESH_TOKEN'), params.DEVICE_KEY);
    // The secret hash of a refresh names the user by its internal username (the sub in email pools).
    checkSecretHash(ctx, client, [params.USERNAME, live.user.username, live.user.sub], params.SECRET_HASH);
    return { AuthenticationResult: await refreshSignIn(ctx, pool, client, live, false) };
  }
  const username = required(params, 'USERNAME');
  checkSecretHash(ctx, client, [username], params.SECRET_HASH);
  await preAuthentication(ctx, pool, client, username, clientMetadata);
  if (flow === 'USER_AUTH') return startChoiceSignIn(ctx, pool, client, username, params, session);
  if (flow === 'CUSTOM_AUTH') return startCustomSignIn(ctx, pool, client, username, params, clientMetadata);
  if (flow === 'USER_SRP_AUTH') return startSrpSignIn(ctx, pool, client, username, required(params, 'SRP_A'), params.DEVICE_KEY);
  return signInWithPassword(ctx, pool, client, username, required(params, 'PASSWORD'), params.DEVICE_KEY, clientMetadata);
}
