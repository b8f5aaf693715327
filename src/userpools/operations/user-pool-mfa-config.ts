import type {
  GetUserPoolMfaConfigRequest,
  GetUserPoolMfaConfigResponse,
  SetUserPoolMfaConfigRequest,
  SetUserPoolMfaConfigResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { requirePool } from '../pools.js';

function mfaConfigOf(pool: StoredUserPool): GetUserPoolMfaConfigResponse {
  return { ...pool.settings.mfa, MfaConfiguration: pool.settings.userPool.MfaConfiguration ?? 'OFF' };
}

export async function getUserPoolMfaConfig(ctx: RequestContext, input: GetUserPoolMfaConfigRequest): Promise<GetUserPoolMfaConfigResponse> {
  return mfaConfigOf(await requirePool(ctx, input.UserPoolId!));
}

/**
 * Stores the pool's MFA settings. A configuration given replaces the stored one; one left out is kept.
 * Turning MFA ON or OPTIONAL needs at least one factor to be on. Enforcement comes with sign-in.
 */
export async function setUserPoolMfaConfig(ctx: RequestContext, input: SetUserPoolMfaConfigRequest): Promise<SetUserPoolMfaConfigResponse> {
  const { UserPoolId, MfaConfiguration, ...factors } = input;
  const updated = await ctx.repos.userPools.update(UserPoolId!, ctx.now(), (pool) => {
    const mfa = { ...pool.settings.mfa, ...factors };
    const mode = MfaConfiguration ?? pool.settings.userPool.MfaConfiguration ?? 'OFF';
    const anyFactor = Boolean(mfa.SmsMfaConfiguration?.SmsConfiguration) || Boolean(mfa.SoftwareTokenMfaConfiguration?.Enabled) || Boolean(mfa.EmailMfaConfiguration);
    if (mode !== 'OFF' && !anyFactor) {
      throw new InvalidParameterException(`Invalid MFA configuration given: MfaConfiguration ${mode} needs SMS, email or software token MFA to be enabled.`);
    }
    return { ...pool, settings: { mfa, userPool: { ...pool.settings.userPool, MfaConfiguration: mode } } };
  });
  if (!updated) throw new ResourceNotFoundException(`User pool ${UserPoolId} does not exist.`);
  return mfaConfigOf(updated);
}
