import type {
  CreateUserPoolRequest,
  EmailMfaConfigType,
  SmsMfaConfigType,
  SoftwareTokenMfaConfigType,
  UpdateUserPoolRequest,
  UserPoolType,
  WebAuthnConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../protocol/errors.js';

/** What is stored for a pool: its UserPoolType less what is derived (id, name, ARN, dates, counts). */
export interface UserPoolSettings {
  userPool: Omit<UserPoolType, 'Id' | 'Name' | 'Arn' | 'CreationDate' | 'LastModifiedDate' | 'EstimatedNumberOfUsers'>;
  mfa: {
    SmsMfaConfiguration?: SmsMfaConfigType;
    SoftwareTokenMfaConfiguration?: SoftwareTokenMfaConfigType;
    EmailMfaConfiguration?: EmailMfaConfigType;
    WebAuthnConfiguration?: WebAuthnConfigurationType;
  };
}

type Settable = Omit<UpdateUserPoolRequest, 'UserPoolId' | 'PoolName'>;

const DEFAULT_TEMPORARY_PASSWORD_DAYS = 7;

/**
 * The settings CreateUserPool and UpdateUserPool both write. Like Cognito, UpdateUserPool is not a patch:
 * a setting left out of the request returns to its default (the Cognito API reference warns of this), so
 * both operations build the settings from the request and the defaults alone.
 */
export function settableSettings(input: Settable): UserPoolSettings['userPool'] {
  const template = {
    DefaultEmailOption: 'CONFIRM_WITH_CODE' as const,
    ...(input.SmsVerificationMessage && { SmsMessage: input.SmsVerificationMessage }),
    ...(input.EmailVerificationMessage && { EmailMessage: input.EmailVerificationMessage }),
    ...(input.EmailVerificationSubject && { EmailSubject: input.EmailVerificationSubject }),
    ...input.VerificationMessageTemplate,
  };
  const passwordPolicy = input.Policies?.PasswordPolicy ?? {
    MinimumLength: 8,
    RequireUppercase: true,
    RequireLowercase: true,
    RequireNumbers: true,
    RequireSymbols: true,
  };
  const adminCreateUser = { AllowAdminCreateUserOnly: false, ...input.AdminCreateUserConfig };
  const temporaryDays = passwordPolicy.TemporaryPasswordValidityDays || adminCreateUser.UnusedAccountValidityDays || DEFAULT_TEMPORARY_PASSWORD_DAYS;
  return {
    Policies: {
      PasswordPolicy: {
        MinimumLength: passwordPolicy.MinimumLength ?? 8,
        RequireUppercase: passwordPolicy.RequireUppercase ?? false,
        RequireLowercase: passwordPolicy.RequireLowercase ?? false,
        RequireNumbers: passwordPolicy.RequireNumbers ?? false,
        RequireSymbols: passwordPolicy.RequireSymbols ?? false,
        ...(passwordPolicy.PasswordHistorySize !== undefined && { PasswordHistorySize: passwordPolicy.PasswordHistorySize }),
        TemporaryPasswordValidityDays: temporaryDays,
      },
      SignInPolicy: input.Policies?.SignInPolicy ?? { AllowedFirstAuthFactors: ['PASSWORD'] },
    },
    DeletionProtection: input.DeletionProtection ?? 'INACTIVE',
    LambdaConfig: input.LambdaConfig ?? {},
    ...(input.AutoVerifiedAttributes && { AutoVerifiedAttributes: input.AutoVerifiedAttributes }),
    ...(template.SmsMessage && { SmsVerificationMessage: template.SmsMessage }),
    ...(template.EmailMessage && { EmailVerificationMessage: template.EmailMessage }),
    ...(template.EmailSubject && { EmailVerificationSubject: template.EmailSubject }),
    VerificationMessageTemplate: template,
    ...(input.SmsAuthenticationMessage && { SmsAuthenticationMessage: input.SmsAuthenticationMessage }),
    UserAttributeUpdateSettings: input.UserAttributeUpdateSettings ?? { AttributesRequireVerificationBeforeUpdate: [] },
    MfaConfiguration: input.MfaConfiguration ?? 'OFF',
    ...(input.DeviceConfiguration && { DeviceConfiguration: input.DeviceConfiguration }),
    EmailConfiguration: input.EmailConfiguration ?? { EmailSendingAccount: 'COGNITO_DEFAULT' },
    ...(input.SmsConfiguration && { SmsConfiguration: input.SmsConfiguration }),
    UserPoolTags: input.UserPoolTags ?? {},
    AdminCreateUserConfig: { ...adminCreateUser, UnusedAccountValidityDays: temporaryDays },
    ...(input.UserPoolAddOns && { UserPoolAddOns: input.UserPoolAddOns }),
    ...(input.AccountRecoverySetting && { AccountRecoverySetting: input.AccountRecoverySetting }),
    UserPoolTier: input.UserPoolTier ?? 'ESSENTIALS',
  };
}

/** Business rules the model cannot express, shared by CreateUserPool and UpdateUserPool. */
export function checkSettings(input: Settable & Pick<CreateUserPoolRequest, 'AliasAttributes' | 'UsernameAttributes'>): void {
  if (input.AliasAttributes?.length && input.UsernameAttributes?.length) {
    throw new InvalidParameterException('Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.');
  }
  const required = input.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  for (const attribute of required) {
    if (!input.AutoVerifiedAttributes?.includes(attribute)) {
      throw new InvalidParameterException(`Attribute ${attribute} must be in AutoVerifiedAttributes to require verification before update.`);
    }
  }
  const policy = input.Policies?.PasswordPolicy;
  if (policy?.TemporaryPasswordValidityDays && input.AdminCreateUserConfig?.UnusedAccountValidityDays) {
    throw new InvalidParameterException('Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays');
  }
  checkFirstAuthFactors(input.Policies?.SignInPolicy?.AllowedFirstAuthFactors, input.UserPoolTier ?? 'ESSENTIALS');
}

/** The first factors the pool's SignInPolicy allows (USER_AUTH): passwords alone unless it allows more. */
export function allowedFirstAuthFactors(pool: { settings: UserPoolSettings }): string[] {
  return pool.settings.userPool.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? ['PASSWORD'];
}

/**
 * A pool's SignInPolicy keeps passwords (the AWS documentation and the CDK say PASSWORD must stay; users
 * who signed up without one simply have none), names no SOFTWARE_TOKEN (not a first factor, the model
 * documentation says), and passwordless factors need the Essentials plan or above, in Cognito's words.
 */
function checkFirstAuthFactors(factors: string[] | undefined, tier: string): void {
  if (!factors) return;
  if (!factors.includes('PASSWORD')) throw new InvalidParameterException('AllowedFirstAuthFactors must include PASSWORD.');
  if (factors.includes('SOFTWARE_TOKEN')) throw new InvalidParameterException('SOFTWARE_TOKEN is not supported as a first authentication factor.');
  if (tier === 'LITE' && factors.some((factor) => factor !== 'PASSWORD')) {
    throw new InvalidParameterException('The following features need to be disabled for the LITE pricing tier configured: Passwordless Sign-In');
  }
}

export function userPoolArn(region: string, accountId: string, poolId: string): string {
  return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${poolId}`;
}

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<poolId>` → poolId, or undefined for anything else. */
export function poolIdFromArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:cognito-idp:[\w-]+:\d{12}:userpool\/([\w-]+_[0-9a-zA-Z]+)$/.exec(arn)?.[1];
}
