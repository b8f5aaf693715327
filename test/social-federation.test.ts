import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeIdentityProviderCommand,
  type CognitoIdentityProviderClient,
  type IdentityProviderTypeType,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { attribute } from './helpers/assertions.js';
import { startAppleIdp, type TestAppleIdp } from './helpers/apple-idp.js';
import { FormBrowser, location, readForm } from './helpers/form-browser.js';
import { startOAuth2Idp, type TestOAuth2Idp } from './helpers/oauth2-idp.js';
import { signInAtIdp, startOidcIdp, type TestIdp } from './helpers/oidc-idp.js';
import { authorizationRequest } from './helpers/relying-party.js';
import type { ConfigInput } from '../src/config.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const CALLBACK = 'http://localhost:3000/callback';
const insecure = { execute: [client.allowInsecureRequests] };

/** A pool of its own server, whose social providers' sign-ins go where `endpoints` say, and an app client of it. */
interface SocialPool {
  server: TestServer;
  idp: CognitoIdentityProviderClient;
  poolId: string;
  redirectUri: string;
  app: client.Configuration;
}

type Endpoints = NonNullable<NonNullable<ConfigInput['federation']>['socialEndpoints']>;
type Providers = Record<string, { details: Record<string, string>; mapping: Record<string, string> }>;

async function socialPool(storeName: 'sqlite' | 'postgres', endpoints: Endpoints, providers: () => Providers, redirectTo: (uri: string) => void): Promise<SocialPool> {
  const server = await startServer(storeName, { ...FAST_HASHING, federation: { socialEndpoints: endpoints } });
  const idp = server.idp();
  const poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'social' }))).UserPool!.Id!;
  const redirectUri = `${server.url}/${poolId}/oauth2/idpresponse`;
  redirectTo(redirectUri);
  for (const [name, { details, mapping }] of Object.entries(providers())) {
    await idp.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: name, ProviderType: name as IdentityProviderTypeType, ProviderDetails: details, AttributeMapping: mapping }));
  }
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO', ...Object.keys(providers())],
      CallbackURLs: [CALLBACK],
    }),
  );
  const app = await client.discovery(new URL(`${server.url}/${poolId}`), UserPoolClient!.ClientId!, undefined, client.None(), insecure);
  return { server, idp, poolId, redirectUri, app };
}

/** The app asks Gatehouse for `provider`'s sign-in; the browser is sent there. */
async function toProvider(pool: SocialPool, browser: FormBrowser, provider: string) {
  const { url, checks } = await authorizationRequest(pool.app, CALLBACK, 'openid email profile', { identity_provider: provider });
  const sent = await browser.get(url);
  assert.equal(sent.status, 302);
  return { providerUrl: location(sent, url.href), checks };
}

/** Through a plain OAuth 2.0 stand-in, which signs `account` in at once: back at Gatehouse's idpresponse. */
async function throughOAuth2(pool: SocialPool, provider: string, stand: TestOAuth2Idp, account: string) {
  stand.signedIn = account;
  const browser = new FormBrowser();
  const { providerUrl, checks } = await toProvider(pool, browser, provider);
  assert.equal(providerUrl.origin, stand.url, `sent to ${provider}`);
  assert.equal(providerUrl.searchParams.get('nonce'), null, 'no ID token asked for');
  const back = location(await browser.get(providerUrl), providerUrl.href);
  assert.equal(back.pathname, `/${pool.poolId}/oauth2/idpresponse`);
  return { browser, back, checks };
}

/** Gatehouse's answer to the provider's: the app's callback, redeemed by openid-client. */
async function tokensFrom(pool: SocialPool, browser: FormBrowser, back: URL, checks: Parameters<typeof client.authorizationCodeGrant>[2]) {
  const answer = await browser.get(back);
  assert.equal(answer.status, 302, await answer.clone().text());
  const callback = location(answer, back.href);
  assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
  return client.authorizationCodeGrant(pool.app, callback, checks);
}

/**
 * Sign-in through Google, Facebook, Login with Amazon and Sign in with Apple. Their real endpoints are on the
 * internet, so the server's `federation.socialEndpoints` sends it to loopback stand-ins: panva's oidc-provider
 * for Google (an OpenID provider, as Google is); a plain OAuth 2.0 provider for Facebook (code redeemed by
 * GET, the Graph API's `fields=`) and Amazon (by POST, its profile endpoint), neither of which hands out ID
 * tokens; and an Apple that answers by form_post and takes only a client secret signed with the app's key.
 */
for (const store of STORES) {
  describe(`sign-in through social identity providers (${store.name})`, { skip: store.skip }, () => {
    let pool: SocialPool;
    let google: TestIdp;
    let facebook: TestOAuth2Idp;
    let amazon: TestOAuth2Idp;
    let apple: TestAppleIdp;
    let redirectUri = '';

    before(async () => {
      google = await startOidcIdp(() => [redirectUri]);
      facebook = await startOAuth2Idp('GET');
      amazon = await startOAuth2Idp('POST');
      apple = await startAppleIdp();
      const endpoints: Endpoints = {
        Google: { issuer: google.issuer, authorizeUrl: `${google.issuer}/auth`, tokenUrl: `${google.issuer}/token`, jwksUri: `${google.issuer}/jwks`, attributesUrl: `${google.issuer}/me` },
        Facebook: { authorizeUrl: `${facebook.url}/authorize`, tokenUrl: `${facebook.url}/token`, attributesUrl: `${facebook.url}/me?fields=` },
        LoginWithAmazon: { authorizeUrl: `${amazon.url}/authorize`, tokenUrl: `${amazon.url}/token`, attributesUrl: `${amazon.url}/me` },
        SignInWithApple: { issuer: apple.url, authorizeUrl: `${apple.url}/auth/authorize`, tokenUrl: `${apple.url}/auth/token`, jwksUri: `${apple.url}/auth/keys` },
      };
      const providers = (): Providers => ({
        Google: { details: { client_id: google.clientId, client_secret: google.clientSecret, authorize_scopes: 'openid email profile' }, mapping: { email: 'email', email_verified: 'email_verified', name: 'name' } },
        Facebook: { details: { client_id: facebook.clientId, client_secret: facebook.clientSecret, authorize_scopes: 'public_profile,email', api_version: 'v17.0' }, mapping: { email: 'email', name: 'name' } },
        LoginWithAmazon: { details: { client_id: amazon.clientId, client_secret: amazon.clientSecret, authorize_scopes: 'profile' }, mapping: { email: 'email', name: 'name', zoneinfo: 'postal_code' } },
        SignInWithApple: {
          details: { client_id: apple.clientId, team_id: apple.teamId, key_id: apple.keyId, private_key: apple.privateKey, authorize_scopes: 'email name' },
          mapping: { email: 'email', given_name: 'firstName', family_name: 'lastName', name: 'name' },
        },
      });
      pool = await socialPool(store.name, endpoints, providers, (uri) => {
        redirectUri = uri;
        facebook.redirectUri = uri;
        amazon.redirectUri = uri;
        apple.redirectUri = uri;
      });
    });
    after(async () => {
      await pool?.server.close();
      await Promise.all([google, facebook, amazon, apple].map((p) => p?.close()));
    });

    it('shows Cognito’s endpoints for a social provider, wherever the configuration sends its sign-ins', async () => {
      const { IdentityProvider } = await pool.idp.send(new DescribeIdentityProviderCommand({ UserPoolId: pool.poolId, ProviderName: 'Google' }));
      assert.equal(IdentityProvider!.ProviderDetails!.authorize_url, 'https://accounts.google.com/o/oauth2/v2/auth');
      assert.equal(IdentityProvider!.ProviderDetails!.oidc_issuer, 'https://accounts.google.com');
    });

    it('signs a person in through Google: its ID token checked, a user Google_<sub> in the provider’s group', async () => {
      google.accounts.set('1049', { sub: '1049', email: 'gina@gmail.example', email_verified: true, name: 'Gina G' });
      const browser = new FormBrowser();
      const { providerUrl, checks } = await toProvider(pool, browser, 'Google');
      assert.equal(providerUrl.origin, google.issuer);
      assert.ok(providerUrl.searchParams.get('nonce'), 'an ID token is asked for, with a nonce');
      assert.equal(providerUrl.searchParams.get('scope'), 'openid email profile');
      const tokens = await tokensFrom(pool, browser, await signInAtIdp(browser, google, providerUrl, '1049'), checks);
      const claims = tokens.claims()!;
      assert.equal(claims['cognito:username'], 'Google_1049');
      assert.equal(claims.email, 'gina@gmail.example');
      assert.equal(claims.name, 'Gina G');
      assert.deepEqual(claims['cognito:groups'], [`${pool.poolId}_Google`]);
      const [identity] = claims.identities as Record<string, unknown>[];
      assert.deepEqual([identity.userId, identity.providerName, identity.providerType], ['1049', 'Google', 'Google']);
      const user = await pool.idp.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'Google_1049' }));
      assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
    });

    it('signs a person in through Facebook: the code redeemed by GET, the mapped fields asked of the Graph API', async () => {
      facebook.accounts.set('fb', { id: '10158', email: 'fred@fb.example', name: 'Fred F', birthday: '01/02/1990' });
      const { browser, back, checks } = await throughOAuth2(pool, 'Facebook', facebook, 'fb');
      assert.equal(facebook.seen.scope, 'public_profile,email');
      const claims = (await tokensFrom(pool, browser, back, checks)).claims()!;
      assert.equal(facebook.seen.tokenMethod, 'GET');
      assert.deepEqual(facebook.seen.fields!.split(',').sort(), ['email', 'id', 'name']);
      assert.equal(claims['cognito:username'], 'Facebook_10158');
      assert.equal(claims.email, 'fred@fb.example');
      assert.equal(claims.name, 'Fred F');
      assert.deepEqual(claims['cognito:groups'], [`${pool.poolId}_Facebook`]);
    });

    it('signs a person in through Login with Amazon: its profile’s user_id names the user', async () => {
      amazon.accounts.set('amy', { user_id: 'amzn1.account.AF2XYZ', email: 'amy@amazon.example', name: 'Amy A', postal_code: '98109' });
      const { browser, back, checks } = await throughOAuth2(pool, 'LoginWithAmazon', amazon, 'amy');
      const claims = (await tokensFrom(pool, browser, back, checks)).claims()!;
      assert.equal(amazon.seen.tokenMethod, 'POST');
      assert.equal(claims['cognito:username'], 'LoginWithAmazon_amzn1.account.AF2XYZ');
      const user = await pool.idp.send(new AdminGetUserCommand({ UserPoolId: pool.poolId, Username: 'LoginWithAmazon_amzn1.account.AF2XYZ' }));
      assert.equal(attribute(user.UserAttributes, 'zoneinfo'), '98109');
      assert.equal(attribute(user.UserAttributes, 'email'), 'amy@amazon.example');
    });

    /** Through Apple: its page's form posted cross-site, so without the browser's SameSite=Lax cookies, as a browser posts it. */
    async function throughApple(browser: FormBrowser) {
      const { providerUrl, checks } = await toProvider(pool, browser, 'SignInWithApple');
      assert.equal(providerUrl.origin, apple.url);
      assert.equal(providerUrl.searchParams.get('response_mode'), 'form_post');
      assert.ok(providerUrl.searchParams.get('nonce'));
      const { action, hidden } = readForm(await (await browser.get(providerUrl)).text(), providerUrl.href);
      assert.equal(action.href, pool.redirectUri);
      const posted = await fetch(action, { method: 'POST', body: new URLSearchParams(hidden), redirect: 'manual' });
      assert.equal(posted.status, 303);
      return { back: location(posted, action.href), checks, hidden };
    }

    it('signs a person in through Apple: its answer posted, a client secret signed with the app’s key, the name Apple tells once', async () => {
      apple.signedIn = { sub: '001234.5f6e.0907', email: 'ann@privaterelay.appleid.example', firstName: 'Ann', lastName: 'Appleseed' };
      const browser = new FormBrowser();
      const first = await throughApple(browser);
      assert.ok(first.hidden.user, 'Apple posts the name at the first sign-in');
      const claims = (await tokensFrom(pool, browser, first.back, first.checks)).claims()!;
      assert.equal(claims['cognito:username'], 'SignInWithApple_001234.5f6e.0907');
      assert.equal(claims.email, 'ann@privaterelay.appleid.example');
      assert.deepEqual([claims.given_name, claims.family_name, claims.name], ['Ann', 'Appleseed', 'Ann Appleseed']);
      const secret = apple.seen.secretClaims!;
      assert.deepEqual([secret.iss, secret.sub, secret.aud], [apple.teamId, apple.clientId, 'https://appleid.apple.com']);
      assert.ok((secret.exp as number) - (secret.iat as number) <= 600, 'a client secret made for the request, short-lived');

      const again = await throughApple(new FormBrowser());
      assert.equal(again.hidden.user, undefined, 'no name the second time');
      const browser2 = new FormBrowser();
      const second = await throughApple(browser2);
      const later = (await tokensFrom(pool, browser2, second.back, second.checks)).claims()!;
      assert.equal(later['cognito:username'], 'SignInWithApple_001234.5f6e.0907');
      assert.equal(later.given_name, 'Ann', 'the name Apple told once is kept');
    });

    it('takes a posted answer only in the browser that started the sign-in, once, and refuses a forged one', async () => {
      apple.signedIn = { sub: '009999.aaaa.0001', email: 'bo@privaterelay.appleid.example' };
      const started = new FormBrowser();
      const { back } = await throughApple(started);
      const elsewhere = await new FormBrowser().get(back);
      assert.equal(elsewhere.status, 400, 'another browser has no pending sign-in');
      assert.equal(elsewhere.headers.get('location'), null);
      const signedIn = location(await started.get(back), back.href);
      assert.ok(signedIn.searchParams.get('code'), 'the browser that started it signs in');
      const replayed = await started.get(back);
      assert.equal(replayed.status, 400, 'once');
      assert.equal(replayed.headers.get('location'), null);
      const forged = new URL(back);
      forged.searchParams.set('continue', 'not-a-sealed-answer');
      const browser = new FormBrowser();
      await toProvider(pool, browser, 'SignInWithApple');
      const answer = await browser.get(forged);
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), /not valid or took longer than 2 minutes/);
    });

    it('does not hand a directory user who happens to be named <Provider>_<id> to whoever signs in with that id', async () => {
      await pool.idp.send(new AdminCreateUserCommand({ UserPoolId: pool.poolId, Username: 'Facebook_777', MessageAction: 'SUPPRESS' }));
      facebook.accounts.set('squatter', { id: '777', email: 'x@fb.example' });
      const { browser, back } = await throughOAuth2(pool, 'Facebook', facebook, 'squatter');
      const ended = location(await browser.get(back), back.href);
      assert.equal(`${ended.origin}${ended.pathname}`, CALLBACK);
      assert.equal(ended.searchParams.get('code'), null);
      assert.match(ended.searchParams.get('error_description')!, /Facebook_777 does not come from an identity provider/);
    });

    it('sends the provider’s refusal back to the app, and a profile without the user’s id ends the sign-in there too', async () => {
      facebook.refuse = 'access_denied';
      const refused = await throughOAuth2(pool, 'Facebook', facebook, 'fb');
      const answer = location(await refused.browser.get(refused.back), refused.back.href);
      assert.equal(`${answer.origin}${answer.pathname}`, CALLBACK);
      assert.equal(answer.searchParams.get('error'), 'access_denied');
      assert.equal(answer.searchParams.get('state'), refused.checks.expectedState);

      amazon.accounts.set('nobody', { name: 'No Id' });
      const anonymous = await throughOAuth2(pool, 'LoginWithAmazon', amazon, 'nobody');
      const ended = location(await anonymous.browser.get(anonymous.back), anonymous.back.href);
      assert.equal(`${ended.origin}${ended.pathname}`, CALLBACK);
      assert.equal(ended.searchParams.get('error'), 'invalid_request');
      assert.match(ended.searchParams.get('error_description')!, /user_id/);
    });
  });

  describe(`sign-in through Google without the openid scope (${store.name})`, { skip: store.skip }, () => {
    let pool: SocialPool;
    let google: TestOAuth2Idp;

    before(async () => {
      google = await startOAuth2Idp('POST');
      const endpoints: Endpoints = { Google: { authorizeUrl: `${google.url}/authorize`, tokenUrl: `${google.url}/token`, attributesUrl: `${google.url}/me` } };
      const providers = (): Providers => ({ Google: { details: { client_id: google.clientId, client_secret: google.clientSecret, authorize_scopes: 'profile email' }, mapping: { email: 'email' } } });
      pool = await socialPool(store.name, endpoints, providers, (uri) => (google.redirectUri = uri));
    });
    after(async () => {
      await pool?.server.close();
      await google?.close();
    });

    it('asks for no ID token and reads the user from Google’s userInfo alone', async () => {
      google.accounts.set('gus', { sub: '2077', email: 'gus@gmail.example', email_verified: true });
      const { browser, back, checks } = await throughOAuth2(pool, 'Google', google, 'gus');
      const claims = (await tokensFrom(pool, browser, back, checks)).claims()!;
      assert.equal(claims['cognito:username'], 'Google_2077');
      assert.equal(claims.email, 'gus@gmail.example');
    });
  });
}
