import type { CreateUserPoolClientRequest, TimeUnitsType, UserPoolClientType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../protocol/errors.js';
import { InvalidOAuthFlowException, ScopeDoesNotExistException } from './errors.js';

/** What is stored for an app client: its UserPoolClientType less identity, secret and dates. */
export type AppClientSettings = Omit<UserPoolClientType, 'UserPoolId' | 'ClientId' | 'ClientName' | 'ClientSecret' | 'CreationDate' | 'LastModifiedDate'>;

type ClientInput = Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName' | 'GenerateSecret' | 'ClientSecret'>;

const SECONDS: Record<TimeUnitsType, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };
const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** Scopes every pool has; the others are resource-server scopes, `<identifier>/<scope>`. */
const STANDARD_SCOPES = new Set(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']);

export function isStandardScope(scope: string): boolean {
  return STANDARD_SCOPES.has(scope);
}

const LEGACY_AUTH_FLOWS = new Set(['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH']);

function checkValidity(name: string, value: number, unit: TimeUnitsType, min: number, max: number): void {
  const seconds = value * SECONDS[unit];
  if (seconds < min || seconds > max) {
    throw new InvalidParameterException(`Invalid range for token validity: ${name} must be between ${min / MINUTE} minutes and ${max / DAY} days, not ${value} ${unit}.`);
  }
}

/**
 * The app client settings CreateUserPoolClient and UpdateUserPoolClient write. As in Cognito, an update
 * replaces the client's settings: whatever the request leaves out returns to its default.
 */
export function clientSettings(input: ClientInput, hasSecret: boolean): AppClientSettings {
  // Access and ID token validity default to hours in requests, refresh token validity to days.
  const units = { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days', ...input.TokenValidityUnits } as Required<
    NonNullable<ClientInput['TokenValidityUnits']>
  >;
  // A left-out access or ID validity is one hour, which days cannot express as the integer the wire type
  // is (1/24 would reach strict SDKs as a float): report that default in hours instead.
  if (input.AccessTokenValidity === undefined && units.AccessToken === 'days') units.AccessToken = 'hours';
  if (input.IdTokenValidity === undefined && units.IdToken === 'days') units.IdToken = 'hours';
  const access = input.AccessTokenValidity ?? HOUR / SECONDS[units.AccessToken];
  const id = input.IdTokenValidity ?? HOUR / SECONDS[units.IdToken];
  // Cognito treats a refresh validity of 0 as "not given": 30 days.
  const refresh = input.RefreshTokenValidity || (30 * DAY) / SECONDS[units.RefreshToken];
  checkValidity('AccessTokenValidity', access, units.AccessToken, 5 * MINUTE, DAY);
  checkValidity('IdTokenValidity', id, units.IdToken, 5 * MINUTE, DAY);
  checkValidity('RefreshTokenValidity', refresh, units.RefreshToken, HOUR, 3650 * DAY);
  if (refresh * SECONDS[units.RefreshToken] < Math.max(access * SECONDS[units.AccessToken], id * SECONDS[units.IdToken])) {
    throw new InvalidParameterException('Invalid range for token validity: RefreshTokenValidity must be longer than AccessTokenValidity and IdTokenValidity.');
  }

  const flows = input.ExplicitAuthFlows ?? [];
  const legacy = flows.filter((f) => LEGACY_AUTH_FLOWS.has(f));
  if (legacy.length > 0 && legacy.length < flows.length) {
    throw new InvalidParameterException('ExplicitAuthFlows cannot mix legacy values (ADMIN_NO_SRP_AUTH, CUSTOM_AUTH_FLOW_ONLY, USER_PASSWORD_AUTH) with ALLOW_ values.');
  }

  checkOAuth(input, hasSecret);

  const callbackUrls = input.CallbackURLs ?? [];
  if (input.DefaultRedirectURI && !callbackUrls.includes(input.DefaultRedirectURI)) {
    throw new InvalidParameterException('DefaultRedirectURI must be one of the CallbackURLs.');
  }
  for (const url of [...callbackUrls, ...(input.LogoutURLs ?? [])]) checkRedirectUrl(url);

  const sessionValidity = input.AuthSessionValidity ?? 3;
  if (sessionValidity < 3 || sessionValidity > 15) {
    throw new InvalidParameterException('AuthSessionValidity must be between 3 and 15 minutes.');
  }

  return {
    RefreshTokenValidity: refresh,
    AccessTokenValidity: access,
    IdTokenValidity: id,
    TokenValidityUnits: units,
    ...(input.ReadAttributes && { ReadAttributes: input.ReadAttributes }),
    ...(input.WriteAttributes && { WriteAttributes: input.WriteAttributes }),
    ...(input.ExplicitAuthFlows && { ExplicitAuthFlows: input.ExplicitAuthFlows }),
    ...(input.SupportedIdentityProviders && { SupportedIdentityProviders: input.SupportedIdentityProviders }),
    ...(input.CallbackURLs && { CallbackURLs: input.CallbackURLs }),
    ...(input.LogoutURLs && { LogoutURLs: input.LogoutURLs }),
    ...(input.DefaultRedirectURI && { DefaultRedirectURI: input.DefaultRedirectURI }),
    ...(input.AllowedOAuthFlows && { AllowedOAuthFlows: input.AllowedOAuthFlows }),
    ...(input.AllowedOAuthScopes && { AllowedOAuthScopes: input.AllowedOAuthScopes }),
    AllowedOAuthFlowsUserPoolClient: input.AllowedOAuthFlowsUserPoolClient ?? false,
    ...(input.AnalyticsConfiguration && { AnalyticsConfiguration: input.AnalyticsConfiguration }),
    PreventUserExistenceErrors: input.PreventUserExistenceErrors ?? 'LEGACY',
    EnableTokenRevocation: input.EnableTokenRevocation ?? true,
    EnablePropagateAdditionalUserContextData: input.EnablePropagateAdditionalUserContextData ?? false,
    AuthSessionValidity: sessionValidity,
    ...(input.RefreshTokenRotation && { RefreshTokenRotation: input.RefreshTokenRotation }),
  };
}

function checkOAuth(input: ClientInput, hasSecret: boolean): void {
  const flows = input.AllowedOAuthFlows ?? [];
  const scopes = input.AllowedOAuthScopes ?? [];
  // A resource-server scope has a slash; whether it exists in the pool is checked with the pool's resource
  // servers (resource-servers.ts: requireScopesExist), so that these settings stay computable without them.
  for (const scope of scopes) {
    if (!STANDARD_SCOPES.has(scope) && !scope.includes('/')) throw new ScopeDoesNotExistException(`Invalid scope requested: ${scope}`);
  }
  if (input.AllowedOAuthFlowsUserPoolClient) {
    if (flows.length === 0) throw new InvalidOAuthFlowException('AllowedOAuthFlows is required when AllowedOAuthFlowsUserPoolClient is true.');
    if (scopes.length === 0) throw new InvalidOAuthFlowException('AllowedOAuthScopes is required when AllowedOAuthFlowsUserPoolClient is true.');
  }
  if (flows.includes('client_credentials')) {
    if (flows.length > 1) throw new InvalidOAuthFlowException('client_credentials flow can not be selected along with code flow or implicit flow.');
    if (!hasSecret) throw new InvalidOAuthFlowException('client_credentials flow can not be selected if client does not have a client secret.');
    if (scopes.some((s) => STANDARD_SCOPES.has(s))) {
      throw new InvalidOAuthFlowException('client_credentials flow can only be used with custom (resource server) scopes.');
    }
  }
  if ((flows.includes('code') || flows.includes('implicit')) && (input.CallbackURLs ?? []).length === 0 && input.AllowedOAuthFlowsUserPoolClient) {
    throw new InvalidParameterException('CallbackURLs are required for the code and implicit flows.');
  }
}

/**
 * Redirect URLs must be absolute, without a fragment, and use HTTPS — except http://localhost for
 * development and custom app schemes (myapp://callback), as Cognito allows.
 */
function checkRedirectUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidParameterException(`Invalid redirect URL: ${value}`);
  }
  // A bare `#` leaves url.hash empty: the text is what was asked for.
  if (url.hash || value.includes('#')) throw new InvalidParameterException(`A redirect URL must not contain a fragment: ${value}`);
  if (url.protocol === 'http:' && !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) {
    throw new InvalidParameterException(`A redirect URL must use HTTPS, except for http://localhost: ${value}`);
  }
}
