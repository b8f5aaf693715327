import type {
  GetUserPoolMfaConfigRequest,
  GetUserPoolMfaConfigResponse,
  SetUserPoolMfaConfigRequest,
  SetUserPoolMfaConfigResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { requireMfaFactor, smsMfaConfiguration } from '../mfa/factors.js';
import { requirePool } from '../pools.js';

function mfaConfigOf(pool: StoredUserPool): GetUserPoolMfaConfigResponse {
  const sms = smsMfaConfiguration(pool);
  return { ...pool.settings.mfa, ...(sms && { SmsMfaConfiguration: sms }), MfaConfiguration: pool.settings.userPool.MfaConfiguration ?? 'OFF' };
}

export async function getUserPoolMfaConfig(ctx: RequestContext, input: GetUserPoolMfaConfigRequest): Promise<GetUserPoolMfaConfigResponse> {
  return mfaConfigOf(await requirePool(ctx, input.UserPoolId!));
}

/**
 * Stores the pool's MFA settings. A configuration given replaces the stored one; one left out is kept.
 * Turning MFA ON or OPTIONAL needs at least one factor to be on, and turning it OFF takes no factor to
 * turn on (Cognito refuses both). Enforcement comes with sign-in.
 */
export async function setUserPoolMfaConfig(ctx: RequestContext, input: SetUserPoolMfaConfigRequest): Promise<SetUserPoolMfaConfigResponse> {
  const { UserPoolId, MfaConfiguration, ...factors } = input;
  const turnsOn = factors.SmsMfaConfiguration || factors.EmailMfaConfiguration || factors.SoftwareTokenMfaConfiguration?.Enabled;
  if (MfaConfiguration === 'OFF' && turnsOn) throw new InvalidParameterException("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
  // Passkeys sign in as a first factor here; as a second one they are not implemented (and never pretended).
  if (factors.WebAuthnConfiguration?.FactorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION') {
    throw new InvalidParameterException('Passkeys as multi-factor authentication (MULTI_FACTOR_WITH_USER_VERIFICATION) are not supported by Gatehouse.');
  }
  const updated = await ctx.repos.userPools.update(UserPoolId!, ctx.now(), (pool) => {
    const mode = MfaConfiguration ?? pool.settings.userPool.MfaConfiguration ?? 'OFF';
    const updated = { ...pool, settings: { mfa: { ...pool.settings.mfa, ...factors }, userPool: { ...pool.settings.userPool, MfaConfiguration: mode } } };
    requireMfaFactor(updated, 'mfa-config');
    return updated;
  });
  if (!updated) throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
  return mfaConfigOf(updated);
}
