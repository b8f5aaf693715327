import type { StoredIdentityProvider } from '../storage/identity-providers-repository.js';
import type { StoredUser } from '../storage/users-repository.js';

/** One entry of a user's `identities` attribute (and ID token claim), as Cognito writes it: strings throughout. */
export interface Identity {
  userId: string;
  providerName: string;
  providerType: string;
  issuer: null;
  primary: 'true' | 'false';
  dateCreated: string;
}

/** The provider's user `userId`: primary for the user the provider brought, not for one linked to a directory user. */
export function identityOf(provider: StoredIdentityProvider, userId: string, primary: boolean, now: Date): Identity {
  return {
    userId,
    providerName: provider.providerName,
    providerType: provider.providerType,
    issuer: null,
    primary: primary ? 'true' : 'false',
    dateCreated: String(now.getTime()),
  };
}

export function identitiesOf(user: StoredUser): Identity[] {
  try {
    const identities: unknown = JSON.parse(user.attributes.identities ?? '[]');
    return Array.isArray(identities) ? (identities as Identity[]) : [];
  } catch {
    return [];
  }
}

/** The providers a user signs in through. */
export function identityProviderNames(user: StoredUser): string[] {
  return identitiesOf(user).map((identity) => String(identity.providerName));
}

const sameIdentity = (a: Pick<Identity, 'providerName' | 'userId'>, b: Pick<Identity, 'providerName' | 'userId'>) =>
  a.providerName === b.providerName && a.userId === b.userId;

/** The user's attributes with this identity among its `identities` (once), or without it. */
export function withIdentity(user: StoredUser, identity: Identity): Record<string, string> {
  const others = identitiesOf(user).filter((i) => !sameIdentity(i, identity));
  return { ...user.attributes, identities: JSON.stringify([...others, identity]) };
}

export function withoutIdentity(user: StoredUser, identity: Pick<Identity, 'providerName' | 'userId'>): Record<string, string> {
  const rest = identitiesOf(user).filter((i) => !sameIdentity(i, identity));
  const { identities: _gone, ...attributes } = user.attributes;
  return rest.length > 0 ? { ...attributes, identities: JSON.stringify(rest) } : attributes;
}
