import type { FastifyReply, FastifyRequest } from 'fastify';
import { COGNITO_PROVIDER } from '../federation/identity-providers.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { allowsOneTimePasswords } from '../userpools/auth/choice-sign-in.js';
import type { AuthorizationRequest } from './authorization-request.js';
import type { HostedPool } from './hosted-pool.js';
import { field, pageUrl, sendFormPage } from './page-response.js';
import type { FormState } from './pages/fields.js';
import { signInPage, type ProviderChoice } from './pages/templates.js';
import { Params } from './params.js';

/** The API's answer when a client address makes too many credential checks (server.ts, TooManyRequestsException). */
export const TOO_MANY_REQUESTS = 'Too many requests from this address. Slow down and try again.';

/** Confirmations a page may show after a redirect: fixed texts, chosen by key, never text from the URL. */
const NOTICES: Record<string, string> = {
  confirmed: 'Your account is confirmed. Sign in to continue.',
  'password-changed': 'Your password has been changed. Sign in with the new one.',
  'reset-required': 'Your password must be reset. We sent you a code to choose a new one.',
};

export function notice(request: FastifyRequest): string | undefined {
  const key = field(Params.ofQuery(request), 'notice');
  return Object.hasOwn(NOTICES, key) ? NOTICES[key] : undefined;
}

/** What the pool calls a user's sign-in name. */
export function usernameLabel(pool: StoredUserPool): string {
  const attributes = pool.settings.userPool.UsernameAttributes ?? [];
  if (attributes.includes('email') && attributes.includes('phone_number')) return 'Email or phone number';
  if (attributes.includes('email')) return 'Email';
  if (attributes.includes('phone_number')) return 'Phone number';
  return 'Username';
}

/** An attribute's name as a label: `given_name` → Given name, `custom:team` → Team. */
export function attributeLabel(name: string): string {
  const plain = name.replace(/^custom:/, '').replace(/_/g, ' ');
  return plain.charAt(0).toUpperCase() + plain.slice(1);
}

/** How the page names the social providers whose names (their types') are not the brand a person knows. */
const BRANDS: Partial<Record<string, string>> = { LoginWithAmazon: 'Amazon', SignInWithApple: 'Apple' };

/** The client's external providers, each a link to /oauth2/authorize with the request and that provider. */
function providerChoices(hosted: HostedPool, auth: AuthorizationRequest): ProviderChoice[] {
  return (auth.client.settings.SupportedIdentityProviders ?? [])
    .filter((name) => name !== COGNITO_PROVIDER)
    .map((name) => ({ name: BRANDS[name] ?? name, href: pageUrl(hosted, '/oauth2/authorize', auth.query, { identity_provider: name }) }));
}

/**
 * The sign-in page: the client's external providers, and, where it lets users sign in with the pool's
 * own directory, the form, with links to sign up (unless only administrators create users) and to reset a
 * password, and the offer of a one-time code where the pool's SignInPolicy allows one.
 */
export function showSignIn(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, extra: Partial<FormState>, status = 200) {
  const signUpAllowed = !hosted.pool.settings.userPool.AdminCreateUserConfig?.AllowAdminCreateUserOnly;
  const directory = auth.directory
    ? {
        links: {
          forgotPassword: pageUrl(hosted, '/forgotPassword', auth.query),
          ...(signUpAllowed && { signUp: pageUrl(hosted, '/signup', auth.query) }),
        },
        usernameLabel: usernameLabel(hosted.pool),
        codeSignIn: allowsOneTimePasswords(hosted.pool),
      }
    : undefined;
  const providers = providerChoices(hosted, auth);
  return sendFormPage(hosted, request, reply, auth, { path: '/login', extra, status }, (state) => signInPage(state, providers, directory));
}
