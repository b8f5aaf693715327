import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { appleKey } from './helpers/apple-idp.js';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminEnableUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  AdminInitiateAuthCommand,
  AdminUserGlobalSignOutCommand,
  CreateResourceServerCommand,
  UpdateResourceServerCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { authorizationRequest } from './helpers/relying-party.js';
import { FormBrowser, location, readForm } from './helpers/form-browser.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

/** Prefix domains are served at `<prefix>.auth.gatehouse.test`, as Cognito's at `<prefix>.auth.<region>.amazoncognito.com`. */
const HOSTED_UI_DOMAIN = 'auth.gatehouse.test';
const SETTINGS = { ...FAST_HASHING, hostedUiDomain: HOSTED_UI_DOMAIN };
const EMAIL = 'ada@example.com';
const CALLBACK = 'http://localhost:3000/callback';
const OTHER_CALLBACK = 'https://other.example.com/cb';
const SIGNED_OUT = 'http://localhost:3000/signed-out';
const insecure = { execute: [client.allowInsecureRequests] };

const OAUTH: Partial<CreateUserPoolClientRequest> = {
  AllowedOAuthFlowsUserPoolClient: true,
  SupportedIdentityProviders: ['COGNITO'],
  LogoutURLs: [SIGNED_OUT],
};

/** OpenID Connect Core §3.1.3.6: the left half of the access token's SHA-256, base64url. */
const atHash = (accessToken: string) => createHash('sha256').update(accessToken).digest().subarray(0, 16).toString('base64url');

for (const store of STORES) {
  describe(`OAuth 2.0 and OpenID Connect through openid-client (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    let issuer: string;
    /** A public client: code flow, PKCE required. */
    let spaId: string;
    /** A confidential client: code and implicit flows, the self-service scope. */
    let webId: string;
    let webSecret: string;
    /** A machine client: client_credentials for a resource-server scope. */
    let machineId: string;
    let machineSecret: string;
    /** How far the server's clock runs ahead of the test's (a test that moves it puts it back). */
    let skewMs = 0;

    before(async () => {
      server = await startServer(store.name, SETTINGS, { now: () => new Date(Date.now() + skewMs) });
      idp = server.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'oauth', AutoVerifiedAttributes: ['email'] }));
      poolId = UserPool!.Id!;
      issuer = `${server.url}/${poolId}`;
      await idp.send(
        new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com', Name: 'API', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }),
      );
      const create = async (input: Partial<CreateUserPoolClientRequest>) =>
        (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', ...OAUTH, ...input }))).UserPoolClient!;
      spaId = (await create({ AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid', 'email', 'profile'], CallbackURLs: [CALLBACK] })).ClientId!;
      const web = await create({
        GenerateSecret: true,
        AllowedOAuthFlows: ['code', 'implicit'],
        AllowedOAuthScopes: ['openid', 'email', 'aws.cognito.signin.user.admin'],
        CallbackURLs: [OTHER_CALLBACK],
      });
      [webId, webSecret] = [web.ClientId!, web.ClientSecret!];
      const machine = await create({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['https://api.example.com/read'] });
      [machineId, machineSecret] = [machine.ClientId!, machine.ClientSecret!];
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'ada',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: EMAIL },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'given_name', Value: 'Ada' },
          ],
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'ada', Password: PASSWORD, Permanent: true }));
    });

    after(() => server?.close());

    const discover = (clientId: string, secret?: string) => client.discovery(new URL(issuer), clientId, secret, undefined, insecure);

    /** Walks authorize → /login → the form, as a browser would; answers the redirect to the client. */
    async function signIn(browser: FormBrowser, authorizationUrl: URL, password = PASSWORD): Promise<URL> {
      const toLogin = await browser.get(authorizationUrl);
      assert.equal(toLogin.status, 302);
      const loginUrl = location(toLogin, server.url);
      assert.equal(loginUrl.pathname, `/${poolId}/login`);
      const page = await browser.get(loginUrl);
      assert.equal(page.status, 200);
      const { action, hidden } = readForm(await page.text(), server.url);
      const answer = await browser.post(action, { ...hidden, username: 'ada', password });
      assert.equal(answer.status, 302, `sign-in failed: ${answer.status}`);
      return location(answer, server.url);
    }

    /** The single-page app's authorize URL (PKCE, scope openid, plus `extra`), as a browser would be sent. */
    async function spaAuthorizeUrl(extra: Record<string, string> = {}): Promise<URL> {
      return client.buildAuthorizationUrl(await discover(spaId), {
        redirect_uri: CALLBACK,
        scope: 'openid',
        code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
        code_challenge_method: 'S256',
        ...extra,
      });
    }

    /** A browser new to the pool on the SPA's sign-in page. */
    async function openSpaSignInPage(): Promise<{ browser: FormBrowser; page: Response }> {
      const browser = new FormBrowser();
      const page = await browser.get(location(await browser.get(await spaAuthorizeUrl()), server.url));
      return { browser, page };
    }

    async function codeFlow(config: client.Configuration, browser = new FormBrowser()) {
      const { url, checks } = await authorizationRequest(config, CALLBACK, 'openid email profile');
      const callback = await signIn(browser, url);
      return { callback, verifier: checks.pkceCodeVerifier, state: checks.expectedState, nonce: checks.expectedNonce, browser };
    }

    it('discovers the pool', async () => {
      const config = await discover(spaId);
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, issuer);
      assert.equal(metadata.authorization_endpoint, `${issuer}/oauth2/authorize`);
      assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    });

    it('signs in with the authorization code flow and PKCE, then refreshes, reads userInfo and revokes', async () => {
      const config = await discover(spaId);
      const { callback, verifier, state, nonce } = await codeFlow(config);
      assert.equal(callback.origin + callback.pathname, CALLBACK);
      assert.equal(callback.searchParams.get('state'), state);
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      const idClaims = tokens.claims()!;
      assert.equal(idClaims.nonce, nonce);
      assert.equal(idClaims.at_hash, atHash(tokens.access_token));
      assert.equal(idClaims.aud, spaId);
      assert.equal(idClaims['cognito:username'], 'ada');
      assert.equal(idClaims.email, EMAIL);
      assert.ok(tokens.refresh_token);
      const access = decodeJwt(tokens.access_token);
      assert.equal(access.scope, 'openid email profile');
      assert.equal(access.client_id, spaId);
      assert.equal(access.token_use, 'access');

      const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      assert.equal(info.email, EMAIL);
      assert.equal(info.email_verified, true);
      assert.equal(info.given_name, 'Ada');
      assert.equal(info.username, 'ada');

      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
      assert.equal(decodeJwt(refreshed.access_token).scope, 'openid email profile', 'a refresh keeps the scopes');
      assert.equal(refreshed.claims()!.sub, idClaims.sub);

      await client.tokenRevocation(config, tokens.refresh_token!);
      await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (e: client.ResponseBodyError) => e.error === 'invalid_grant');
      await assert.rejects(client.fetchUserInfo(config, refreshed.access_token, idClaims.sub), (e: Error & { status?: number }) => e.status === 401 || /invalid_token/.test(e.message));

      // Disabling the user revokes its tokens (AdminDisableUser): userInfo refuses them, and still does once
      // the user is enabled again; a new sign-in is needed.
      const later = await codeFlow(config);
      const current = await client.authorizationCodeGrant(config, later.callback, { pkceCodeVerifier: later.verifier, expectedState: later.state, expectedNonce: later.nonce });
      assert.equal((await client.fetchUserInfo(config, current.access_token, idClaims.sub)).username, 'ada');
      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'ada' }));
      try {
        await assert.rejects(client.fetchUserInfo(config, current.access_token, idClaims.sub), (e: Error & { status?: number }) => e.status === 401);
      } finally {
        await idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'ada' }));
      }
      await assert.rejects(client.fetchUserInfo(config, current.access_token, idClaims.sub), (e: Error & { status?: number }) => e.status === 401);
      await assert.rejects(client.refreshTokenGrant(config, current.refresh_token!), (e: client.ResponseBodyError) => e.error === 'invalid_grant');
    });

    it('OAuth tokens reach the self-service API only with aws.cognito.signin.user.admin', async () => {
      const spa = await discover(spaId);
      const { callback, verifier, state, nonce } = await codeFlow(spa);
      const spaTokens = await client.authorizationCodeGrant(spa, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      await assert.rejects(idp.send(new GetUserCommand({ AccessToken: spaTokens.access_token })), /required scopes/);

      const web = await discover(webId, webSecret);
      const webState = client.randomState();
      const url = client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid aws.cognito.signin.user.admin', state: webState });
      const webCallback = await signIn(new FormBrowser(), url);
      const webTokens = await client.authorizationCodeGrant(web, webCallback, { expectedState: webState });
      const user = await idp.send(new GetUserCommand({ AccessToken: webTokens.access_token }));
      assert.equal(user.Username, 'ada');
    });

    it('signs a second client of the pool in through the session cookie, without a form, until logout', async () => {
      const spa = await discover(spaId);
      const { browser } = await codeFlow(spa);
      const web = await discover(webId, webSecret);
      const url = client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid', state: 's2' });
      const direct = await browser.get(url);
      assert.equal(direct.status, 302);
      const callback = location(direct, server.url);
      assert.equal(callback.origin + callback.pathname, OTHER_CALLBACK);
      assert.ok(callback.searchParams.get('code'));
      const tokens = await client.authorizationCodeGrant(web, callback, { expectedState: 's2' });
      assert.equal(tokens.claims()!['cognito:username'], 'ada');

      const logout = await browser.get(`${issuer}/logout?client_id=${spaId}&logout_uri=${encodeURIComponent(SIGNED_OUT)}`);
      assert.equal(logout.status, 302);
      assert.equal(logout.headers.get('location'), SIGNED_OUT);
      const again = await browser.get(url);
      assert.equal(location(again, server.url).pathname, `/${poolId}/login`, 'after logout the form is shown again');
    });

    it('ends the hosted-UI session on GlobalSignOut and AdminUserGlobalSignOut: the form is shown again', async () => {
      const web = await discover(webId, webSecret);
      const silently = (browser: FormBrowser, state: string) =>
        browser.get(client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid aws.cognito.signin.user.admin', state }));
      for (const signOut of ['GlobalSignOut', 'AdminUserGlobalSignOut'] as const) {
        const spa = await discover(spaId);
        const { browser } = await codeFlow(spa);
        const before = location(await silently(browser, 'before'), server.url);
        assert.equal(before.origin + before.pathname, OTHER_CALLBACK, 'signed in through the session');
        const tokens = await client.authorizationCodeGrant(web, before, { expectedState: 'before' });
        if (signOut === 'GlobalSignOut') await idp.send(new GlobalSignOutCommand({ AccessToken: tokens.access_token }));
        else await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'ada' }));
        assert.equal(location(await silently(browser, 'after'), server.url).pathname, `/${poolId}/login`, `${signOut} ends the session`);
      }
    });

    it('grants a resource-server scope whose identifier has a path, and refuses it once the server no longer defines it', async () => {
      const identifier = 'https://api.example.com/v2';
      const scope = `${identifier}/write`;
      await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'API v2', Scopes: [{ ScopeName: 'write', ScopeDescription: 'Write' }] }));
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'v2', ...OAUTH, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [scope] }),
      );
      const config = await discover(UserPoolClient!.ClientId!, UserPoolClient!.ClientSecret!);
      assert.equal(decodeJwt((await client.clientCredentialsGrant(config, { scope })).access_token).scope, scope);
      assert.equal(decodeJwt((await client.clientCredentialsGrant(config)).access_token).scope, scope, 'no scope parameter: every allowed scope');
      await idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'API v2', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
      await assert.rejects(client.clientCredentialsGrant(config, { scope }), (e: client.ResponseBodyError) => e.error === 'invalid_scope');
      await assert.rejects(client.clientCredentialsGrant(config), (e: client.ResponseBodyError) => e.error === 'invalid_scope');
    });

    it('answers prompt=none without a session with login_required', async () => {
      const web = await discover(webId, webSecret);
      const url = client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid', state: 'quiet', prompt: 'none' });
      const answer = await new FormBrowser().get(url);
      const callback = location(answer, server.url);
      assert.equal(callback.searchParams.get('error'), 'login_required');
      assert.equal(callback.searchParams.get('state'), 'quiet');
    });

    it('gives client credentials an access token for a resource-server scope only', async () => {
      const config = await discover(machineId, machineSecret);
      const tokens = await client.clientCredentialsGrant(config, { scope: 'https://api.example.com/read' });
      assert.equal(tokens.refresh_token, undefined);
      assert.equal(tokens.id_token, undefined);
      const claims = decodeJwt(tokens.access_token);
      assert.equal(claims.scope, 'https://api.example.com/read');
      assert.equal(claims.sub, machineId);
      assert.equal(claims.client_id, machineId);
      assert.equal(claims.token_use, 'access');
      assert.equal(claims.origin_jti, undefined, "Cognito's machine tokens carry no origin_jti: there is no sign-in to revoke");
      await assert.rejects(client.clientCredentialsGrant(config, { scope: 'openid' }), (e: client.ResponseBodyError) => e.error === 'invalid_scope');
      // HTTP Basic works too, and a wrong secret is invalid_client with a Basic challenge.
      const basic = await fetch(`${issuer}/oauth2/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${machineId}:wrong`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      assert.equal(basic.status, 401);
      assert.match(basic.headers.get('www-authenticate') ?? '', /^Basic/);
      assert.equal(((await basic.json()) as { error: string }).error, 'invalid_client');
    });

    it('gives the implicit flow tokens in the fragment, still checkable for revocation', async () => {
      const web = await discover(webId, webSecret);
      const url = client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid email', state: 'imp', nonce: 'n-imp', response_type: 'token' });
      const callback = await signIn(new FormBrowser(), url);
      assert.equal(callback.search, '');
      const fragment = new URLSearchParams(callback.hash.slice(1));
      assert.equal(fragment.get('state'), 'imp');
      assert.equal(fragment.get('token_type'), 'Bearer');
      const idClaims = decodeJwt(fragment.get('id_token')!);
      assert.equal(idClaims.nonce, 'n-imp');
      assert.equal(idClaims.at_hash, atHash(fragment.get('access_token')!));
      const info = await client.fetchUserInfo(web, fragment.get('access_token')!, client.skipSubjectCheck);
      assert.equal(info.email, EMAIL);
    });

    it('serves a pool at the root of its custom domain, by Host', async () => {
      await idp.send(
        new CreateUserPoolDomainCommand({
          UserPoolId: poolId,
          Domain: 'auth.example.com',
          CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000' },
        }),
      );
      const { app } = server.gatehouse;
      const query = `response_type=code&client_id=${webId}&redirect_uri=${encodeURIComponent(OTHER_CALLBACK)}&state=d`;
      const atDomain = await app.inject({ url: `/oauth2/authorize?${query}`, headers: { host: 'auth.example.com' } });
      assert.equal(atDomain.statusCode, 302);
      assert.equal(atDomain.headers.location, `/login?${query}`);
      const page = await app.inject({ url: `/login?${query}`, headers: { host: 'auth.example.com' } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`action="/login\\?`));
      assert.match(String(page.headers['set-cookie']), /Path=\//);
      const elsewhere = await app.inject({ url: `/oauth2/authorize?${query}`, headers: { host: 'unknown.example.com' } });
      assert.equal(elsewhere.statusCode, 404);
    });

    it('serves a pool at the root of its prefix domain under the hosted UI domain, sign-in to tokens', async () => {
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'myapp' }));
      const { app } = server.gatehouse;
      const host = `myapp.${HOSTED_UI_DOMAIN}`;
      const at = (url: string, init: { method?: 'GET' | 'POST'; cookie?: string; form?: Record<string, string>; authorization?: string } = {}) =>
        app.inject({
          method: init.method ?? 'GET',
          url,
          headers: {
            host,
            ...(init.cookie && { cookie: init.cookie }),
            ...(init.authorization && { authorization: init.authorization }),
            ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
          },
          ...(init.form && { payload: new URLSearchParams(init.form).toString() }),
        });
      const query = `response_type=code&client_id=${webId}&redirect_uri=${encodeURIComponent(OTHER_CALLBACK)}&state=p&scope=openid`;
      const authorize = await at(`/oauth2/authorize?${query}`);
      assert.equal(authorize.statusCode, 302);
      assert.equal(authorize.headers.location, `/login?${query}`);

      const page = await at(`/login?${query}`);
      assert.equal(page.statusCode, 200);
      const { action, hidden } = readForm(page.body, `http://${host}`);
      assert.equal(action.pathname, '/login', 'the form posts to the domain root');
      const cookies = page.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
      assert.ok(page.cookies.every((c) => c.path === '/'), 'cookies are scoped to the whole domain');
      const signedIn = await at(action.pathname + action.search, { method: 'POST', cookie: cookies, form: { ...hidden, username: 'ada', password: PASSWORD } });
      assert.equal(signedIn.statusCode, 302);
      const callback = new URL(String(signedIn.headers.location));
      assert.equal(callback.origin + callback.pathname, OTHER_CALLBACK);
      assert.equal(callback.searchParams.get('state'), 'p');

      const token = await at('/oauth2/token', {
        method: 'POST',
        authorization: `Basic ${Buffer.from(`${webId}:${webSecret}`).toString('base64')}`,
        form: { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: OTHER_CALLBACK },
      });
      assert.equal(token.statusCode, 200, token.body);
      // Tokens keep the pool's issuer whichever domain issued them.
      assert.equal(decodeJwt(token.json<{ id_token: string }>().id_token).iss, issuer);

      // Discovery at the domain names the domain's endpoints, and the issuer and its keys as they are.
      const discovery = await at('/.well-known/openid-configuration');
      assert.equal(discovery.statusCode, 200);
      const document = discovery.json<Record<string, unknown>>();
      const issuerDocument = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      const endpoints = ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'revocation_endpoint', 'end_session_endpoint'];
      for (const name of endpoints) assert.equal(document[name], String(issuerDocument[name]).replace(issuer, `http://${host}`), name);
      const rest = (d: Record<string, unknown>) => Object.fromEntries(Object.entries(d).filter(([name]) => !endpoints.includes(name)));
      assert.deepEqual(rest(document), rest(issuerDocument), 'the rest of the document is the issuer\'s');

      const unknownPrefix = await app.inject({ url: `/oauth2/authorize?${query}`, headers: { host: `nobody.${HOSTED_UI_DOMAIN}` } });
      assert.equal(unknownPrefix.statusCode, 404);
      const prefixAsCustom = await app.inject({ url: `/oauth2/authorize?${query}`, headers: { host: 'myapp' } });
      assert.equal(prefixAsCustom.statusCode, 404, 'a prefix is served under the hosted UI domain only');
    });

    it('gives a grant without openid no ID token, from the code or from its refresh token', async () => {
      const scope = 'aws.cognito.signin.user.admin';
      const url = new URL(`${issuer}/oauth2/authorize`);
      url.search = new URLSearchParams({ response_type: 'code', client_id: webId, redirect_uri: OTHER_CALLBACK, scope, state: 's' }).toString();
      const callback = await signIn(new FormBrowser(), url);
      const basic = `Basic ${Buffer.from(`${webId}:${webSecret}`).toString('base64')}`;
      const exchange = (body: Record<string, string>) =>
        fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
      const first = (await (await exchange({ grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: OTHER_CALLBACK })).json()) as Record<string, string>;
      assert.equal(decodeJwt(first.access_token).scope, scope);
      assert.equal(first.id_token, undefined);
      assert.ok(first.refresh_token);
      const refreshed = (await (await exchange({ grant_type: 'refresh_token', refresh_token: first.refresh_token })).json()) as Record<string, string>;
      assert.equal(decodeJwt(refreshed.access_token).scope, scope);
      assert.equal(refreshed.id_token, undefined);
    });

    it('keeps an OAuth sign-in\'s scopes when its refresh token is used through the API', async () => {
      const config = await discover(spaId);
      const { callback, verifier, state, nonce } = await codeFlow(config);
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: spaId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.refresh_token! } }),
      );
      assert.equal(decodeJwt(AuthenticationResult!.AccessToken!).scope, 'openid email profile');
    });

    describe('endpoint errors (RFC 6749, 6750, 7009)', () => {
      const token = (body: string, contentType = 'application/x-www-form-urlencoded') =>
        fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': contentType }, body });
      const errorOf = async (response: Response) => ((await response.json()) as { error: string }).error;

      it('answers token requests that are not well-formed forms with invalid_request', async () => {
        const json = await token(JSON.stringify({ grant_type: 'client_credentials' }), 'application/json');
        assert.equal(json.status, 400);
        assert.equal(await errorOf(json), 'invalid_request');
        assert.equal(json.headers.get('cache-control'), 'no-store');
        const repeated = await token(`grant_type=authorization_code&grant_type=refresh_token&client_id=${spaId}`);
        assert.equal(await errorOf(repeated), 'invalid_request');
        const unknownGrant = await token(`grant_type=password&client_id=${spaId}`);
        assert.equal(await errorOf(unknownGrant), 'unsupported_grant_type');
        const unknownClient = await token('grant_type=client_credentials&client_id=nobody');
        assert.equal(unknownClient.status, 401);
        assert.equal(await errorOf(unknownClient), 'invalid_client');
        const grantNotAllowed = await token(`grant_type=client_credentials&client_id=${webId}&client_secret=${encodeURIComponent(webSecret)}`);
        assert.equal(await errorOf(grantNotAllowed), 'unauthorized_client');
      });

      it('revokes refresh tokens only, and answers 200 for an unknown one', async () => {
        const revoke = (body: string) => fetch(`${issuer}/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
        const unknown = await revoke(`token=not-a-token&client_id=${spaId}`);
        assert.equal(unknown.status, 200);
        const machine = await discover(machineId, machineSecret);
        const { access_token } = await client.clientCredentialsGrant(machine, { scope: 'https://api.example.com/read' });
        const jwt = await revoke(`token=${access_token}&client_id=${spaId}`);
        assert.equal(jwt.status, 400);
        assert.equal(await errorOf(jwt), 'unsupported_token_type');
      });

      it('answers userInfo without a usable access token as RFC 6750 says', async () => {
        const userInfo = (authorization?: string) => fetch(`${issuer}/oauth2/userInfo`, { headers: authorization ? { authorization } : {} });
        const missing = await userInfo();
        assert.equal(missing.status, 400);
        assert.equal(await errorOf(missing), 'invalid_request');
        const garbage = await userInfo('Bearer not.a.token');
        assert.equal(garbage.status, 401);
        assert.match(garbage.headers.get('www-authenticate') ?? '', /^Bearer error="invalid_token"/);
        const machine = await discover(machineId, machineSecret);
        const { access_token } = await client.clientCredentialsGrant(machine, { scope: 'https://api.example.com/read' });
        const noOpenid = await userInfo(`Bearer ${access_token}`);
        assert.equal(noOpenid.status, 403);
        assert.equal(await errorOf(noOpenid), 'insufficient_scope');
      });

      it('refuses to sign out to an unregistered URL, and redirects nowhere', async () => {
        const response = await fetch(`${issuer}/logout?client_id=${spaId}&logout_uri=${encodeURIComponent('https://evil.example/')}`, { redirect: 'manual' });
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('location'), null);
      });

      it('takes client credentials one way only, and refuses malformed or unexpected ones (RFC 6749 §2.3)', async () => {
        const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;
        const withBasic = (authorization: string, body: string) =>
          fetch(`${issuer}/oauth2/token`, { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' }, body });
        const scope = `scope=${encodeURIComponent('https://api.example.com/read')}`;
        const machine = basic(`${machineId}:${machineSecret}`);
        assert.equal((await withBasic(machine, `grant_type=client_credentials&${scope}&client_id=${machineId}`)).status, 200, 'Basic and the same client_id in the body');

        const both = await withBasic(machine, `grant_type=client_credentials&${scope}&client_secret=${encodeURIComponent(machineSecret)}`);
        assert.equal(both.status, 400);
        assert.deepEqual(await both.json(), {
          error: 'invalid_request',
          error_description: 'Use one way of client authentication: Basic or client_secret in the body, not both.',
        });
        const otherId = await withBasic(machine, `grant_type=client_credentials&${scope}&client_id=${webId}`);
        assert.equal(otherId.status, 400);
        assert.deepEqual(await otherId.json(), { error: 'invalid_request', error_description: 'client_id differs from the client in the Authorization header.' });

        const noColon = await withBasic(basic(`${machineId}${machineSecret}`), `grant_type=client_credentials&${scope}`);
        assert.equal(noColon.status, 401);
        assert.match(noColon.headers.get('www-authenticate') ?? '', /^Basic/, 'Basic was tried: the 401 carries its challenge');
        assert.deepEqual(await noColon.json(), { error: 'invalid_client', error_description: 'The Basic credentials are not client_id:client_secret.' });
        // RFC 6749 §2.3.1: the id and secret are form-encoded before Basic; a broken escape is no credential.
        const badEscape = await withBasic(basic(`%zz:${machineSecret}`), `grant_type=client_credentials&${scope}`);
        assert.equal(badEscape.status, 401);
        assert.match(badEscape.headers.get('www-authenticate') ?? '', /^Basic/);
        assert.deepEqual(await badEscape.json(), { error: 'invalid_client', error_description: 'The Basic credentials are not form-encoded.' });

        const noClient = await token(`grant_type=client_credentials&${scope}`);
        assert.equal(noClient.status, 401);
        assert.equal(noClient.headers.get('www-authenticate'), null, 'no Basic challenge to a client that did not try Basic');
        assert.equal(await errorOf(noClient), 'invalid_client');

        // The SPA has no secret: sending one is a failed authentication, not a secret to ignore.
        const secretInBody = await token(`grant_type=authorization_code&code=x&client_id=${spaId}&client_secret=guess`);
        assert.equal(secretInBody.status, 401);
        assert.equal(secretInBody.headers.get('www-authenticate'), null);
        assert.deepEqual(await secretInBody.json(), { error: 'invalid_client', error_description: 'The client has no secret, but one was sent.' });
        const secretInBasic = await withBasic(basic(`${spaId}:guess`), 'grant_type=authorization_code&code=x');
        assert.equal(secretInBasic.status, 401);
        assert.match(secretInBasic.headers.get('www-authenticate') ?? '', /^Basic/);
        assert.equal(await errorOf(secretInBasic), 'invalid_client');
        // An empty secret is no secret: the public client is authenticated, and the made-up code is what fails.
        const emptySecret = await withBasic(basic(`${spaId}:`), 'grant_type=authorization_code&code=x');
        assert.equal(emptySecret.status, 400);
        assert.equal(await errorOf(emptySecret), 'invalid_grant');
      });

      it('refuses a code exchanged with another redirect_uri, and the code is then spent', async () => {
        const { callback, verifier } = await codeFlow(await discover(spaId));
        const exchange = (redirectUri: string | undefined) =>
          token(
            new URLSearchParams({
              grant_type: 'authorization_code',
              client_id: spaId,
              code: callback.searchParams.get('code')!,
              code_verifier: verifier,
              ...(redirectUri !== undefined && { redirect_uri: redirectUri }),
            }).toString(),
          );
        const mismatch = await exchange(`${CALLBACK}/elsewhere`);
        assert.equal(mismatch.status, 400);
        assert.deepEqual(await mismatch.json(), { error: 'invalid_grant', error_description: 'redirect_uri does not match the one of the authorization request.' });
        const spent = await exchange(CALLBACK);
        assert.equal(spent.status, 400);
        assert.match(((await spent.json()) as { error: string; error_description: string }).error_description, /already been used/);

        const second = await codeFlow(await discover(spaId));
        const missing = await token(
          new URLSearchParams({ grant_type: 'authorization_code', client_id: spaId, code: second.callback.searchParams.get('code')!, code_verifier: second.verifier }).toString(),
        );
        assert.equal(missing.status, 400);
        assert.deepEqual(await missing.json(), { error: 'invalid_grant', error_description: 'redirect_uri does not match the one of the authorization request.' });
      });

      it('refuses a code_verifier that is missing, malformed, or sent for a code issued without a challenge (RFC 7636 §4.6)', async () => {
        const exchange = (fields: Record<string, string>) => token(new URLSearchParams({ grant_type: 'authorization_code', ...fields }).toString());
        const spaCode = async () => {
          const { callback } = await codeFlow(await discover(spaId));
          return { client_id: spaId, code: callback.searchParams.get('code')!, redirect_uri: CALLBACK };
        };
        const noVerifier = await exchange(await spaCode());
        assert.equal(noVerifier.status, 400);
        assert.deepEqual(await noVerifier.json(), { error: 'invalid_grant', error_description: 'code_verifier is required: the authorization request had a code_challenge.' });
        for (const malformed of ['too-short', `${'a'.repeat(42)}!`, 'a'.repeat(129)]) {
          const response = await exchange({ ...(await spaCode()), code_verifier: malformed });
          assert.equal(response.status, 400);
          assert.deepEqual(await response.json(), { error: 'invalid_grant', error_description: 'code_verifier is not 43-128 unreserved characters.' }, malformed);
        }

        // The confidential web client may go without PKCE; a verifier for its code is then refused.
        const web = await discover(webId, webSecret);
        const callback = await signIn(new FormBrowser(), client.buildAuthorizationUrl(web, { redirect_uri: OTHER_CALLBACK, scope: 'openid', state: 'np' }));
        const unexpected = await exchange({
          client_id: webId,
          client_secret: webSecret,
          code: callback.searchParams.get('code')!,
          redirect_uri: OTHER_CALLBACK,
          code_verifier: client.randomPKCECodeVerifier(),
        });
        assert.equal(unexpected.status, 400);
        assert.deepEqual(await unexpected.json(), {
          error: 'invalid_grant',
          error_description: 'The authorization request had no code_challenge, so no code_verifier is expected.',
        });
      });

      it('refuses an authorization code after its five minutes', async () => {
        const config = await discover(spaId);
        const { callback, verifier, state, nonce } = await codeFlow(config);
        skewMs = 300_000;
        try {
          await assert.rejects(
            client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }),
            (e: client.ResponseBodyError) => e.error === 'invalid_grant' && e.error_description === 'The authorization code has expired.',
          );
        } finally {
          skewMs = 0;
        }
      });

      it('takes an empty scope parameter as omitted (RFC 6749 §3.1), and refuses one that names no scope with invalid_scope', async () => {
        const secret = `client_id=${machineId}&client_secret=${encodeURIComponent(machineSecret)}`;
        const empty = await token(`grant_type=client_credentials&scope=&${secret}`);
        assert.equal(empty.status, 200);
        assert.equal(decodeJwt(((await empty.json()) as { access_token: string }).access_token).scope, 'https://api.example.com/read', 'every allowed scope');
        const spaces = await token(`grant_type=client_credentials&scope=%20%20&${secret}`);
        assert.equal(spaces.status, 400);
        assert.deepEqual(await spaces.json(), { error: 'invalid_scope', error_description: 'The scope parameter names no scope.' });
        const callback = location(await fetch(await spaAuthorizeUrl({ scope: '  ', state: 'empty' }), { redirect: 'manual' }), server.url);
        assert.equal(callback.origin + callback.pathname, CALLBACK);
        assert.equal(callback.searchParams.get('error'), 'invalid_scope');
        assert.equal(callback.searchParams.get('error_description'), 'The scope parameter names no scope.');
        assert.equal(callback.searchParams.get('state'), 'empty');
      });

      it('answers userInfo a token sent twice with invalid_request, and another pool\'s token with invalid_token', async () => {
        const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'other' }));
        const otherPool = UserPool!.Id!;
        const { UserPoolClient } = await idp.send(
          new CreateUserPoolClientCommand({ UserPoolId: otherPool, ClientName: 'api', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
        );
        await idp.send(new AdminCreateUserCommand({ UserPoolId: otherPool, Username: 'ada', MessageAction: 'SUPPRESS' }));
        await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: otherPool, Username: 'ada', Password: PASSWORD, Permanent: true }));
        const { AuthenticationResult } = await idp.send(
          new AdminInitiateAuthCommand({
            UserPoolId: otherPool,
            ClientId: UserPoolClient!.ClientId!,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'ada', PASSWORD },
          }),
        );
        const accessToken = AuthenticationResult!.AccessToken!;
        const userInfo = (poolIssuer: string, init: { header?: boolean; body?: boolean }) =>
          fetch(`${poolIssuer}/oauth2/userInfo`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.header && { authorization: `Bearer ${accessToken}` }) },
            body: init.body ? `access_token=${accessToken}` : '',
          });
        const otherIssuer = `${server.url}/${otherPool}`;
        // At its own pool the token is good, but without openid: the body form is read as the header is.
        for (const init of [{ header: true }, { body: true }]) {
          const own = await userInfo(otherIssuer, init);
          assert.equal(own.status, 403, JSON.stringify(init));
          assert.equal(await errorOf(own), 'insufficient_scope');
        }
        const twice = await userInfo(otherIssuer, { header: true, body: true });
        assert.equal(twice.status, 400);
        assert.deepEqual(await twice.json(), { error: 'invalid_request', error_description: 'Send the access token once: in the Authorization header or in the body.' });

        const elsewhere = await userInfo(issuer, { header: true });
        assert.equal(elsewhere.status, 401);
        assert.equal(await errorOf(elsewhere), 'invalid_token');
        assert.equal(elsewhere.headers.get('www-authenticate'), 'Bearer error="invalid_token", error_description="The access token is not from this user pool."');
      });

      it('refuses revocation to a client with EnableTokenRevocation false', async () => {
        const { UserPoolClient } = await idp.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'no-revoke',
            ...OAUTH,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: [CALLBACK],
            EnableTokenRevocation: false,
          }),
        );
        const response = await fetch(`${issuer}/oauth2/revoke`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `token=not-a-token&client_id=${UserPoolClient!.ClientId!}`,
        });
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('cache-control'), 'no-store');
        assert.deepEqual(await response.json(), { error: 'invalid_request', error_description: 'Token revocation is not enabled for this app client.' });
      });

      it('refuses a sign-out request without a known client or a target, and redirects nowhere', async () => {
        const logout = (query: string) => fetch(`${issuer}/logout?${query}`, { redirect: 'manual' });
        const signedOut = encodeURIComponent(SIGNED_OUT);
        for (const query of [`client_id=nobody&logout_uri=${signedOut}`, `logout_uri=${signedOut}`]) {
          const response = await logout(query);
          assert.equal(response.status, 400, query);
          assert.equal(response.headers.get('location'), null);
          assert.match(await response.text(), /The sign-out request names no app client of this user pool \(client_id\)\./);
        }
        for (const query of [`client_id=${spaId}`, `client_id=${spaId}&redirect_uri=${encodeURIComponent(CALLBACK)}`]) {
          const response = await logout(query);
          assert.equal(response.status, 400, query);
          assert.equal(response.headers.get('location'), null);
          assert.match(await response.text(), /A sign-out request needs logout_uri, or redirect_uri and response_type\./);
        }
      });

      it('serves pages with CSP, no framing, no caching', async () => {
        const { page } = await openSpaSignInPage();
        const csp = page.headers.get('content-security-policy') ?? '';
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /form-action 'self' http:\/\/localhost:3000/);
        assert.equal(page.headers.get('x-frame-options'), 'DENY');
        assert.equal(page.headers.get('cache-control'), 'no-store');
        assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
        const html = await page.text();
        assert.match(html, /<label class="label-customizable" for="field-username">/);
        assert.doesNotMatch(html, /<script/);
        assert.match(html, /font:16px\/1\.5 -apple-system,BlinkMacSystemFont,"Segoe UI"/, 'the style sheet is not HTML-escaped');
      });

      it('shows a notice chosen by key, and nothing for a key it does not know, Object.prototype\'s names included', async () => {
        const browser = new FormBrowser();
        const login = new URL(location(await browser.get(await spaAuthorizeUrl()), server.url), server.url);
        const withNotice = async (key: string) => {
          login.searchParams.set('notice', key);
          return (await browser.get(login.href)).text();
        };
        assert.match(await withNotice('confirmed'), /Your account is confirmed/);
        for (const key of ['constructor', 'toString', '__proto__', '<b>hi</b>']) {
          const html = await withNotice(key);
          assert.doesNotMatch(html, /function|\[object|<b>hi/, key);
          assert.doesNotMatch(html, /role="status"/, `${key}: no notice at all`);
        }
      });

      it('wires the MFA page to the challenge flow: a forged challenge session is refused with the API\'s message', async () => {
        const { browser, page: loginPage } = await openSpaSignInPage();
        const { action, hidden } = readForm(await loginPage.text(), server.url);
        const mfa = new URL(action);
        mfa.pathname = mfa.pathname.replace(/\/login$/, '/mfa');
        const answer = await browser.post(mfa, { ...hidden, challenge: 'SOFTWARE_TOKEN_MFA', session: 'forged', username: 'ada', code: '123456' });
        assert.equal(answer.status, 400);
        // Gatehouse answers MFA challenges with the API's own answer.
        assert.match(await answer.text(), /Invalid session for the user\./);
      });
    });

    describe('identity_provider and idp_identifier (test/federation.test.ts signs users in through a provider)', () => {
      /** A provider whose endpoints are Apple's, which a test never follows (no network is needed to create it). */
      const appleProvider = async () => {
        await idp.send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'SignInWithApple',
            ProviderType: 'SignInWithApple',
            ProviderDetails: { client_id: 'com.example.web', team_id: 'TEAM123456', key_id: 'KEY1234567', private_key: appleKey().pem, authorize_scopes: 'email name' },
          }),
        ).catch((error: Error) => {
          if (error.name !== 'DuplicateProviderException') throw error;
        });
      };
      /** A confidential code-flow client (no PKCE needed) listing these providers, or none. */
      const clientListing = async (providers: string[] | undefined) =>
        (
          await idp.send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName: 'idp',
              GenerateSecret: true,
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ['code'],
              AllowedOAuthScopes: ['openid'],
              CallbackURLs: [CALLBACK],
              ...(providers && { SupportedIdentityProviders: providers }),
            }),
          )
        ).UserPoolClient!.ClientId!;
      const authorize = (clientId: string, extra = '', path = '/oauth2/authorize') =>
        fetch(`${issuer}${path}?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=idp${extra}`, { redirect: 'manual' });
      /** Cognito's answer: its own error page, never a redirect to the client. */
      async function refusedWithPage(response: Response, reason: RegExp): Promise<void> {
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('location'), null);
        const page = await response.text();
        assert.match(page, /Login option is not available\. Please try another one\./);
        assert.match(page, reason);
        assert.doesNotMatch(page, /name="password"/, 'no sign-in form');
      }

      it('identity_provider=COGNITO goes to the sign-in page, keeping the parameter', async () => {
        await appleProvider();
        const clientId = await clientListing(['COGNITO', 'SignInWithApple']);
        const answer = await authorize(clientId, '&identity_provider=COGNITO');
        assert.equal(answer.status, 302);
        const login = location(answer, server.url);
        assert.equal(login.pathname, `/${poolId}/login`);
        assert.equal(login.searchParams.get('identity_provider'), 'COGNITO');
        const page = await fetch(login, { redirect: 'manual' });
        assert.equal(page.status, 200);
        assert.match(await page.text(), /name="password"/);
      });

      it('a provider the client does not list is refused with an error page', async () => {
        const clientId = await clientListing(['COGNITO']);
        await refusedWithPage(await authorize(clientId, '&identity_provider=Facebook'), /does not support the identity provider Facebook/);
        await refusedWithPage(await authorize(clientId, '&identity_provider=cognito'), /does not support the identity provider cognito/);
      });

      it('an idp_identifier names no provider of the pool, so it is refused with an error page', async () => {
        const clientId = await clientListing(['COGNITO']);
        await refusedWithPage(await authorize(clientId, '&idp_identifier=example.com'), /No identity provider of this user pool has the identifier example\.com/);
      });

      it('a client that does not list COGNITO never gets the sign-in form, with or without a session', async () => {
        await appleProvider();
        const appleOnly = await clientListing(['SignInWithApple']);
        const none = await clientListing(undefined);
        await refusedWithPage(await authorize(none), /COGNITO is not among its supported identity providers/);
        await refusedWithPage(await authorize(none, '', '/login'), /COGNITO is not among/);
        for (const clientId of [appleOnly, none]) {
          await refusedWithPage(await authorize(clientId, '&identity_provider=COGNITO'), /COGNITO is not among/);
        }
        // A client with one provider is sent to it; its sign-in page offers only that provider.
        const chosen = location(await authorize(appleOnly), server.url);
        assert.equal(chosen.searchParams.get('identity_provider'), 'SignInWithApple');
        const toApple = await fetch(chosen, { redirect: 'manual' });
        assert.equal(toApple.status, 302);
        assert.equal(location(toApple, server.url).origin, 'https://appleid.apple.com');
        const page = await (await authorize(appleOnly, '', '/login')).text();
        assert.match(page, /Continue with Apple</, 'named as the brand a person knows');
        assert.doesNotMatch(page, /name="password"/);
        // A browser signed in through another client is not signed in to this one: its user is of the pool's own directory.
        const { browser } = await codeFlow(await discover(spaId));
        const withSession = await browser.get(
          `${issuer}/oauth2/authorize?response_type=code&client_id=${appleOnly}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=s`,
        );
        assert.equal(location(withSession, server.url).searchParams.get('identity_provider'), 'SignInWithApple', 'no code for the session');
      });
    });

    describe('attacks that must fail', () => {
      it('never redirects to an unregistered redirect_uri', async () => {
        const response = await fetch(`${issuer}/oauth2/authorize?response_type=code&client_id=${spaId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}&state=x`, {
          redirect: 'manual',
        });
        assert.equal(response.status, 400);
        assert.equal(response.headers.get('location'), null);
        assert.match(await response.text(), /not one of the app client’s registered callback URLs/);
        assert.match(response.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
      });

      it('refuses a replayed code and revokes what it issued', async () => {
        const config = await discover(spaId);
        const { callback, verifier, state, nonce } = await codeFlow(config);
        const checks = { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce };
        const first = await client.authorizationCodeGrant(config, callback, checks);
        await assert.rejects(client.authorizationCodeGrant(config, callback, checks), (e: client.ResponseBodyError) => e.error === 'invalid_grant');
        await assert.rejects(client.refreshTokenGrant(config, first.refresh_token!), (e: client.ResponseBodyError) => e.error === 'invalid_grant');
        await assert.rejects(client.fetchUserInfo(config, first.access_token, client.skipSubjectCheck));
      });

      it('refuses a code presented by another client', async () => {
        const spa = await discover(spaId);
        const { callback, verifier } = await codeFlow(spa);
        const response = await fetch(`${issuer}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: webId,
            client_secret: webSecret,
            code: callback.searchParams.get('code')!,
            redirect_uri: CALLBACK,
            code_verifier: verifier,
          }),
        });
        assert.equal(response.status, 400);
        assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
      });

      it('refuses a wrong PKCE verifier', async () => {
        const config = await discover(spaId);
        const { callback, state } = await codeFlow(config);
        await assert.rejects(
          client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: state }),
          (e: client.ResponseBodyError) => e.error === 'invalid_grant',
        );
      });

      it('requires PKCE from a client without a secret', async () => {
        const config = await discover(spaId);
        const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 'nopkce' });
        const callback = location(await fetch(url, { redirect: 'manual' }), server.url);
        assert.equal(callback.searchParams.get('error'), 'invalid_request');
        assert.equal(callback.searchParams.get('state'), 'nopkce');
      });

      it('round-trips state, and a callback without it is refused by the client', async () => {
        const config = await discover(spaId);
        const { callback, verifier, state } = await codeFlow(config);
        assert.equal(callback.searchParams.get('state'), state);
        const stripped = new URL(callback);
        stripped.searchParams.delete('state');
        await assert.rejects(client.authorizationCodeGrant(config, stripped, { pkceCodeVerifier: verifier, expectedState: state }), (e: Error) =>
          /"state" missing/.test(String((e.cause as Error | undefined)?.message)),
        );
      });

      it('refuses a form posted without its CSRF token', async () => {
        const { browser, page } = await openSpaSignInPage();
        const { action } = readForm(await page.text(), server.url);
        const answer = await browser.post(action, { username: 'ada', password: PASSWORD });
        assert.equal(answer.status, 403);
        assert.equal(answer.headers.get('location'), null);
        assert.equal(browser.cookies.has('gatehouse-session'), false);
      });

      it('refuses a scope the client may not ask for', async () => {
        const url = await spaAuthorizeUrl({ scope: 'openid aws.cognito.signin.user.admin', state: 'sc' });
        const callback = location(await fetch(url, { redirect: 'manual' }), server.url);
        assert.equal(callback.searchParams.get('error'), 'invalid_scope');
        assert.equal(callback.searchParams.get('state'), 'sc');
      });

      it('refuses the implicit flow to a client that does not allow it', async () => {
        const url = `${issuer}/oauth2/authorize?response_type=token&client_id=${spaId}&redirect_uri=${encodeURIComponent(CALLBACK)}&state=imp`;
        const callback = location(await fetch(url, { redirect: 'manual' }), server.url);
        assert.equal(new URLSearchParams(callback.hash.slice(1)).get('error'), 'unauthorized_client');
      });

      it('answers a bad PKCE, prompt or response_type at the client\'s redirect_uri with the RFC 6749 code', async () => {
        const refused = async (url: URL | string) => {
          const response = await fetch(url, { redirect: 'manual' });
          assert.equal(response.status, 302);
          const callback = location(response, server.url);
          assert.equal(callback.origin + callback.pathname, CALLBACK);
          assert.equal(callback.searchParams.get('state'), 'bad');
          return { error: callback.searchParams.get('error'), description: callback.searchParams.get('error_description') };
        };
        const challenge = await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier());
        const bare = `${issuer}/oauth2/authorize?response_type=code&client_id=${spaId}&redirect_uri=${encodeURIComponent(CALLBACK)}&scope=openid&state=bad`;
        assert.deepEqual(await refused(`${bare}&code_challenge_method=S256`), {
          error: 'invalid_request',
          description: 'code_challenge_method was sent without a code_challenge.',
        });
        assert.deepEqual(await refused(`${bare}&code_challenge=${challenge}`), { error: 'invalid_request', description: 'code_challenge_method must be S256.' }, 'no method means plain');
        assert.deepEqual(await refused(await spaAuthorizeUrl({ code_challenge_method: 'plain', code_challenge: 'a'.repeat(43), state: 'bad' })), {
          error: 'invalid_request',
          description: 'code_challenge_method must be S256.',
        });
        for (const malformed of ['a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`]) {
          assert.deepEqual(await refused(await spaAuthorizeUrl({ code_challenge: malformed, state: 'bad' })), {
            error: 'invalid_request',
            description: 'code_challenge is not an S256 challenge (43 base64url characters).',
          });
        }
        assert.deepEqual(await refused(await spaAuthorizeUrl({ prompt: 'none login', state: 'bad' })), {
          error: 'invalid_request',
          description: 'prompt=none cannot be combined with other prompt values.',
        });
        assert.deepEqual(await refused(await spaAuthorizeUrl({ response_type: 'id_token', state: 'bad' })), {
          error: 'unsupported_response_type',
          description: 'response_type must be code or token.',
        });
        assert.deepEqual(await refused(await spaAuthorizeUrl({ response_type: 'code id_token', state: 'bad' })), {
          error: 'unsupported_response_type',
          description: 'response_type must be code or token.',
        });
      });
    });
  });
}
