import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import { InvalidParameterException } from '../protocol/errors.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { InvalidLambdaResponseException } from '../userpools/errors.js';
import { runTrigger, triggerArn } from './triggers.js';

/** What a SignUp or AdminCreateUser tells the pre sign-up function beyond the user itself. */
export interface PreSignUpCall {
  source: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser' | 'PreSignUp_ExternalProvider';
  clientId?: string;
  validationData?: AttributeType[];
  clientMetadata?: Record<string, string>;
}

const FLAGS = ['autoConfirmUser', 'autoVerifyEmail', 'autoVerifyPhone'] as const;

/**
 * Runs the pool's pre sign-up function, if it has one, on a user about to be created, and gives back the
 * user's attributes and whether it is confirmed at once: the function refuses the sign-up by failing, and
 * may confirm the user (`autoConfirmUser`) and mark its email address or phone number verified.
 */
export async function preSignUp(
  ctx: ServiceContext,
  pool: StoredUserPool,
  username: string,
  attributes: Record<string, string>,
  call: PreSignUpCall,
): Promise<{ attributes: Record<string, string>; confirmed: boolean }> {
  const arn = triggerArn(pool, 'PreSignUp');
  if (!arn) return { attributes, confirmed: false };
  const { sub: _sub, ...given } = attributes;
  const response = await runTrigger(ctx, pool, 'PreSignUp', arn, {
    source: call.source,
    userName: username,
    ...(call.clientId && { clientId: call.clientId }),
    request: {
      userAttributes: given,
      validationData: call.validationData ? Object.fromEntries(call.validationData.map((a) => [a.Name, a.Value ?? ''])) : null,
      ...(call.clientMetadata && { clientMetadata: call.clientMetadata }),
    },
  });
  for (const flag of FLAGS) {
    if (response[flag] !== undefined && response[flag] !== null && typeof response[flag] !== 'boolean') {
      throw new InvalidLambdaResponseException('Unrecognizable lambda output');
    }
  }
  const verified = { ...attributes };
  const verify = (flag: 'autoVerifyEmail' | 'autoVerifyPhone', contact: 'email' | 'phone_number') => {
    if (response[flag] !== true) return;
    if (!attributes[contact]) throw new InvalidParameterException(`${flag} is set by the PreSignUp trigger, but the user has no ${contact}.`);
    verified[`${contact}_verified`] = 'true';
  };
  verify('autoVerifyEmail', 'email');
  verify('autoVerifyPhone', 'phone_number');
  return { attributes: verified, confirmed: response.autoConfirmUser === true };
}
