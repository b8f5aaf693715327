import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteIdentityProviderCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { FormBrowser, location } from './helpers/form-browser.js';
import { json } from './helpers/oauth2-idp.js';
import { signInAtIdp, startOidcIdp, type TestIdp } from './helpers/oidc-idp.js';
import { authorizationRequest } from './helpers/relying-party.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { rawRows, STORES } from './helpers/stores.js';

const CALLBACK = 'http://localhost:3000/callback';
/** The cookie that binds the browser to the sign-in it started (federated-sign-in.ts). */
const PENDING_COOKIE = 'gatehouse-federation';
/** How long that sign-in lasts: ten minutes, by the server's clock. */
const PENDING_MS = 10 * 60_000;
const insecure = { execute: [client.allowInsecureRequests] };

/**
 * A userInfo endpoint that answers, for any bearer token, the claims it is told to: a provider whose
 * userInfo speaks of somebody other than its ID token's subject (a mix-up, or a provider gone wrong).
 */
interface LyingUserInfo {
  url: string;
  claims: Record<string, unknown>;
  asked: number;
  close(): Promise<void>;
}

async function startLyingUserInfo(): Promise<LyingUserInfo> {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const liar: LyingUserInfo = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/userinfo`,
    claims: {},
    asked: 0,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
  http.on('request', (_request, response) => {
    liar.asked++;
    json(response, 200, liar.claims);
  });
  return liar;
}

/**
 * Bad answers to a federated sign-in, through an OpenID Connect provider and through Google (a social
 * provider, whose endpoints `federation.socialEndpoints` sends to loopback): one panva oidc-provider plays
 * both, since a pool's providers share its one /oauth2/idpresponse. Corp's and Google's userInfo is the
 * liar above; Honest reads the provider's own userInfo; Gone is there to be deleted mid-sign-in.
 * The server's clock can be moved forward, to let a pending sign-in expire.
 */
for (const store of STORES) {
  describe(`federated sign-in refuses bad answers (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let external: TestIdp;
    let liar: LyingUserInfo;
    let poolId = '';
    let app: client.Configuration;
    /** How far the server's clock runs ahead of the real one; reset after each test. */
    let skewMs = 0;

    before(async () => {
      external = await startOidcIdp(() => [`${server.url}/${poolId}/oauth2/idpresponse`]);
      liar = await startLyingUserInfo();
      const google = { issuer: external.issuer, authorizeUrl: `${external.issuer}/auth`, tokenUrl: `${external.issuer}/token`, jwksUri: `${external.issuer}/jwks`, attributesUrl: liar.url };
      server = await startServer(store.name, { ...FAST_HASHING, federation: { socialEndpoints: { Google: google } } }, { now: () => new Date(Date.now() + skewMs) });
      idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'bad-answers' }))).UserPool!.Id!;
      const secrets = { client_id: external.clientId, client_secret: external.clientSecret, authorize_scopes: 'openid email profile' };
      const oidc = (attributesUrl?: string) => ({ ...secrets, attributes_request_method: 'GET', oidc_issuer: external.issuer, ...(attributesUrl && { attributes_url: attributesUrl }) });
      const providers = { Corp: oidc(liar.url), Honest: oidc(), Gone: oidc(), Google: secrets };
      for (const [name, details] of Object.entries(providers)) {
        const type = name === 'Google' ? 'Google' : 'OIDC';
        await idp.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: name, ProviderType: type, ProviderDetails: details, AttributeMapping: { email: 'email' } }));
      }
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'web',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email', 'profile'],
          SupportedIdentityProviders: ['COGNITO', ...Object.keys(providers)],
          CallbackURLs: [CALLBACK],
        }),
      );
      app = await client.discovery(new URL(`${server.url}/${poolId}`), UserPoolClient!.ClientId!, undefined, client.None(), insecure);
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(async () => {
      await server?.close();
      await Promise.all([external?.close(), liar?.close()]);
    });

    /** The app asks for `provider`'s sign-in; the person signs in there as `account`: the provider's answer, at Gatehouse's idpresponse. */
    async function answerFrom(browser: FormBrowser, provider: string, account: string) {
      const { url, checks } = await authorizationRequest(app, CALLBACK, 'openid email profile', { identity_provider: provider });
      const sent = await browser.get(url);
      assert.equal(sent.status, 302);
      const providerUrl = location(sent, url.href);
      assert.equal(providerUrl.origin, external.issuer, `sent to ${provider}`);
      const back = await signInAtIdp(browser, external, providerUrl, account);
      assert.equal(back.pathname, `/${poolId}/oauth2/idpresponse`);
      assert.ok(back.searchParams.get('code'), 'the provider answered with a code');
      return { back, checks };
    }

    /** The pool's users, by name: what a refused sign-in must not have added to. */
    async function usernames(): Promise<string[]> {
      const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId }));
      return (Users ?? []).map((u) => u.Username!);
    }

    /** Gatehouse's own error page: a 400 that names why, and no redirect (the client is not known good, or not any more). */
    async function assertErrorPage(answer: Response, reason: RegExp) {
      assert.equal(answer.status, 400);
      assert.equal(answer.headers.get('location'), null, 'no redirect, so no code');
      assert.match(await answer.text(), reason);
    }

    for (const provider of ['Corp', 'Google']) {
      it(`refuses ${provider}’s sign-in when its userInfo names another subject than its ID token (OpenID Connect Core §5.3.2)`, async () => {
        const account = `mallory-${provider.toLowerCase()}`;
        liar.claims = { sub: `victim-${provider.toLowerCase()}`, email: 'victim@example.com' };
        const askedBefore = liar.asked;
        const browser = new FormBrowser();
        const { back, checks } = await answerFrom(browser, provider, account);
        const ended = location(await browser.get(back), back.href);
        assert.ok(liar.asked > askedBefore, 'the userInfo endpoint was read');
        // The app's request was known good, so the failure goes back to it, with its state, and no code.
        assert.equal(`${ended.origin}${ended.pathname}`, CALLBACK);
        assert.equal(ended.searchParams.get('code'), null);
        assert.equal(ended.searchParams.get('error'), 'invalid_request');
        assert.match(ended.searchParams.get('error_description')!, /another subject than the ID token/);
        assert.equal(ended.searchParams.get('state'), checks.expectedState);
        const users = await usernames();
        assert.ok(!users.includes(`${provider}_${account}`) && !users.includes(`${provider}_victim-${provider.toLowerCase()}`), `no user was made: ${users.join(', ')}`);
      });
    }

    it('refuses a userInfo answer that names no subject at all, which could not be for the ID token’s', async () => {
      liar.claims = { email: 'anyone@example.com' };
      const browser = new FormBrowser();
      const { back } = await answerFrom(browser, 'Corp', 'nameless');
      const ended = location(await browser.get(back), back.href);
      assert.equal(`${ended.origin}${ended.pathname}`, CALLBACK);
      assert.equal(ended.searchParams.get('code'), null);
      assert.equal(ended.searchParams.get('error'), 'invalid_request');
      assert.ok(!(await usernames()).some((name) => name.startsWith('Corp_')));
    });

    it('refuses the answer when the browser’s pending sign-in cookie is gone, or is not one Gatehouse sealed', async () => {
      for (const provider of ['Honest', 'Google']) {
        const dropped = new FormBrowser();
        const first = await answerFrom(dropped, provider, `cookieless-${provider.toLowerCase()}`);
        assert.ok(dropped.cookies.delete(PENDING_COOKIE), 'the sign-in had set its cookie');
        await assertErrorPage(await dropped.get(first.back), /not started in this browser/);

        const forged = new FormBrowser();
        const second = await answerFrom(forged, provider, `forged-${provider.toLowerCase()}`);
        forged.cookies.set(PENDING_COOKIE, 'not-a-sealed-sign-in');
        await assertErrorPage(await forged.get(second.back), /not started in this browser/);
      }
      assert.deepEqual((await usernames()).filter((name) => /cookieless|forged/.test(name)), []);
    });

    it('refuses the answer once the pending sign-in has expired, though the browser still sends its cookie', async () => {
      // Within the ten minutes the same kind of answer is taken: what refuses the late one below is its age.
      const inTime = new FormBrowser();
      const onTime = await answerFrom(inTime, 'Honest', 'punctual');
      skewMs = PENDING_MS - 60_000;
      assert.ok(location(await inTime.get(onTime.back), onTime.back.href).searchParams.get('code'), 'signed in after nine minutes');
      skewMs = 0;

      for (const provider of ['Honest', 'Google']) {
        const browser = new FormBrowser();
        const { back } = await answerFrom(browser, provider, `late-${provider.toLowerCase()}`);
        // The cookie's Max-Age would have a browser drop it; the sealed value's own expiry is what counts, for a client that keeps it.
        skewMs = PENDING_MS + 60_000;
        assert.ok(browser.cookies.has(PENDING_COOKIE));
        await assertErrorPage(await browser.get(back), /took longer than 10 minutes/);
        skewMs = 0;
      }
      assert.deepEqual((await usernames()).filter((name) => name.includes('late-')), []);
    });

    it('refuses a posted answer too large to carry on in a URL, and keeps nothing for it', async () => {
      // A form_post answer (Sign in with Apple's) is sealed into the continuation's URL, since nobody vouches for it yet.
      const posted = await new FormBrowser().post(`${server.url}/${poolId}/oauth2/idpresponse`, { code: 'c', state: 's', user: 'x'.repeat(8_000) });
      assert.equal(posted.status, 400);
      assert.equal(posted.headers.get('location'), null);
      assert.match(await posted.text(), /answer is too large/);
      assert.deepEqual(await rawRows(server.store, 'browser_continuations', { pool_id: poolId }), []);
    });

    // Last: it deletes Google, which the tests above sign in through.
    it('refuses the answer of a provider deleted while the person was signing in there, with an error page', async () => {
      for (const provider of ['Gone', 'Google']) {
        const account = `orphan-${provider.toLowerCase()}`;
        const browser = new FormBrowser();
        const { back } = await answerFrom(browser, provider, account);
        await idp.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider }));
        await assertErrorPage(await browser.get(back), new RegExp(`identity provider ${provider} does not exist`));
        assert.ok(!(await usernames()).includes(`${provider}_${account}`));
      }
    });
  });
}
