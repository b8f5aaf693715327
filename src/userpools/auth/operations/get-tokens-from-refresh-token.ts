import type { GetTokensFromRefreshTokenRequest, GetTokensFromRefreshTokenResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { checkClientSecret, findClient } from '../../client-requests.js';
import { requireFlowAllowed } from '../auth-flows.js';
import { liveRefreshToken, refreshSignIn } from '../refresh.js';

/**
 * What Amplify v6 calls to refresh. With the client's RefreshTokenRotation ENABLED a new refresh token
 * comes back and the old one stops working after the retry grace period.
 */
export async function getTokensFromRefreshToken(ctx: RequestContext, input: GetTokensFromRefreshTokenRequest): Promise<GetTokensFromRefreshTokenResponse> {
  const { pool, client, ctx: poolCtx } = await findClient(ctx, input.ClientId!);
  checkClientSecret(poolCtx, client, input.ClientSecret);
  const rotate = client.settings.RefreshTokenRotation?.Feature === 'ENABLED';
  // AWS tells rotating clients to turn ALLOW_REFRESH_TOKEN_AUTH off (it is the flow rotation replaces), so
  // only a client without rotation needs it.
  if (!rotate) requireFlowAllowed(client, 'REFRESH_TOKEN_AUTH');
  const live = await liveRefreshToken(poolCtx, pool, client, input.RefreshToken!, input.DeviceKey);
  return { AuthenticationResult: await refreshSignIn(poolCtx, pool, client, live, rotate) };
}
