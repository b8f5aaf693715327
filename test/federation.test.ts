import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { attribute, rejects } from './helpers/assertions.js';
import { FormBrowser, location, readForm } from './helpers/form-browser.js';
import { signInAtIdp, startOidcIdp, type TestIdp } from './helpers/oidc-idp.js';
import { authorizationRequest } from './helpers/relying-party.js';
import type { ConfigInput } from '../src/config.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const APP = 'http://localhost:3000';
const CALLBACK = `${APP}/callback`;
const PROVIDER = 'Corp';
const CHROMIUM = '/usr/bin/chromium';
const insecure = { execute: [client.allowInsecureRequests] };

/** A Gatehouse pool federated with an oidc-provider on loopback, and two app clients of it. */
interface Federation {
  server: TestServer;
  idp: CognitoIdentityProviderClient;
  external: TestIdp;
  poolId: string;
  /** Lists COGNITO and Corp. */
  both: client.Configuration;
  /** Lists only Corp. */
  corpOnly: client.Configuration;
  close(): Promise<void>;
}

async function federate(storeName: 'sqlite' | 'postgres', extra: { server?: Partial<ConfigInput>; pool?: Partial<CreateUserPoolRequest> } = {}): Promise<Federation> {
  const server = await startServer(storeName, { ...FAST_HASHING, ...extra.server });
  const idp = server.idp();
  const { UserPool } = await idp.send(
    new CreateUserPoolCommand({
      PoolName: 'federated',
      UsernameAttributes: ['email'],
      Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }],
      ...extra.pool,
    }),
  );
  const poolId = UserPool!.Id!;
  const external = await startOidcIdp([`${server.url}/${poolId}/oauth2/idpresponse`]);
  await idp.send(
    new CreateIdentityProviderCommand({
      UserPoolId: poolId,
      ProviderName: PROVIDER,
      ProviderType: 'OIDC',
      ProviderDetails: {
        client_id: external.clientId,
        client_secret: external.clientSecret,
        authorize_scopes: 'openid email profile',
        attributes_request_method: 'GET',
        oidc_issuer: external.issuer,
      },
      AttributeMapping: { email: 'email', email_verified: 'email_verified', given_name: 'given_name' },
      IdpIdentifiers: ['corp.example'],
    }),
  );
  const appClient = async (providers: string[]) => {
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: providers.join('+'),
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: providers,
        CallbackURLs: [CALLBACK],
      }),
    );
    return client.discovery(new URL(`${server.url}/${poolId}`), UserPoolClient!.ClientId!, undefined, client.None(), insecure);
  };
  return {
    server,
    idp,
    external,
    poolId,
    both: await appClient(['COGNITO', PROVIDER]),
    corpOnly: await appClient([PROVIDER]),
    close: async () => {
      await external.close();
      await server.close();
    },
  };
}

/** An authorization request of the app, with extra parameters such as identity_provider. */
const authorization = (config: client.Configuration, extra: Record<string, string> = {}) => authorizationRequest(config, CALLBACK, 'openid email profile', extra);

for (const store of STORES) {
  describe(`federation with an OpenID Connect provider (${store.name})`, { skip: store.skip }, () => {
    let f: Federation;

    before(async () => {
      f = await federate(store.name);
    });
    after(() => f?.close());

    /** Gatehouse → the provider's pages → back to Gatehouse: the URL of Gatehouse's idpresponse. */
    async function throughProvider(browser: FormBrowser, url: URL, account: string): Promise<URL> {
      const toProvider = await browser.get(url);
      assert.equal(toProvider.status, 302);
      const providerUrl = location(toProvider, url.href);
      assert.equal(providerUrl.origin, f.external.issuer, 'sent to the provider');
      assert.equal(providerUrl.searchParams.get('redirect_uri'), `${f.server.url}/${f.poolId}/oauth2/idpresponse`);
      assert.equal(providerUrl.searchParams.get('code_challenge_method'), 'S256');
      assert.ok(providerUrl.searchParams.get('nonce'));
      const back = await signInAtIdp(browser, f.external, providerUrl, account);
      assert.equal(back.pathname, `/${f.poolId}/oauth2/idpresponse`);
      return back;
    }

    /** The whole round trip: the app's callback URL Gatehouse redirected to. */
    async function federatedSignIn(browser: FormBrowser, config: client.Configuration, account: string, extra = { identity_provider: PROVIDER }) {
      const { url, checks } = await authorization(config, extra);
      const back = await throughProvider(browser, url, account);
      const answer = await browser.get(back);
      assert.equal(answer.status, 302, await answer.clone().text());
      return { callback: location(answer, back.href), checks };
    }

    it('signs a person in through the provider: a code for the app, tokens naming the federated user', async () => {
      const browser = new FormBrowser();
      const { callback, checks } = await federatedSignIn(browser, f.both, 'alice');
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      const tokens = await client.authorizationCodeGrant(f.both, callback, checks);
      const claims = tokens.claims()!;
      assert.equal(claims['cognito:username'], `${PROVIDER}_alice`);
      assert.equal(claims.email, 'alice@idp.example');
      assert.equal(claims.email_verified, true);
      assert.deepEqual(claims['cognito:groups'], [`${f.poolId}_${PROVIDER}`], 'the provider’s own group');
      const identities = claims.identities as Record<string, unknown>[];
      assert.equal(identities.length, 1);
      assert.deepEqual(
        { userId: identities[0].userId, providerName: identities[0].providerName, providerType: identities[0].providerType, primary: identities[0].primary },
        { userId: 'alice', providerName: PROVIDER, providerType: 'OIDC', primary: 'true' },
      );
      const info = await client.fetchUserInfo(f.both, tokens.access_token, claims.sub);
      assert.equal(info.email, 'alice@idp.example');
      const refreshed = await client.refreshTokenGrant(f.both, tokens.refresh_token!);
      assert.equal(refreshed.claims()!['cognito:username'], `${PROVIDER}_alice`);

      const user = await f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_alice` }));
      assert.equal(user.UserStatus, 'EXTERNAL_PROVIDER');
      assert.equal(attribute(user.UserAttributes, 'sub'), claims.sub);
      // No password: neither the pool's own sign-in nor its password reset is for this user.
      await rejects(
        f.idp.send(new ForgotPasswordCommand({ ClientId: f.both.clientMetadata().client_id, Username: `${PROVIDER}_alice` })),
        'NotAuthorizedException',
        /User password cannot be reset in the current state\./,
      );
      await rejects(f.idp.send(new AdminResetUserPasswordCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_alice` })), 'NotAuthorizedException');
      await rejects(
        f.idp.send(new InitiateAuthCommand({ ClientId: f.both.clientMetadata().client_id, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: `${PROVIDER}_alice`, PASSWORD } })),
        'NotAuthorizedException',
      );
    });

    it('keeps the user and takes the provider’s current attributes at the next sign-in', async () => {
      f.external.accounts.set('bob', { email: 'bob@idp.example', email_verified: true, given_name: 'Bob' });
      const first = await federatedSignIn(new FormBrowser(), f.both, 'bob');
      const sub = (await client.authorizationCodeGrant(f.both, first.callback, first.checks)).claims()!.sub;
      f.external.accounts.set('bob', { email: 'bob@idp.example', email_verified: true, given_name: 'Robert' });
      const second = await federatedSignIn(new FormBrowser(), f.both, 'bob');
      const claims = (await client.authorizationCodeGrant(f.both, second.callback, second.checks)).claims()!;
      assert.equal(claims.sub, sub, 'the same user');
      assert.equal(claims.given_name, 'Robert');
    });

    it('lives beside a user of the pool’s own directory with the same email address', async () => {
      await f.idp.send(new AdminCreateUserCommand({ UserPoolId: f.poolId, Username: 'carol@idp.example', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
      const { callback, checks } = await federatedSignIn(new FormBrowser(), f.both, 'carol');
      const claims = (await client.authorizationCodeGrant(f.both, callback, checks)).claims()!;
      assert.equal(claims['cognito:username'], `${PROVIDER}_carol`);
      assert.equal(claims.email, 'carol@idp.example');
    });

    it('gives single sign-on: the hosted-UI session of a federated user answers the next request without a page', async () => {
      const browser = new FormBrowser();
      await federatedSignIn(browser, f.both, 'dave');
      const { url } = await authorization(f.corpOnly);
      const again = await browser.get(url);
      assert.equal(again.status, 302);
      const callback = location(again, url.href);
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      assert.ok(callback.searchParams.get('code'));
    });

    it('does not sign a user of the pool’s own directory in to a client that lists only the provider, or a request naming it', async () => {
      const email = 'judy@example.com';
      await f.idp.send(new AdminCreateUserCommand({ UserPoolId: f.poolId, Username: email, MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
      await f.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: f.poolId, Username: email, Password: PASSWORD, Permanent: true }));
      const browser = new FormBrowser();
      const { url } = await authorization(f.both);
      const loginUrl = location(await browser.get(url), url.href);
      const { action, hidden } = readForm(await (await browser.get(loginUrl)).text(), loginUrl.href);
      const signedIn = location(await browser.post(action, { ...hidden, username: email, password: PASSWORD }), action.href);
      assert.ok(signedIn.searchParams.get('code'), 'signed in through the form');
      const other = await authorization(f.corpOnly);
      const answer = location(await browser.get(other.url), other.url.href);
      assert.equal(answer.searchParams.get('code'), null, 'no code from the session');
      assert.equal(answer.searchParams.get('identity_provider'), PROVIDER);
      // Nor to one that asks for the provider by name, even a client that lists COGNITO.
      const named = await authorization(f.both, { identity_provider: PROVIDER });
      assert.equal(location(await browser.get(named.url), named.url.href).origin, f.external.issuer);
    });

    it('offers the provider on the sign-in page, and finds it by its identifier', async () => {
      const browser = new FormBrowser();
      const { url } = await authorization(f.both);
      const toLogin = await browser.get(url);
      const loginUrl = location(toLogin, url.href);
      assert.match(loginUrl.pathname, /\/login$/);
      const page = await (await browser.get(loginUrl)).text();
      const href = /<a class="idpButton-customizable" href="([^"]+)">Continue with Corp<\/a>/.exec(page)?.[1];
      assert.ok(href, 'a link for the provider');
      const choice = new URL(href.replace(/&amp;/g, '&'), loginUrl);
      assert.equal(choice.searchParams.get('identity_provider'), PROVIDER);
      assert.match(page, /name="password"/, 'and the form, since the client lists COGNITO');

      const byIdentifier = await authorization(f.both, { idp_identifier: 'corp.example' });
      const sent = await new FormBrowser().get(byIdentifier.url);
      assert.equal(location(sent, byIdentifier.url.href).origin, f.external.issuer);
    });

    it('sends a client whose only provider is external straight to it, and keeps it off the pool’s own forms', async () => {
      const browser = new FormBrowser();
      const { url } = await authorization(f.corpOnly);
      const first = await browser.get(url);
      const chosen = location(first, url.href);
      assert.equal(chosen.searchParams.get('identity_provider'), PROVIDER);
      const second = await browser.get(chosen);
      assert.equal(location(second, chosen.href).origin, f.external.issuer);
      // The sign-in page offers the provider only, and its form is refused.
      const loginUrl = new URL(`${f.server.url}/${f.poolId}/login${url.search}`);
      const page = await (await browser.get(loginUrl)).text();
      assert.match(page, /Continue with Corp/);
      assert.doesNotMatch(page, /name="password"/);
      // With a CSRF token this browser holds (from a page that has the form), the post is refused for what it is.
      const withForm = await authorization(f.both);
      const formPage = new URL(`${f.server.url}/${f.poolId}/login${withForm.url.search}`);
      const { hidden } = readForm(await (await browser.get(formPage)).text(), formPage.href);
      const posted = await browser.post(loginUrl, { ...hidden, username: 'x@example.com', password: PASSWORD });
      assert.equal(posted.status, 400);
      assert.equal(posted.headers.get('location'), null);
      assert.match(await posted.text(), /COGNITO is not among its supported identity providers/);
    });

    it('refuses an answer that did not start in this browser, was tampered with, or comes twice', async () => {
      const browser = new FormBrowser();
      const { url } = await authorization(f.both, { identity_provider: PROVIDER });
      const back = await throughProvider(browser, url, 'erin');

      const elsewhere = await new FormBrowser().get(back);
      assert.equal(elsewhere.status, 400, 'another browser');
      assert.equal(elsewhere.headers.get('location'), null);

      const tampered = new URL(back);
      tampered.searchParams.set('state', 'forged');
      const copy = new FormBrowser();
      for (const [name, value] of browser.cookies) copy.cookies.set(name, value);
      const forged = await copy.get(tampered);
      assert.equal(forged.status, 400, 'a state this browser did not send');
      assert.equal(forged.headers.get('location'), null);

      assert.equal((await browser.get(back)).status, 302, 'the genuine answer');
      const replayed = await browser.get(back);
      assert.equal(replayed.status, 400, 'the same answer again');
    });

    it('reports to the app, with its state, what went wrong once the request is known good', async () => {
      // The provider refused.
      const refusedBrowser = new FormBrowser();
      const refused = await authorization(f.both, { identity_provider: PROVIDER });
      const toProvider = location(await refusedBrowser.get(refused.url), refused.url.href);
      const idpResponse = new URL(`${f.server.url}/${f.poolId}/oauth2/idpresponse`);
      idpResponse.searchParams.set('state', toProvider.searchParams.get('state')!);
      idpResponse.searchParams.set('error', 'access_denied');
      idpResponse.searchParams.set('error_description', 'The user said no');
      const denied = location(await refusedBrowser.get(idpResponse), idpResponse.href);
      assert.equal(`${denied.origin}${denied.pathname}`, CALLBACK);
      assert.equal(denied.searchParams.get('error'), 'access_denied');
      assert.equal(denied.searchParams.get('state'), refused.checks.expectedState);
      assert.match(denied.searchParams.get('error_description')!, /Corp answered access_denied: The user said no/);

      // A code the provider never issued.
      const browser = new FormBrowser();
      const { url, checks } = await authorization(f.both, { identity_provider: PROVIDER });
      const back = await throughProvider(browser, url, 'frank');
      back.searchParams.set('code', 'not-a-code-the-provider-issued');
      const failed = location(await browser.get(back), back.href);
      assert.equal(failed.searchParams.get('error'), 'invalid_request');
      assert.equal(failed.searchParams.get('state'), checks.expectedState);
      assert.match(failed.searchParams.get('error_description')!, /could not be completed/);

      // The provider gives no email, which the pool requires.
      f.external.accounts.set('grace', { given_name: 'Grace' });
      const missing = await federatedSignIn(new FormBrowser(), f.both, 'grace');
      assert.equal(missing.callback.searchParams.get('error'), 'invalid_request');
      assert.match(missing.callback.searchParams.get('error_description')!, /email/);
      await rejects(f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_grace` })), 'UserNotFoundException');
    });

    it('refuses a disabled federated user, and signs the user in again once enabled', async () => {
      await federatedSignIn(new FormBrowser(), f.both, 'heidi');
      await f.idp.send(new AdminDisableUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_heidi` }));
      const disabled = await federatedSignIn(new FormBrowser(), f.both, 'heidi');
      assert.equal(disabled.callback.searchParams.get('error'), 'invalid_request');
      assert.equal(disabled.callback.searchParams.get('error_description'), 'User is disabled.');
      await f.idp.send(new AdminEnableUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_heidi` }));
      const enabled = await federatedSignIn(new FormBrowser(), f.both, 'heidi');
      assert.ok(enabled.callback.searchParams.get('code'));
    });

    /** A confirmed user of the pool's own directory, by email; its username (a UUID in this pool) and sub. */
    async function directoryUser(email: string) {
      await f.idp.send(new AdminCreateUserCommand({ UserPoolId: f.poolId, Username: email, MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
      await f.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: f.poolId, Username: email, Password: PASSWORD, Permanent: true }));
      const user = await f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: email }));
      return { username: user.Username!, sub: attribute(user.UserAttributes, 'sub')! };
    }
    const link = (destination: string, name: string, value: string, provider = PROVIDER) =>
      f.idp.send(
        new AdminLinkProviderForUserCommand({
          UserPoolId: f.poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: destination },
          SourceUser: { ProviderName: provider, ProviderAttributeName: name, ProviderAttributeValue: value },
        }),
      );
    const unlink = (name: string, value: string, provider = PROVIDER) =>
      f.idp.send(new AdminDisableProviderForUserCommand({ UserPoolId: f.poolId, User: { ProviderName: provider, ProviderAttributeName: name, ProviderAttributeValue: value } }));
    const signInClaims = async (account: string) => {
      const { callback, checks } = await federatedSignIn(new FormBrowser(), f.both, account);
      return (await client.authorizationCodeGrant(f.both, callback, checks)).claims()!;
    };

    it('signs a linked provider user in as the directory user it was linked to, by its subject', async () => {
      const kim = await directoryUser('kim@example.com');
      await link('kim@example.com', 'Cognito_Subject', 'kim-at-corp');
      const identities = JSON.parse(attribute((await f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: kim.username }))).UserAttributes, 'identities')!);
      assert.deepEqual(
        identities.map((i: Record<string, string>) => [i.providerName, i.userId, i.primary]),
        [[PROVIDER, 'kim-at-corp', 'false']],
      );
      const claims = await signInClaims('kim-at-corp');
      assert.equal(claims.sub, kim.sub);
      assert.equal(claims['cognito:username'], kim.username);
      await rejects(f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_kim-at-corp` })), 'UserNotFoundException');
      await link('kim@example.com', 'Cognito_Subject', 'kim-at-corp'); // the same link again changes nothing
    });

    it('links by a mapped attribute until the first sign-in, then by subject; unlinking makes the provider user a stranger again', async () => {
      const lee = await directoryUser('lee@example.com');
      f.external.accounts.set('lee', { email: 'lee.work@idp.example', email_verified: true });
      await link('lee@example.com', 'email', 'lee.work@idp.example');
      assert.equal((await signInClaims('lee')).sub, lee.sub);
      // The link now holds by subject: the email the provider gives may change.
      f.external.accounts.set('lee', { email: 'lee.new@idp.example', email_verified: true });
      assert.equal((await signInClaims('lee')).sub, lee.sub);
      await rejects(unlink('email', 'lee.work@idp.example'), 'UserNotFoundException');
      await unlink('Cognito_Subject', 'lee');
      const after = await f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: lee.username }));
      assert.equal(attribute(after.UserAttributes, 'identities'), undefined);
      const stranger = await signInClaims('lee');
      assert.equal(stranger['cognito:username'], `${PROVIDER}_lee`);
      assert.notEqual(stranger.sub, lee.sub);
    });

    it('refuses links Cognito refuses, with its errors', async () => {
      await directoryUser('max@example.com');
      await signInClaims('mia');
      await rejects(link('max@example.com', 'Cognito_Subject', 'mia'), 'InvalidParameterException', /Merging is not currently supported/);
      await rejects(link('nobody@example.com', 'Cognito_Subject', 'x'), 'UserNotFoundException');
      await rejects(link('max@example.com', 'Cognito_Subject', 'x', 'Nowhere'), 'InvalidParameterException', /The provider Nowhere does not exist/);
      await rejects(link('max@example.com', 'family_name', 'x'), 'InvalidParameterException', /maps/);
      await rejects(link(`${PROVIDER}_mia`, 'Cognito_Subject', 'y'), 'InvalidParameterException', /itself a user of an identity provider/);
      await link('max@example.com', 'Cognito_Subject', 'max-at-corp');
      await directoryUser('ned@example.com');
      await rejects(link('ned@example.com', 'Cognito_Subject', 'max-at-corp'), 'AliasExistsException');
      for (const n of [1, 2, 3, 4]) await link('ned@example.com', 'Cognito_Subject', `ned-${n}`);
      await link('ned@example.com', 'email', 'ned@idp.example');
      await rejects(link('ned@example.com', 'Cognito_Subject', 'ned-6'), 'LimitExceededException');
      await rejects(unlink('Cognito_Subject', 'never-seen'), 'UserNotFoundException');
    });

    it('refuses a link to another provider\'s user, turning off a directory user\'s password, and a linked user who may not sign in yet', async () => {
      await rejects(
        f.idp.send(
          new AdminLinkProviderForUserCommand({
            UserPoolId: f.poolId,
            DestinationUser: { ProviderName: PROVIDER, ProviderAttributeValue: 'someone' },
            SourceUser: { ProviderName: PROVIDER, ProviderAttributeName: 'Cognito_Subject', ProviderAttributeValue: 'someone-else' },
          }),
        ),
        'InvalidParameterException',
        /DestinationUser.ProviderName must be Cognito/,
      );
      await rejects(unlink('Cognito_Subject', 'x', 'Cognito'), 'InvalidParameterException', /AdminDisableUser/);
      // A directory user still on a temporary password: linked, but not signed in through the provider.
      await f.idp.send(new AdminCreateUserCommand({ UserPoolId: f.poolId, Username: 'quinn@example.com', MessageAction: 'SUPPRESS', TemporaryPassword: PASSWORD }));
      await link('quinn@example.com', 'Cognito_Subject', 'quinn-at-corp');
      const refused = await federatedSignIn(new FormBrowser(), f.both, 'quinn-at-corp');
      assert.equal(refused.callback.searchParams.get('error'), 'invalid_request');
      assert.match(refused.callback.searchParams.get('error_description')!, /FORCE_CHANGE_PASSWORD/);
    });

    it('reads userInfo with a POST where the provider\'s attributes_request_method says so', async () => {
      await f.idp.send(
        new CreateIdentityProviderCommand({
          UserPoolId: f.poolId,
          ProviderName: 'CorpPost',
          ProviderType: 'OIDC',
          ProviderDetails: {
            client_id: f.external.clientId,
            client_secret: f.external.clientSecret,
            authorize_scopes: 'openid email profile',
            attributes_request_method: 'POST',
            oidc_issuer: f.external.issuer,
          },
          AttributeMapping: { email: 'email', given_name: 'given_name' },
        }),
      );
      const { UserPoolClient } = await f.idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: f.poolId,
          ClientName: 'post',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'email', 'profile'],
          SupportedIdentityProviders: ['CorpPost'],
          CallbackURLs: [CALLBACK],
        }),
      );
      const config = await client.discovery(new URL(`${f.server.url}/${f.poolId}`), UserPoolClient!.ClientId!, undefined, client.None(), insecure);
      // The ID token carries only sub (oidc-provider's default): the given name can only come from userInfo.
      f.external.accounts.set('rosa', { email: 'rosa@idp.example', given_name: 'Rosa' });
      const { callback, checks } = await federatedSignIn(new FormBrowser(), config, 'rosa', { identity_provider: 'CorpPost' });
      const claims = (await client.authorizationCodeGrant(config, callback, checks)).claims()!;
      assert.equal(claims['cognito:username'], 'CorpPost_rosa');
      assert.equal(claims.given_name, 'Rosa');
    });

    it('disables a provider user that is not linked, as AdminDisableUser does', async () => {
      await signInClaims('olga');
      await unlink('Cognito_Subject', 'olga');
      const user = await f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_olga` }));
      assert.equal(user.Enabled, false);
      const refused = await federatedSignIn(new FormBrowser(), f.both, 'olga');
      assert.equal(refused.callback.searchParams.get('error_description'), 'User is disabled.');
    });

    it('shows an error page, never a redirect, for a provider the client does not list or the pool does not have', async () => {
      for (const name of ['Nobody', 'COGNITO']) {
        const { url } = await authorization(f.corpOnly, { identity_provider: name });
        const answer = await new FormBrowser().get(url);
        assert.equal(answer.status, 400, name);
        assert.equal(answer.headers.get('location'), null);
        assert.match(await answer.text(), /Login option is not available/);
      }
      const unknown = await authorization(f.both, { idp_identifier: 'nowhere.example' });
      assert.equal((await new FormBrowser().get(unknown.url)).status, 400);
    });
  });
}

describe('federation and the pre sign-up function', () => {
  let f: Federation;
  // The fixture keeps every event it hears here.
  const events: { triggerSource: string; userName: string }[] = [];
  (globalThis as { preSignUpEvents?: unknown[] }).preSignUpEvents = events;
  before(async () => {
    f = await federate('sqlite', {
      server: { lambdaFunctions: { 'pre-sign-up': { module: fileURLToPath(new URL('./fixtures/pre-sign-up.mjs', import.meta.url)) } } },
      pool: { LambdaConfig: { PreSignUp: 'arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up' } },
    });
  });
  after(() => f?.close());

  it('hears PreSignUp_ExternalProvider at a provider user’s first sign-in, and its refusal reaches the app', async () => {
    const { url, checks } = await authorization(f.both, { identity_provider: PROVIDER });
    const browser = new FormBrowser();
    const toProvider = location(await browser.get(url), url.href);
    const back = await signInAtIdp(browser, f.external, toProvider, 'pat');
    const refused = location(await browser.get(back), back.href);
    assert.equal(refused.searchParams.get('error'), 'invalid_request');
    assert.equal(refused.searchParams.get('state'), checks.expectedState);
    assert.match(refused.searchParams.get('error_description')!, /PreSignUp failed with error An invitation is required/);
    const heard = events.at(-1)!;
    assert.equal(heard.triggerSource, 'PreSignUp_ExternalProvider');
    assert.equal(heard.userName, `${PROVIDER}_pat`);
    await rejects(f.idp.send(new AdminGetUserCommand({ UserPoolId: f.poolId, Username: `${PROVIDER}_pat` })), 'UserNotFoundException');
  });
});

describe('federation in Chromium', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: skipped` }, () => {
  let f: Federation;
  before(async () => {
    f = await federate('sqlite');
  });
  after(() => f?.close());

  it('a person chooses the provider on the sign-in page, signs in there and lands on the app', async () => {
    const userDataDir = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 640, height: 760 },
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      // The app is not running: the browser's request for the callback is answered here.
      let landed: URL | undefined;
      await page.route(`${APP}/**`, (route) => {
        landed = new URL(route.request().url());
        return route.fulfill({ status: 200, contentType: 'text/html', body: '<!DOCTYPE html><title>App</title><h1>Signed in</h1>' });
      });
      const { url, checks } = await authorization(f.both);
      await page.goto(url.href);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      mkdirSync(join(process.cwd(), 'test-artifacts'), { recursive: true });
      await page.screenshot({ path: join(process.cwd(), 'test-artifacts', 'sign-in-with-provider.png'), fullPage: true });
      await page.getByRole('link', { name: 'Continue with Corp' }).click();
      await page.locator('input[name="login"]').fill('ivan');
      await page.locator('input[name="password"]').fill('anything');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('heading', { name: 'Signed in' }).waitFor();
      assert.ok(landed);
      const tokens = await client.authorizationCodeGrant(f.both, landed, checks);
      assert.equal(tokens.claims()!['cognito:username'], `${PROVIDER}_ivan`);
    } finally {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    }
  });
});
