import type {
  AdminSetUserSettingsRequest,
  AdminSetUserSettingsResponse,
  MFAOptionType,
  SetUserSettingsRequest,
  SetUserSettingsResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { applyMfaPreferences, type MfaPreferenceInput } from '../preferences.js';

/**
 * The legacy MFA settings (SetUserSettings, AdminSetUserSettings), which amazon-cognito-identity-js's
 * enableMFA / disableMFA still call: Cognito accepts them for SMS MFA only. `[{DeliveryMedium: 'SMS',
 * AttributeName: 'phone_number'}]` turns SMS MFA on, an empty list turns it off; the other factors are left
 * as they are.
 */
function smsPreference(options: MFAOptionType[] | undefined): MfaPreferenceInput {
  const list = options ?? [];
  for (const option of list) {
    if (option.DeliveryMedium !== 'SMS' || option.AttributeName !== 'phone_number') {
      throw new InvalidParameterException('Only SMS MFA to phone_number can be set with MFAOptions; use SetUserMFAPreference for other factors.');
    }
  }
  return { SMSMfaSettings: { Enabled: list.length > 0 } };
}

export async function setUserSettings(ctx: RequestContext, input: SetUserSettingsRequest): Promise<SetUserSettingsResponse> {
  const { pool, user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  await applyMfaPreferences(poolCtx, pool, user, smsPreference(input.MFAOptions));
  return {};
}

export async function adminSetUserSettings(ctx: RequestContext, input: AdminSetUserSettingsRequest): Promise<AdminSetUserSettingsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await applyMfaPreferences(ctx, pool, user, smsPreference(input.MFAOptions));
  return {};
}
