import { createHash, randomBytes } from 'node:crypto';
import type { CreateUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { SignInFixture } from './auth-fixture.js';
import { expectStatus, type HttpAnswer, type HttpClient } from './http-client.js';

/** The bench app's callback: never called, the code is read from the redirect to it. */
export const CALLBACK = 'http://localhost:3000/callback';
const SCOPE = 'openid email';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The app client settings of a public single-page app using the hosted UI (code flow, so PKCE is required). */
export const HOSTED_UI_CLIENT: Partial<CreateUserPoolClientRequest> = {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: SCOPE.split(' '),
  CallbackURLs: [CALLBACK],
  SupportedIdentityProviders: ['COGNITO'],
};

function redirectTarget(answer: HttpAnswer): URL {
  const location = answer.headers.location;
  if (!location) throw new Error(`expected a redirect, got ${answer.status}`);
  return new URL(location, 'http://gatehouse.invalid');
}

/** The cookies a response sets, as a Cookie header (attributes dropped). */
function cookieHeader(answer: HttpAnswer): string {
  return (answer.headers['set-cookie'] ?? []).map((line) => line.split(';', 1)[0]).join('; ');
}

const decodeEntities = (text: string) => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The sign-in page's form: where it posts and its hidden fields (the CSRF token). */
function readForm(html: string): { action: string; hidden: Record<string, string> } {
  const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error(`no form in the sign-in page:\n${html.slice(0, 1000)}`);
  const hidden: Record<string, string> = {};
  for (const input of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) hidden[input[1]] = decodeEntities(input[2]);
  return { action: decodeEntities(form[1]), hidden };
}

/**
 * One authorization-code sign-in as a browser new to the pool makes it (no session cookie, so the form is
 * shown), then the app's code exchange: GET /oauth2/authorize (302 to /login), GET /login (the form and
 * its CSRF cookie), POST /login with the credentials (302 to the callback with ?code=), POST /oauth2/token
 * with the code and its PKCE verifier. Every step's status is checked; the tokens must include an ID token.
 */
export async function authorizationCodeSignIn(http: HttpClient, f: SignInFixture): Promise<void> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const authorize = new URLSearchParams({
    response_type: 'code',
    client_id: f.clientId,
    redirect_uri: CALLBACK,
    scope: SCOPE,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const toLogin = redirectTarget(expectStatus(await http.send('GET', `/${f.poolId}/oauth2/authorize?${authorize}`), 302, 'GET /oauth2/authorize'));
  const page = expectStatus(await http.send('GET', toLogin.pathname + toLogin.search), 200, 'GET /login');
  const { action, hidden } = readForm(page.text);
  const credentials = new URLSearchParams({ ...hidden, username: f.username, password: f.password });
  const signedIn = await http.send('POST', action, { ...FORM, cookie: cookieHeader(page) }, credentials.toString());
  const callback = redirectTarget(expectStatus(signedIn, 302, 'POST /login'));
  const code = callback.searchParams.get('code');
  if (callback.origin + callback.pathname !== CALLBACK || callback.searchParams.get('state') !== state || !code) {
    throw new Error(`the sign-in did not redirect to the callback with a code and the state: ${callback.href}`);
  }
  const exchange = new URLSearchParams({ grant_type: 'authorization_code', client_id: f.clientId, code, redirect_uri: CALLBACK, code_verifier: verifier });
  const tokens = expectStatus(await http.send('POST', `/${f.poolId}/oauth2/token`, FORM, exchange.toString()), 200, 'POST /oauth2/token');
  const { id_token, refresh_token } = JSON.parse(tokens.text) as { id_token?: string; refresh_token?: string };
  if (!id_token || !refresh_token) throw new Error(`the code exchange gave no ID or refresh token: ${tokens.text.slice(0, 300)}`);
}
