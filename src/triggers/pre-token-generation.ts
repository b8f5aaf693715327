import type { ServiceContext } from '../context.js';
import type { SignIn } from '../userpools/auth/tokens.js';
import { InvalidLambdaResponseException } from '../userpools/errors.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { eventAttributes, isRecord, runTrigger, triggerArn, type TriggerCall } from './triggers.js';

/** What the tokens are for, as the event's triggerSource says: TokenGeneration_<source>. */
export type TokenSource = 'Authentication' | 'RefreshTokens' | 'HostedAuth' | 'NewPasswordChallenge' | 'AuthenticateDevice' | 'ClientCredentials';

/**
 * Claims no function may add, change or suppress: Cognito's list for both tokens, and what else makes the
 * access token what it is (its client, scopes, username, device). Groups change through groupOverrideDetails.
 */
const PROTECTED = new Set([
  'acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities', 'iss', 'jti', 'nbf',
  'nonce', 'origin_jti', 'sub', 'token_use', 'event_id', 'client_id', 'scope', 'username', 'device_key', 'version',
  'cognito:groups', 'cognito:roles', 'cognito:preferred_role',
]);

/** Changes to one token's claims. */
interface ClaimChanges {
  add: Record<string, unknown>;
  suppress: string[];
}

/** What the pool's pre token generation function asked of a sign-in's tokens. */
export interface TokenCustomisation {
  /** The group claims both tokens carry instead of the user's own groups. */
  groups: Record<string, unknown>;
  idToken(claims: Record<string, unknown>): Record<string, unknown>;
  accessToken(claims: Record<string, unknown>): Record<string, unknown>;
  scopes(scopes: string[]): string[];
}

const VERSIONS: Record<string, string> = { V1_0: '1', V2_0: '2', V3_0: '3' };

/**
 * Runs the pool's pre token generation function, if it has one, before a sign-in's tokens are signed. A
 * V1_0 function changes the ID token's claims and the groups; V2_0 and V3_0 ones the access token's
 * claims and scopes as well. Without a function, nothing to wait for: tokens are on hot paths.
 */
export function preTokenGeneration(ctx: ServiceContext, signIn: SignIn, groups: Record<string, unknown>, source: TokenSource): Promise<TokenCustomisation> | undefined {
  const { pool, client, user } = signIn;
  const arn = triggerArn(pool, 'PreTokenGeneration');
  if (!arn) return undefined;
  const version = VERSIONS[pool.settings.userPool.LambdaConfig?.PreTokenGenerationConfig?.LambdaVersion ?? 'V1_0'] ?? '1';
  return customise(ctx, pool, arn, version, groups, {
    source: `TokenGeneration_${source}`,
    userName: user.username,
    clientId: client.clientId,
    version,
    request: {
      userAttributes: eventAttributes(user),
      groupConfiguration: {
        groupsToOverride: groups['cognito:groups'] ?? [],
        iamRolesToOverride: groups['cognito:roles'] ?? [],
        preferredRole: groups['cognito:preferred_role'] ?? null,
      },
      ...(version !== '1' && { scopes: signIn.scopes ?? ['aws.cognito.signin.user.admin'] }),
    },
  });
}

/**
 * The same for a client_credentials token, which only a V3_0 function hears of (Cognito's machine-to-machine
 * event): there is no user, and only the access token's claims and scopes can change.
 */
export function preTokenGenerationForClient(ctx: ServiceContext, pool: StoredUserPool, client: StoredAppClient, scopes: string[]): Promise<TokenCustomisation> | undefined {
  const config = pool.settings.userPool.LambdaConfig?.PreTokenGenerationConfig;
  if (config?.LambdaVersion !== 'V3_0' || !config.LambdaArn) return undefined;
  return customise(ctx, pool, config.LambdaArn, '3', {}, {
    source: 'TokenGeneration_ClientCredentials',
    userName: null,
    clientId: client.clientId,
    version: '3',
    request: { userAttributes: {}, groupConfiguration: null, scopes },
  });
}

async function customise(ctx: ServiceContext, pool: StoredUserPool, arn: string, version: string, groups: Record<string, unknown>, call: TriggerCall): Promise<TokenCustomisation> {
  const response = await runTrigger(ctx, pool, 'PreTokenGeneration', arn, call);
  const details = optionalRecord(version === '1' ? response.claimsOverrideDetails : response.claimsAndScopeOverrideDetails);
  const idChanges = claimChanges(version === '1' ? details : optionalRecord(details.idTokenGeneration));
  const access = version === '1' ? {} : optionalRecord(details.accessTokenGeneration);
  const accessChanges = claimChanges(access);
  const scopesToAdd = strings(access.scopesToAdd);
  const scopesToSuppress = new Set(strings(access.scopesToSuppress));
  return {
    groups: groupOverride(groups, details.groupOverrideDetails),
    idToken: (claims) => applyChanges(claims, idChanges),
    accessToken: (claims) => applyChanges(claims, accessChanges),
    scopes: (granted) => [...new Set([...granted.filter((scope) => !scopesToSuppress.has(scope)), ...scopesToAdd])],
  };
}

function applyChanges(claims: Record<string, unknown>, changes: ClaimChanges): Record<string, unknown> {
  const out = { ...claims };
  for (const name of changes.suppress) if (!PROTECTED.has(name)) delete out[name];
  for (const [name, value] of Object.entries(changes.add)) if (!PROTECTED.has(name)) out[name] = value;
  return out;
}

/** groupOverrideDetails: each list given replaces the user's own (an empty one removes the claim). */
function groupOverride(groups: Record<string, unknown>, override: unknown): Record<string, unknown> {
  if (override === undefined || override === null) return groups;
  const details = optionalRecord(override);
  const out = { ...groups };
  const replace = (claim: string, value: unknown) => {
    if (value === undefined || value === null) return;
    const list = strings(value);
    if (list.length > 0) out[claim] = list;
    else delete out[claim];
  };
  replace('cognito:groups', details.groupsToOverride);
  replace('cognito:roles', details.iamRolesToOverride);
  if (typeof details.preferredRole === 'string') out['cognito:preferred_role'] = details.preferredRole;
  else if (details.preferredRole !== undefined && details.preferredRole !== null) throw unrecognizable();
  return out;
}

function claimChanges(details: Record<string, unknown>): ClaimChanges {
  return { add: optionalRecord(details.claimsToAddOrOverride), suppress: strings(details.claimsToSuppress) };
}

const unrecognizable = () => new InvalidLambdaResponseException('Unrecognizable lambda output');

function optionalRecord(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw unrecognizable();
  return value;
}

function strings(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw unrecognizable();
  return value;
}
