import type { CreateIdentityPoolInput, IdentityPool, RoleMapping } from '@aws-sdk/client-cognito-identity';

/** What is stored for an identity pool: its IdentityPool shape less id and name, plus roles and tag maps. */
export interface IdentityPoolSettings {
  pool: Omit<IdentityPool, 'IdentityPoolId' | 'IdentityPoolName'>;
  roles: Record<string, string>;
  roleMappings: Record<string, RoleMapping>;
  /** Per identity provider: how its claims become principal tags. */
  principalTags: Record<string, { UseDefaults: boolean; PrincipalTags: Record<string, string> }>;
}

/** CreateIdentityPool and UpdateIdentityPool both describe the whole pool; what is left out is unset. */
export function poolSettingsFrom(input: Omit<CreateIdentityPoolInput, 'IdentityPoolName'>): IdentityPoolSettings['pool'] {
  return {
    AllowUnauthenticatedIdentities: input.AllowUnauthenticatedIdentities ?? false,
    AllowClassicFlow: input.AllowClassicFlow ?? false,
    ...(input.SupportedLoginProviders && { SupportedLoginProviders: input.SupportedLoginProviders }),
    ...(input.DeveloperProviderName && { DeveloperProviderName: input.DeveloperProviderName }),
    ...(input.OpenIdConnectProviderARNs && { OpenIdConnectProviderARNs: input.OpenIdConnectProviderARNs }),
    ...(input.CognitoIdentityProviders && { CognitoIdentityProviders: input.CognitoIdentityProviders }),
    ...(input.SamlProviderARNs && { SamlProviderARNs: input.SamlProviderARNs }),
    IdentityPoolTags: input.IdentityPoolTags ?? {},
  };
}

export function identityPoolArn(region: string, accountId: string, poolId: string): string {
  return `arn:aws:cognito-identity:${region}:${accountId}:identitypool/${poolId}`;
}

export function identityPoolIdFromArn(arn: string): string | undefined {
  return /^arn:aws[\w-]*:cognito-identity:[\w-]+:\d{12}:identitypool\/([\w-]+:[0-9a-f-]+)$/.exec(arn)?.[1];
}
