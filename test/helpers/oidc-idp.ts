import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type ClientMetadata } from 'oidc-provider';
import { FormBrowser, location } from './form-browser.js';

/**
 * An external OpenID Connect provider on loopback, for federation tests: panva's oidc-provider (a certified
 * OpenID Provider), with one confidential client (Gatehouse) and its development sign-in pages, which take
 * any name and password: the name becomes the account id, and the account's claims are `claimsOf(name)`.
 */
export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claims by account id; an account not here gets a sub and an email made from its name. */
  accounts: Map<string, Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * `redirectUris` may be a function, read at the provider's first request: for a Gatehouse whose config must
 * name the provider's address before the pool (and so the redirect URI) exists.
 */
export async function startOidcIdp(redirectUris: string[] | (() => string[]), client: Partial<ClientMetadata> = {}): Promise<TestIdp> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const accounts = new Map<string, Record<string, unknown>>();
  const claimsOf = (id: string) => accounts.get(id) ?? { sub: id, email: `${id}@idp.example`, email_verified: true };
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clientId = 'gatehouse-pool';
  const clientSecret = 'a-secret-the-idp-gave-gatehouse';
  const createProvider = () =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: typeof redirectUris === 'function' ? redirectUris() : redirectUris,
          token_endpoint_auth_method: 'client_secret_post',
          ...client,
        },
      ],
      jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'idp-signing-key', use: 'sig', alg: 'RS256' }] },
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'given_name', 'family_name', 'locale'] },
      findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ ...claimsOf(id), sub: id }) }),
      cookies: { keys: ['idp-cookie-signing-key'] },
      features: { devInteractions: { enabled: true } },
    });
  let handle: ReturnType<Provider['callback']> | undefined;
  http.on('request', (request, response) => {
    handle ??= createProvider().callback();
    return handle(request, response);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

/** The action of the provider's development sign-in and consent forms. */
function formAction(html: string, base: string): URL {
  const action = /<form[^>]* action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no form in the provider's page:\n${html.slice(0, 1000)}`);
  return new URL(action.replace(/&amp;/g, '&'), base);
}

/**
 * Walks the provider's pages from its authorization URL, as a person would: the sign-in form (any
 * password), the consent form, until the provider redirects somewhere that is not its own.
 */
export async function signInAtIdp(browser: FormBrowser, idp: TestIdp, authorizationUrl: URL, account: string): Promise<URL> {
  let next = authorizationUrl;
  for (let step = 0; step < 10; step++) {
    if (next.origin !== idp.issuer) return next;
    const response = await browser.get(next);
    if (response.status >= 300 && response.status < 400) {
      next = location(response, next.href);
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) throw new Error(`the provider answered ${response.status}: ${html.slice(0, 500)}`);
    const action = formAction(html, next.href);
    const form: Record<string, string> = html.includes('name="login"') ? { prompt: 'login', login: account, password: 'anything' } : { prompt: 'consent' };
    const posted = await browser.post(action, form);
    next = location(posted, action.href);
  }
  throw new Error('the provider never sent the browser back');
}
