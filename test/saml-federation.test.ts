import assert from 'node:assert/strict';
import { generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  DeleteIdentityProviderCommand,
  DescribeIdentityProviderCommand,
  GetSigningCertificateCommand,
  UpdateIdentityProviderCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { rejects } from './helpers/assertions.js';
import { FormBrowser, location } from './helpers/form-browser.js';
import { authorizationRequest } from './helpers/relying-party.js';
import { encryptAssertion, logoutResponseForm, logoutResponseQuery, readLogoutRequest, samlResponse, type AuthnRequest, type TestSamlIdp } from './helpers/saml-idp.js';
import { EMAIL_CLAIM, SAML_CALLBACK as CALLBACK, SAML_SIGNED_OUT as SIGNED_OUT, samlFederation, type SamlFederation } from './helpers/saml-federation.js';
import type { TestServer } from './helpers/server.js';
import { rawRow, STORES } from './helpers/stores.js';

/** Given by MetadataFile; `SamlByUrl` is the same IdP given by MetadataURL. */
const PROVIDER = 'Saml';
const BY_URL = 'SamlByUrl';

for (const store of STORES) {
  describe(`federation with a SAML 2.0 identity provider (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let external: TestSamlIdp;
    let poolId: string;
    let app: client.Configuration;
    let close: () => Promise<void>;
    let fed: SamlFederation;

    before(async () => {
      ({ server, idp, external, poolId, app, close } = fed = await samlFederation(store.name, (idp) => ({
        [PROVIDER]: { MetadataFile: idp.metadata },
        [BY_URL]: { MetadataURL: idp.metadataUrl },
      })));
    });
    after(() => close?.());

    /** The AuthnRequest the IdP receives, as Cognito would send it. */
    async function toIdp(browser: FormBrowser, provider = PROVIDER) {
      const { request, checks } = await fed.toIdp(browser, provider);
      assert.equal(request.acsUrl, `${server.url}/${poolId}/saml2/idpresponse`);
      assert.equal(request.issuer, `urn:amazon:cognito:sp:${poolId}`);
      // The SAML bindings allow a RelayState of 80 bytes, and IdPs cut longer ones.
      assert.ok(request.relayState && request.relayState.length <= 80, `a RelayState of at most 80 bytes: ${request.relayState}`);
      return { request, checks };
    }

    /** The IdP's page posts the response to the ACS: Gatehouse's continuation URL. */
    async function postToAcs(request: AuthnRequest, response: string): Promise<URL> {
      const posted = await fed.postToAcs(request, response);
      assert.equal(posted.status, 303, await posted.clone().text());
      return location(posted, request.acsUrl);
    }

    async function signIn(provider: string, nameId: string, attributes: Record<string, string | string[]>) {
      const browser = new FormBrowser();
      const { request, checks } = await toIdp(browser, provider);
      const next = await postToAcs(request, samlResponse(external, request, { nameId, attributes }));
      const answer = await browser.get(next);
      assert.equal(answer.status, 302, await answer.clone().text());
      return { callback: location(answer, next.href), checks };
    }

    it('signs a person in through the IdP: a code for the app, tokens naming the user by its NameID', async () => {
      const { callback, checks } = await signIn(PROVIDER, 'alice', { [EMAIL_CLAIM]: 'alice@idp.example', groups: ['admins', 'staff'] });
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      const claims = (await client.authorizationCodeGrant(app, callback, checks)).claims()!;
      assert.equal(claims['cognito:username'], `${PROVIDER}_alice`);
      assert.equal(claims.email, 'alice@idp.example');
      assert.equal(claims.family_name, 'admins,staff', 'a multi-valued attribute, its values joined with commas');
      const identities = claims.identities as Record<string, unknown>[];
      assert.deepEqual(
        { userId: identities[0].userId, providerName: identities[0].providerName, providerType: identities[0].providerType },
        { userId: 'alice', providerName: PROVIDER, providerType: 'SAML' },
      );
    });

    it('reads the IdP from its MetadataURL', async () => {
      const { callback, checks } = await signIn(BY_URL, 'bob', { [EMAIL_CLAIM]: 'bob@idp.example' });
      const claims = (await client.authorizationCodeGrant(app, callback, checks)).claims()!;
      assert.equal(claims['cognito:username'], `${BY_URL}_bob`);
      assert.equal(claims.email, 'bob@idp.example');
    });

    it('signs out here only when the provider has no IDPSignout: straight to the logout_uri', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const next = await postToAcs(request, samlResponse(external, request, { nameId: 'olga', attributes: { [EMAIL_CLAIM]: 'olga@idp.example' } }));
      assert.ok(location(await browser.get(next), next.href).searchParams.get('code'));
      const url = `${server.url}/${poolId}/logout?${new URLSearchParams({ client_id: app.clientMetadata().client_id, logout_uri: SIGNED_OUT })}`;
      assert.equal(location(await browser.get(url), url).href, SIGNED_OUT);
    });

    it('refuses a response signed with another key: the client hears invalid_request', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const next = await postToAcs(request, samlResponse(external, request, { nameId: 'mallory', attributes: { [EMAIL_CLAIM]: 'mallory@idp.example' }, key }));
      const answer = await browser.get(next);
      assert.equal(answer.status, 302);
      const callback = location(answer, next.href);
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.equal(callback.searchParams.get('code'), null);
      assert.match(callback.searchParams.get('error_description') ?? '', /signature/i);
    });

    it('refuses an expired assertion', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const next = await postToAcs(request, samlResponse(external, request, { nameId: 'alice', notOnOrAfter: new Date(Date.now() - 10 * 60_000) }));
      const callback = location(await browser.get(next), next.href);
      assert.equal(callback.searchParams.get('error'), 'invalid_request');
      assert.match(callback.searchParams.get('error_description') ?? '', /expired/);
    });

    it('refuses a response that does not answer this browser’s request', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const next = await postToAcs(request, samlResponse(external, request, { nameId: 'alice', inResponseTo: '_someone-elses-request' }));
      const answer = await browser.get(next);
      assert.equal(answer.status, 400);
      assert.match(await answer.text(), /not for the sign-in this browser started/);
    });

    it('takes a continuation once, and only in the browser that started the sign-in', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const next = await postToAcs(request, samlResponse(external, request, { nameId: 'carol', attributes: { [EMAIL_CLAIM]: 'carol@idp.example' } }));

      const other = new FormBrowser();
      await toIdp(other);
      const elsewhere = await other.get(next);
      assert.equal(elsewhere.status, 400, 'another browser, with a sign-in of its own');
      assert.equal((await new FormBrowser().get(next)).status, 400, 'a browser with no sign-in');

      assert.equal((await browser.get(next)).status, 302, 'the browser that asked');
      assert.equal((await browser.get(next)).status, 400, 'replayed');
    });

    it('refuses a post with no RelayState, and an unsolicited response from a provider without IDPInit', async () => {
      const browser = new FormBrowser();
      const { request } = await toIdp(browser);
      const posted = await new FormBrowser().post(request.acsUrl, { SAMLResponse: samlResponse(external, request, { nameId: 'alice' }) });
      assert.equal(posted.status, 400);
      assert.equal(posted.headers.get('location'), null);
      // The app is public, so its request carries a PKCE challenge, IdP-initiated or not.
      const pkce = { code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' };
      const relayState = new URLSearchParams({ identity_provider: PROVIDER, client_id: app.clientMetadata().client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', ...pkce });
      const unsolicited = samlResponse(external, request, { nameId: 'alice', inResponseTo: null, issuedAt: new Date() });
      const refused = location(await new FormBrowser().post(request.acsUrl, { SAMLResponse: unsolicited, RelayState: relayState.toString() }), request.acsUrl);
      assert.equal(`${refused.origin}${refused.pathname}`, CALLBACK);
      assert.equal(refused.searchParams.get('error'), 'invalid_request');
      assert.match(refused.searchParams.get('error_description')!, /IDPInit/);
    });
  });

  describe(`SAML signing, encryption and single logout (${store.name})`, { skip: store.skip }, () => {
    const SEALED = 'Sealed';
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let external: TestSamlIdp;
    let poolId: string;
    let app: client.Configuration;
    let close: () => Promise<void>;
    let fed: SamlFederation;

    before(async () => {
      ({ server, idp, external, poolId, app, close } = fed = await samlFederation(store.name, (idp) => ({
        [SEALED]: { MetadataFile: idp.metadata, RequestSigningAlgorithm: 'rsa-sha256', EncryptedResponses: 'true', IDPSignout: 'true' },
      })));
    });
    after(() => close?.());

    const describeSealed = async () => (await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: SEALED }))).IdentityProvider!;

    const toIdp = (browser: FormBrowser) => fed.toIdp(browser, SEALED, 'openid email');

    it('GetSigningCertificate: the pool’s certificate, good for ten years, the same every time', async () => {
      const { Certificate } = await idp.send(new GetSigningCertificateCommand({ UserPoolId: poolId }));
      const certificate = new X509Certificate(Buffer.from(Certificate!, 'base64'));
      const years = (Date.parse(certificate.validTo) - Date.parse(certificate.validFrom)) / (365.25 * 24 * 3600_000);
      assert.ok(years > 9.9 && years < 10.1, `valid for ${years} years`);
      assert.equal((await idp.send(new GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate, Certificate);
      const stored = await rawRow(server.store, 'saml_signing_certificates', { pool_id: poolId });
      assert.doesNotMatch(String(stored.private_key), /PRIVATE KEY/, 'the signing key is sealed at rest');
      const sealed = await rawRow(server.store, 'identity_providers', { pool_id: poolId, provider_name: SEALED });
      assert.doesNotMatch(String(sealed.details), /PRIVATE KEY/, 'and so is the encryption key');
      await rejects(idp.send(new GetSigningCertificateCommand({ UserPoolId: 'us-east-1_nosuchpool' })), 'ResourceNotFoundException');
    });

    it('signs its AuthnRequests (HTTP-Redirect binding, RSA-SHA256) with the key of that certificate', async () => {
      const { idpUrl } = await toIdp(new FormBrowser());
      assert.equal(idpUrl.searchParams.get('SigAlg'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      // SAML Bindings §3.4.4.1: the signature covers SAMLRequest, RelayState and SigAlg, as they are in the query.
      const parts = idpUrl.search.slice(1).split('&');
      const signed = ['SAMLRequest', 'RelayState', 'SigAlg'].map((name) => parts.find((part) => part.startsWith(`${name}=`))!).join('&');
      const { Certificate } = await idp.send(new GetSigningCertificateCommand({ UserPoolId: poolId }));
      const publicKey = new X509Certificate(Buffer.from(Certificate!, 'base64')).publicKey;
      assert.ok(verify('sha256', Buffer.from(signed), publicKey, Buffer.from(idpUrl.searchParams.get('Signature')!, 'base64')), 'the signature checks out');
    });

    it('shows the provider’s encryption certificate, never its key, and keeps it when the provider is updated', async () => {
      const provider = await describeSealed();
      const certificate = provider.ProviderDetails!.ActiveEncryptionCertificate!;
      assert.ok(new X509Certificate(Buffer.from(certificate, 'base64')).publicKey);
      assert.equal(provider.ProviderDetails!.encryption_private_key, undefined);
      await idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: SEALED, ProviderDetails: provider.ProviderDetails, AttributeMapping: { email: EMAIL_CLAIM } }));
      assert.equal((await describeSealed()).ProviderDetails!.ActiveEncryptionCertificate, certificate);
    });

    /** A browser signed in through the IdP (an encrypted assertion for `nameId`), with its session cookie. */
    async function signedInBrowser(nameId: string) {
      const certificate = (await describeSealed()).ProviderDetails!.ActiveEncryptionCertificate!;
      const browser = new FormBrowser();
      const { request, checks } = await toIdp(browser);
      const response = await encryptAssertion(samlResponse(external, request, { nameId, attributes: { [EMAIL_CLAIM]: `${nameId}@idp.example` } }), certificate);
      const next = location(await fed.postToAcs(request, response), request.acsUrl);
      const callback = location(await browser.get(next), next.href);
      return { browser, callback, checks };
    }

    const signOut = (browser: FormBrowser) => fed.signOut(browser);

    it('ends the session at the IdP too (IDPSignout): a signed LogoutRequest, then the app’s logout_uri once the IdP answers', async () => {
      const { browser, callback } = await signedInBrowser('jay');
      assert.ok(callback.searchParams.get('code'));
      const sloUrl = await signOut(browser);
      assert.equal(`${sloUrl.origin}${sloUrl.pathname}`, external.sloUrl, 'sent to the IdP’s SingleLogoutService');
      assert.equal(sloUrl.searchParams.get('SigAlg'), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      const request = readLogoutRequest(sloUrl);
      assert.equal(request.nameId, 'jay');
      assert.ok(request.sessionIndex, 'naming the IdP’s session');
      assert.equal(request.issuer, `urn:amazon:cognito:sp:${poolId}`);
      assert.ok(request.relayState.length <= 80, `a RelayState of at most 80 bytes: ${request.relayState}`);

      const answered = `${server.url}/${poolId}/saml2/logout?${logoutResponseQuery(external, request)}`;
      const back = await browser.get(answered);
      assert.equal(back.status, 302, await back.clone().text());
      assert.equal(location(back, server.url).href, SIGNED_OUT);
      // The answer is taken once: the same one again goes nowhere.
      const again = await browser.get(answered);
      assert.equal(again.status, 400);
      assert.match(await again.text(), /used already/);
      // Signed out here as well: the next sign-in goes to the IdP again.
      const { url } = await authorizationRequest(app, CALLBACK, 'openid email', { identity_provider: SEALED });
      assert.equal(location(await browser.get(url), url.href).origin, new URL(external.ssoUrl).origin);
    });

    it('takes the LogoutResponse by the HTTP-POST binding too, as Cognito asks of IdPs', async () => {
      const { browser } = await signedInBrowser('lee');
      const request = readLogoutRequest(await signOut(browser));
      const back = await browser.post(`${server.url}/${poolId}/saml2/logout`, logoutResponseForm(external, request));
      assert.equal(back.status, 303, await back.clone().text());
      assert.equal(location(back, server.url).href, SIGNED_OUT);
    });

    it('refuses a LogoutResponse that is unsigned, signed by another key, answers another request or says no, by either binding, with a page that says the app signed out', async () => {
      const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      for (const options of [{ signed: false }, { key }, { inResponseTo: '_another-request' }, { status: 'Responder' }]) {
        for (const binding of ['redirect', 'post'] as const) {
          const { browser } = await signedInBrowser('kim');
          const request = readLogoutRequest(await signOut(browser));
          const back =
            binding === 'redirect'
              ? await browser.get(`${server.url}/${poolId}/saml2/logout?${logoutResponseQuery(external, request, options)}`)
              : await browser.post(`${server.url}/${poolId}/saml2/logout`, logoutResponseForm(external, request, options));
          assert.equal(back.status, 400, `${binding} ${JSON.stringify(options)}`);
          assert.equal(back.headers.get('location'), null);
          assert.match(await back.text(), /You are signed out of this app\./);
        }
      }
      const forged = await new FormBrowser().get(`${server.url}/${poolId}/saml2/logout?SAMLResponse=x&RelayState=not-ours`);
      assert.equal(forged.status, 400);
      assert.match(await forged.text(), /not for a sign-out started here/);
    });

    it('takes an assertion encrypted to that certificate, and refuses one in the clear', async () => {
      const certificate = (await describeSealed()).ProviderDetails!.ActiveEncryptionCertificate!;
      const browser = new FormBrowser();
      const { request, checks } = await toIdp(browser);
      const response = await encryptAssertion(samlResponse(external, request, { nameId: 'ivy', attributes: { [EMAIL_CLAIM]: 'ivy@idp.example' } }), certificate);
      assert.doesNotMatch(Buffer.from(response, 'base64').toString(), /ivy@idp\.example/, 'the browser cannot read it');
      const posted = await new FormBrowser().post(request.acsUrl, { SAMLResponse: response, RelayState: request.relayState });
      const next = location(posted, request.acsUrl);
      const callback = location(await browser.get(next), next.href);
      const claims = (await client.authorizationCodeGrant(app, callback, checks)).claims()!;
      assert.equal(claims['cognito:username'], `${SEALED}_ivy`);
      assert.equal(claims.email, 'ivy@idp.example');

      const other = new FormBrowser();
      const clear = await toIdp(other);
      const plain = await new FormBrowser().post(clear.request.acsUrl, { SAMLResponse: samlResponse(external, clear.request, { nameId: 'ivy' }), RelayState: clear.request.relayState });
      const refusedAt = location(plain, clear.request.acsUrl);
      const refused = location(await other.get(refusedAt), refusedAt.href);
      assert.equal(refused.searchParams.get('error'), 'invalid_request');
      assert.match(refused.searchParams.get('error_description')!, /must carry one encrypted assertion/);
    });
  });

  describe(`IdP-initiated sign-in through a SAML 2.0 identity provider (${store.name})`, { skip: store.skip }, () => {
    const PORTAL = 'Portal';
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let external: TestSamlIdp;
    let poolId: string;
    let acsUrl: string;
    let app: client.Configuration;
    let close: () => Promise<void>;

    before(async () => {
      ({ server, idp, external, poolId, app, close } = await samlFederation(store.name, (idp) => ({ [PORTAL]: { MetadataFile: idp.metadata, IDPInit: 'true' } }), { confidential: true }));
      acsUrl = `${server.url}/${poolId}/saml2/idpresponse`;
    });
    after(() => close?.());

    /** What the IdP's portal posts: an assertion answering no AuthnRequest, and the app's authorization request as RelayState. */
    async function fromPortal(response: string, state = 'from-the-portal') {
      const relayState = new URLSearchParams({ identity_provider: PORTAL, client_id: app.clientMetadata().client_id, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid email', state });
      const posted = await new FormBrowser().post(acsUrl, { SAMLResponse: response, RelayState: relayState.toString() });
      assert.equal(posted.status, 302, await posted.clone().text());
      const callback = location(posted, acsUrl);
      assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
      assert.equal(callback.searchParams.get('state'), state);
      return callback;
    }
    const unsolicited = (nameId: string, extra: { issuedAt?: Date; inResponseTo?: string } = {}) =>
      samlResponse(external, { id: '', acsUrl, issuer: `urn:amazon:cognito:sp:${poolId}`, relayState: '' }, { nameId, attributes: { [EMAIL_CLAIM]: `${nameId}@idp.example` }, inResponseTo: null, issuedAt: new Date(), ...extra });

    it('signs a person in from the IdP’s portal: the RelayState names the app, which gets a code at its callback', async () => {
      const callback = await fromPortal(unsolicited('dana'));
      const tokens = await client.authorizationCodeGrant(app, callback, { expectedState: 'from-the-portal' });
      const claims = tokens.claims()!;
      assert.equal(claims['cognito:username'], `${PORTAL}_dana`);
      assert.equal(claims.email, 'dana@idp.example');
    });

    it('takes an assertion once', async () => {
      const response = unsolicited('erin');
      assert.ok((await fromPortal(response)).searchParams.get('code'));
      const replayed = await fromPortal(response);
      assert.equal(replayed.searchParams.get('code'), null);
      assert.equal(replayed.searchParams.get('error'), 'invalid_request');
      assert.match(replayed.searchParams.get('error_description')!, /used already/);
    });

    it('refuses an assertion issued more than six minutes ago, or one answering an AuthnRequest', async () => {
      const old = await fromPortal(unsolicited('fred', { issuedAt: new Date(Date.now() - 7 * 60_000) }));
      assert.match(old.searchParams.get('error_description')!, /issued in the last 6 minutes/);
      const answering = await fromPortal(unsolicited('fred', { inResponseTo: '_an-authn-request' }));
      assert.match(answering.searchParams.get('error_description')!, /not for an IdP-initiated sign-in/);
    });

    it('shows an error page, and redirects nowhere, for a RelayState naming no client of the pool', async () => {
      const relayState = new URLSearchParams({ identity_provider: PORTAL, client_id: 'no-such-client', redirect_uri: CALLBACK, response_type: 'code' });
      const posted = await new FormBrowser().post(acsUrl, { SAMLResponse: unsolicited('gina'), RelayState: relayState.toString() });
      assert.equal(posted.status, 400);
      assert.equal(posted.headers.get('location'), null);
    });

    it('lets an app client that supports an IdP-initiated SAML provider support only SAML providers', async () => {
      await rejects(
        idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'mixed', SupportedIdentityProviders: ['COGNITO', PORTAL] })),
        'InvalidParameterException',
        /Portal allows IdP-initiated sign-in, so an app client that supports it may support only SAML providers, not COGNITO/,
      );
      // Nor can a provider with IDPInit be made under a name a client lists that way (a deleted provider's name stays on it).
      await idp.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Gone', ProviderType: 'SAML', ProviderDetails: { MetadataFile: external.metadata } }));
      await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'stale', SupportedIdentityProviders: ['COGNITO', 'Gone'] }));
      await idp.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Gone' }));
      await rejects(
        idp.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Gone', ProviderType: 'SAML', ProviderDetails: { MetadataFile: external.metadata, IDPInit: 'true' } })),
        'InvalidParameterException',
        /Gone allows IdP-initiated sign-in.*not COGNITO/,
      );
      // Nor can IDPInit be turned on for a provider a client already lists that way.
      await idp.send(new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Later', ProviderType: 'SAML', ProviderDetails: { MetadataFile: external.metadata } }));
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'both', SupportedIdentityProviders: ['COGNITO', 'Later'] }));
      await rejects(
        idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Later', ProviderDetails: { MetadataFile: external.metadata, IDPInit: 'true' } })),
        'InvalidParameterException',
        new RegExp(`Later allows IdP-initiated sign-in.*not COGNITO\\. App client ${UserPoolClient!.ClientId} supports it that way\\.`),
      );
    });
  });
}
