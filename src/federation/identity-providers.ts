import type { IdentityProviderType, ProviderDescription } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import { SECRET_DETAILS, UNDISCLOSED_DETAILS } from './provider-details.js';

/** The pool's own directory, as app clients and the authorize endpoint name it: never a provider of the pool. */
export const COGNITO_PROVIDER = 'COGNITO';

/** The associated data that ties a sealed detail to its provider and key, so it cannot be moved to another. */
const secretContext = (poolId: string, providerName: string, key: string) => `identity-provider:${poolId}:${providerName}:${key}`;

/** The details as stored: each secret sealed with the secrets key. */
export function sealDetails(ctx: ServiceContext, poolId: string, providerName: string, details: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(details).map(([key, value]) => [key, SECRET_DETAILS.includes(key) ? ctx.secrets.encrypt(value, secretContext(poolId, providerName, key)) : value]),
  );
}

/** The provider's details with its secrets opened: what the sign-in flow sends to the provider. */
export function openedDetails(ctx: ServiceContext, provider: StoredIdentityProvider): Record<string, string> {
  return Object.fromEntries(
    Object.entries(provider.details).map(([key, value]) => [
      key,
      SECRET_DETAILS.includes(key) ? ctx.secrets.decrypt(value, secretContext(provider.poolId, provider.providerName, key), { remember: true }) : value,
    ]),
  );
}

/** As Describe answers: the client secret in the clear, as Cognito's Describe shows it, but never Apple's private key. */
export function toIdentityProviderType(ctx: ServiceContext, provider: StoredIdentityProvider): IdentityProviderType {
  const details = openedDetails(ctx, provider);
  for (const key of UNDISCLOSED_DETAILS) delete details[key];
  return {
    UserPoolId: provider.poolId,
    ProviderName: provider.providerName,
    ProviderType: provider.providerType as IdentityProviderType['ProviderType'],
    ProviderDetails: details,
    AttributeMapping: provider.attributeMapping,
    IdpIdentifiers: provider.idpIdentifiers,
    LastModifiedDate: provider.updatedAt,
    CreationDate: provider.createdAt,
  };
}

/** Names a provider as it stands now: what is cached from it (its keys, its metadata) is dropped when it is updated. */
export function providerVersion(provider: StoredIdentityProvider): string {
  return `${provider.poolId}\u0000${provider.providerName}\u0000${provider.updatedAt.getTime()}`;
}

export function toProviderDescription(provider: StoredIdentityProvider): ProviderDescription {
  return {
    ProviderName: provider.providerName,
    ProviderType: provider.providerType as ProviderDescription['ProviderType'],
    LastModifiedDate: provider.updatedAt,
    CreationDate: provider.createdAt,
  };
}

export function identityProviderNotFound(poolId: string, providerName: string): ResourceNotFoundException {
  return new ResourceNotFoundException(`Identity provider ${providerName} does not exist in user pool ${poolId}.`);
}

export async function requireIdentityProvider(ctx: ServiceContext, poolId: string, providerName: string): Promise<StoredIdentityProvider> {
  const provider = await ctx.repos.identityProviders.get(poolId, providerName);
  if (!provider) throw identityProviderNotFound(poolId, providerName);
  return provider;
}

/** Reads the pool's provider of a name once however often it is asked for; undefined when there is none. */
type ProviderReader = (name: string) => Promise<StoredIdentityProvider | undefined>;

function providerReader(ctx: ServiceContext, poolId: string, about?: StoredIdentityProvider): ProviderReader {
  const read = new Map<string, Promise<StoredIdentityProvider | undefined>>(about && [[about.providerName, Promise.resolve(about)]]);
  return (name) => {
    let provider = read.get(name);
    if (!provider) read.set(name, (provider = ctx.repos.identityProviders.get(poolId, name)));
    return provider;
  };
}

/**
 * Why these SupportedIdentityProviders cannot be together, if they cannot: a SAML provider that allows
 * IdP-initiated sign-in (IDPInit) beside COGNITO or a provider of another type. Cognito forbids it, since an
 * unsolicited assertion cannot be tied to a browser, and those other sign-ins would share its sessions.
 * `read` reads the providers named; a reader that knows a provider as it is about to be stored answers for it.
 */
export async function idpInitiationRefusal(ctx: ServiceContext, poolId: string, names: readonly string[], read = providerReader(ctx, poolId)): Promise<string | undefined> {
  const providers = await Promise.all(names.filter((name) => name !== COGNITO_PROVIDER).map(read));
  const initiating = providers.find((p) => p?.providerType === 'SAML' && p.details.IDPInit === 'true');
  if (!initiating) return undefined;
  const other = names.includes(COGNITO_PROVIDER) ? COGNITO_PROVIDER : providers.find((p) => p && p.providerType !== 'SAML')?.providerName;
  if (other === undefined) return undefined;
  return `The SAML provider ${initiating.providerName} allows IdP-initiated sign-in, so an app client that supports it may support only SAML providers, not ${other}.`;
}

/**
 * An app client's SupportedIdentityProviders may name COGNITO and the pool's providers, nothing else
 * (CreateUserPoolClient, UpdateUserPoolClient), in Cognito's words, and no IdP-initiated SAML provider
 * beside another kind (idpInitiationRefusal); each is read once. Returns them. (A provider deleted later
 * stays on the client, as a deleted scope does; the sign-in flow is what refuses it.)
 */
export async function requireProvidersExist(ctx: ServiceContext, poolId: string, names: readonly string[] | undefined): Promise<StoredIdentityProvider[]> {
  const read = providerReader(ctx, poolId);
  const providers: StoredIdentityProvider[] = [];
  for (const name of names ?? []) {
    if (name === COGNITO_PROVIDER) continue;
    const provider = await read(name);
    if (!provider) throw new InvalidParameterException(`The provider ${name} does not exist for User Pool ${poolId}`);
    providers.push(provider);
  }
  const refusal = await idpInitiationRefusal(ctx, poolId, names ?? [], read);
  if (refusal) throw new InvalidParameterException(refusal);
  return providers;
}

/** Clients of the pool read a page at a time, for a check that must see them all. */
const CLIENTS_PAGE = 100;

/**
 * CreateIdentityProvider or UpdateIdentityProvider storing a SAML provider with IDPInit on: refused while an
 * app client lists its name beside COGNITO or a provider of another kind, as such a client is refused
 * (requireProvidersExist). On create too: a deleted provider's name stays on the clients that listed it.
 */
export async function requireIdpInitiationAlone(ctx: ServiceContext, provider: StoredIdentityProvider): Promise<void> {
  if (provider.providerType !== 'SAML' || provider.details.IDPInit !== 'true') return;
  const read = providerReader(ctx, provider.poolId, provider);
  let after: string | undefined;
  for (;;) {
    const clients = await ctx.repos.appClients.list(provider.poolId, CLIENTS_PAGE, after);
    for (const client of clients) {
      const names = client.settings.SupportedIdentityProviders ?? [];
      if (!names.includes(provider.providerName)) continue;
      const refusal = await idpInitiationRefusal(ctx, provider.poolId, names, read);
      if (refusal) throw new InvalidParameterException(`${refusal} App client ${client.clientId} supports it that way.`);
    }
    if (clients.length < CLIENTS_PAGE) return;
    after = clients[clients.length - 1]!.clientId;
  }
}
