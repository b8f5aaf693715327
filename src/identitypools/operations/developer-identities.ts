import type {
  GetOpenIdTokenForDeveloperIdentityInput,
  GetOpenIdTokenForDeveloperIdentityResponse,
  LookupDeveloperIdentityInput,
  LookupDeveloperIdentityResponse,
  MergeDeveloperIdentitiesInput,
  MergeDeveloperIdentitiesResponse,
  UnlinkDeveloperIdentityInput,
} from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredIdentityPool } from '../../storage/identity-pools-repository.js';
import { DeveloperUserAlreadyRegisteredException, ResourceConflictException } from '../errors.js';
import { requireIdentity, resolveIdentity } from '../identities.js';
import { requireIdentityPool } from '../identity-pools.js';
import { DEVELOPER_LOGIN_KEY, verifyLogins } from '../logins.js';
import { issueOpenIdToken } from '../openid-token.js';

/** GetOpenIdTokenForDeveloperIdentity's default token lifetime (15 minutes). */
const DEFAULT_TOKEN_SECONDS = 900;

function developerProvider(pool: StoredIdentityPool, name?: string): string {
  const configured = pool.settings.pool.DeveloperProviderName;
  if (!configured || (name !== undefined && name !== configured)) {
    throw new InvalidParameterException(`Developer provider ${name ?? ''} is not configured for identity pool ${pool.id}.`);
  }
  return configured;
}

/**
 * The developer's backend vouches for one of its users (signed call): the user's identity is found or
 * created, other logins given beside it are linked too, and an OpenID token for it is returned.
 */
export async function getOpenIdTokenForDeveloperIdentity(
  ctx: RequestContext,
  input: GetOpenIdTokenForDeveloperIdentityInput,
): Promise<GetOpenIdTokenForDeveloperIdentityResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const provider = developerProvider(pool);
  const { [provider]: userIdentifier, ...others } = input.Logins!;
  if (!userIdentifier) throw new InvalidParameterException(`Logins must contain the developer provider ${provider}.`);
  const developerLogin = { provider, subject: userIdentifier };
  const linkedTo = await ctx.repos.identities.findByLogin(pool.id, developerLogin);
  if (input.IdentityId) {
    await requireIdentity(ctx, input.IdentityId, pool.id);
    if (linkedTo && linkedTo !== input.IdentityId) {
      throw new DeveloperUserAlreadyRegisteredException(`Developer user ${userIdentifier} is already linked to another identity.`);
    }
  }
  const verified = await verifyLogins(ctx, pool, others);
  const amr = [`authenticated`, DEVELOPER_LOGIN_KEY, `${DEVELOPER_LOGIN_KEY}:${pool.id}:${provider}:${userIdentifier}`];
  const identityId = await resolveIdentity(ctx, pool, [...verified, { ...developerLogin, amr, claims: {} }], input.IdentityId ?? linkedTo);
  const Token = await issueOpenIdToken(ctx, {
    identityId,
    identityPoolId: pool.id,
    amr,
    seconds: input.TokenDuration ?? DEFAULT_TOKEN_SECONDS,
    ...(input.PrincipalTags && { extra: { 'https://aws.amazon.com/tags': { principal_tags: input.PrincipalTags } } }),
  });
  return { IdentityId: identityId, Token };
}

export async function lookupDeveloperIdentity(ctx: RequestContext, input: LookupDeveloperIdentityInput): Promise<LookupDeveloperIdentityResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const provider = developerProvider(pool);
  const linked = input.DeveloperUserIdentifier === undefined ? undefined : await ctx.repos.identities.findByLogin(pool.id, { provider, subject: input.DeveloperUserIdentifier });
  // Both given: they must name the same identity, as Cognito checks them against each other.
  if (input.IdentityId !== undefined && input.DeveloperUserIdentifier !== undefined && linked !== input.IdentityId) {
    throw new ResourceConflictException(`The developer user ${input.DeveloperUserIdentifier} is not linked to identity ${input.IdentityId}.`);
  }
  const identityId = input.IdentityId ?? linked;
  if (!identityId) throw new ResourceNotFoundException('No identity found for the developer user.');
  await requireIdentity(ctx, identityId, pool.id);
  return { IdentityId: identityId, DeveloperUserIdentifierList: await ctx.repos.identities.loginsOf(pool.id, identityId, provider) };
}

/** Merges the source user's identity into the destination user's. */
export async function mergeDeveloperIdentities(ctx: RequestContext, input: MergeDeveloperIdentitiesInput): Promise<MergeDeveloperIdentitiesResponse> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const provider = developerProvider(pool, input.DeveloperProviderName);
  const source = await ctx.repos.identities.findByLogin(pool.id, { provider, subject: input.SourceUserIdentifier! });
  const destination = await ctx.repos.identities.findByLogin(pool.id, { provider, subject: input.DestinationUserIdentifier! });
  if (!source || !destination) throw new ResourceNotFoundException('Both developer users must have identities to merge.');
  if (source !== destination) await ctx.repos.identities.merge(pool.id, source, destination, ctx.now());
  return { IdentityId: destination };
}

export async function unlinkDeveloperIdentity(ctx: RequestContext, input: UnlinkDeveloperIdentityInput): Promise<Record<string, never>> {
  const pool = await requireIdentityPool(ctx, input.IdentityPoolId!);
  const provider = developerProvider(pool, input.DeveloperProviderName);
  await requireIdentity(ctx, input.IdentityId!, pool.id);
  await ctx.repos.identities.unlink(pool.id, input.IdentityId!, { provider, subject: input.DeveloperUserIdentifier! }, ctx.now());
  return {};
}
