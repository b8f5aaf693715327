import type {
  CreateIdentityProviderRequest,
  CreateIdentityProviderResponse,
  DeleteIdentityProviderRequest,
  DescribeIdentityProviderRequest,
  DescribeIdentityProviderResponse,
  GetIdentityProviderByIdentifierRequest,
  GetIdentityProviderByIdentifierResponse,
  ListIdentityProvidersRequest,
  ListIdentityProvidersResponse,
  UpdateIdentityProviderRequest,
  UpdateIdentityProviderResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from '../../protocol/errors.js';
import { decodeNextToken, page } from '../../protocol/pagination.js';
import { DuplicateKeyError } from '../../storage/conflicts.js';
import { IdentifierTakenError, type StoredIdentityProvider } from '../../storage/identity-providers-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { DuplicateProviderException, UnsupportedIdentityProviderException } from '../../userpools/errors.js';
import { requirePool } from '../../userpools/pools.js';
import { schemaOf } from '../../userpools/users/attributes.js';
import {
  COGNITO_PROVIDER,
  identityProviderNotFound,
  openedDetails,
  requireIdentityProvider,
  requireIdpInitiationAlone,
  sealDetails,
  toIdentityProviderType,
  toProviderDescription,
} from '../identity-providers.js';
import { checkedDetails, DEFAULT_USERNAME_CLAIM, SOCIAL_TYPES, type ProviderType } from '../provider-details.js';

const MAX_PAGE = 60;
/** Cognito's quota: identity providers per user pool. */
const MAX_PROVIDERS_PER_POOL = 300;

/** A social provider is named for its type; and COGNITO is the pool's own directory, no provider's name. */
function checkName(name: string, type: string): void {
  if (SOCIAL_TYPES.includes(type) && name !== type) throw new InvalidParameterException(`Provider ${name} cannot be of type ${type}.`);
  if (name === COGNITO_PROVIDER) throw new InvalidParameterException(`${COGNITO_PROVIDER} is the user pool's own directory and cannot name an identity provider.`);
}

/**
 * Each key names an attribute of the pool (or `username`: the IdP claim that becomes the user's name), never
 * `sub`, the pool's own id for the user. A mapping without `username` gets the provider type's default.
 */
function checkedMapping(pool: StoredUserPool, type: string, mapping: Record<string, string> | undefined): Record<string, string> {
  const schema = schemaOf(pool);
  for (const key of Object.keys(mapping ?? {})) {
    if (key === 'sub') throw new InvalidParameterException('sub cannot be mapped: it is the user pool\'s own identifier of the user.');
    if (key !== 'username' && !schema.has(key)) throw new InvalidParameterException(`The attribute ${key} in AttributeMapping does not exist in user pool ${pool.id}.`);
  }
  const username = DEFAULT_USERNAME_CLAIM[type];
  return { ...(username && { username }), ...mapping };
}

function checkedIdentifiers(identifiers: string[] | undefined): string[] {
  const list = identifiers ?? [];
  const repeated = list.find((identifier, i) => list.indexOf(identifier) !== i);
  if (repeated !== undefined) throw new InvalidParameterException(`IdpIdentifiers names ${repeated} more than once.`);
  return list;
}

/** A name or an identifier already taken in the pool is Cognito's DuplicateProviderException. */
async function written<T>(provider: StoredIdentityProvider, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof IdentifierTakenError) throw new DuplicateProviderException(`Identifier ${error.identifier} is already used by another provider of user pool ${provider.poolId}.`);
    if (error instanceof DuplicateKeyError) throw duplicateName(provider.poolId, provider.providerName);
    throw error;
  }
}

const duplicateName = (poolId: string, name: string) => new DuplicateProviderException(`${name} already exists in user pool ${poolId}`);

/** COGNITO is not a provider that can be changed or removed. */
function refuseCognito(name: string): void {
  if (name === COGNITO_PROVIDER) throw new UnsupportedIdentityProviderException(`${COGNITO_PROVIDER} is the user pool's own directory, not an identity provider.`);
}

export async function createIdentityProvider(ctx: RequestContext, input: CreateIdentityProviderRequest): Promise<CreateIdentityProviderResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const name = input.ProviderName!;
  const type = input.ProviderType! as ProviderType;
  checkName(name, type);
  // Checked before the details, whose discovery may take a round trip; the insert is what guarantees it.
  if (await ctx.repos.identityProviders.get(pool.id, name)) throw duplicateName(pool.id, name);
  if ((await ctx.repos.identityProviders.count(pool.id)) >= MAX_PROVIDERS_PER_POOL) {
    throw new LimitExceededException(`A user pool can have at most ${MAX_PROVIDERS_PER_POOL} identity providers.`);
  }
  const attributeMapping = checkedMapping(pool, type, input.AttributeMapping);
  const idpIdentifiers = checkedIdentifiers(input.IdpIdentifiers);
  const details = await checkedDetails(type, input.ProviderDetails!, ctx.now());
  const now = ctx.now();
  const provider: StoredIdentityProvider = {
    poolId: pool.id,
    providerName: name,
    providerType: type,
    details: sealDetails(ctx, pool.id, name, details),
    attributeMapping,
    idpIdentifiers,
    createdAt: now,
    updatedAt: now,
  };
  await requireIdpInitiationAlone(ctx, provider);
  await written(provider, ctx.repos.identityProviders.insert(provider));
  return { IdentityProvider: toIdentityProviderType(ctx, provider) };
}

export async function describeIdentityProvider(ctx: RequestContext, input: DescribeIdentityProviderRequest): Promise<DescribeIdentityProviderResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { IdentityProvider: toIdentityProviderType(ctx, await requireIdentityProvider(ctx, pool.id, input.ProviderName!)) };
}

export async function getIdentityProviderByIdentifier(ctx: RequestContext, input: GetIdentityProviderByIdentifierRequest): Promise<GetIdentityProviderByIdentifierResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const provider = await ctx.repos.identityProviders.findByIdentifier(pool.id, input.IdpIdentifier!);
  if (!provider) throw new ResourceNotFoundException(`No identity provider of user pool ${pool.id} has the identifier ${input.IdpIdentifier}.`);
  return { IdentityProvider: toIdentityProviderType(ctx, provider) };
}

export async function listIdentityProviders(ctx: RequestContext, input: ListIdentityProvidersRequest): Promise<ListIdentityProvidersResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  // The model allows 0, which would be a page that can never move on: taken as "the most there may be".
  const limit = input.MaxResults || MAX_PAGE;
  const listing = `ListIdentityProviders:${pool.id}`;
  const rows = await ctx.repos.identityProviders.list(pool.id, { limit: limit + 1, afterName: decodeNextToken(listing, input.NextToken, ctx.requestId) });
  const { items, nextToken } = page(rows, limit, (p) => p.providerName, listing);
  return { Providers: items.map(toProviderDescription), ...(nextToken && { NextToken: nextToken }) };
}

/**
 * ProviderDetails, AttributeMapping and IdpIdentifiers each replace the provider's when given (details
 * checked and discovered as on creation; a secret left out is kept); the type never changes.
 */
export async function updateIdentityProvider(ctx: RequestContext, input: UpdateIdentityProviderRequest): Promise<UpdateIdentityProviderResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  refuseCognito(input.ProviderName!);
  const current = await requireIdentityProvider(ctx, pool.id, input.ProviderName!);
  const type = current.providerType as ProviderType;
  const attributeMapping = input.AttributeMapping ? checkedMapping(pool, type, input.AttributeMapping) : current.attributeMapping;
  const idpIdentifiers = input.IdpIdentifiers ? checkedIdentifiers(input.IdpIdentifiers) : current.idpIdentifiers;
  const details = input.ProviderDetails
    ? sealDetails(ctx, pool.id, current.providerName, await checkedDetails(type, input.ProviderDetails, ctx.now(), openedDetails(ctx, current)))
    : current.details;
  const provider: StoredIdentityProvider = { ...current, details, attributeMapping, idpIdentifiers, updatedAt: ctx.now() };
  if (current.details.IDPInit !== 'true') await requireIdpInitiationAlone(ctx, provider);
  if (!(await written(provider, ctx.repos.identityProviders.replace(provider)))) throw identityProviderNotFound(pool.id, provider.providerName);
  return { IdentityProvider: toIdentityProviderType(ctx, provider) };
}

export async function deleteIdentityProvider(ctx: RequestContext, input: DeleteIdentityProviderRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  refuseCognito(input.ProviderName!);
  if (!(await ctx.repos.identityProviders.delete(pool.id, input.ProviderName!))) throw identityProviderNotFound(pool.id, input.ProviderName!);
  return {};
}
