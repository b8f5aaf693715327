import assert from 'node:assert/strict';
import { createSign, randomBytes, randomUUID } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  DescribeIdentityProviderCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { FormBrowser, location } from './helpers/form-browser.js';
import { authorizationRequest } from './helpers/relying-party.js';
import { encryptAssertion, IDP_KEY, readLogoutRequest, samlResponse, type AuthnRequest, type LogoutRequest, type TestSamlIdp } from './helpers/saml-idp.js';
import { EMAIL_CLAIM, SAML_CALLBACK as CALLBACK, SAML_SIGNED_OUT as SIGNED_OUT, samlFederation, type SamlFederation } from './helpers/saml-federation.js';
import type { TestServer } from './helpers/server.js';
import { rawRows, STORES } from './helpers/stores.js';

/** Encrypted assertions and single logout: where the deflate bomb and the assertion-count rules apply. */
const SEALED = 'Sealed';
/** Nothing switched on: the plain Assertion Consumer Service. */
const PLAIN = 'Plain';
/** IDPSignout on, but metadata that gives no usable HTTP-Redirect SingleLogoutService (none, POST only, plain http elsewhere). */
const NO_SLO = { NoSlo: 'none', PostSlo: 'post-only', HttpSlo: 'plain-http' } as const;
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

/** The test IdP's metadata with its SingleLogoutService removed, or changed so that no HTTP-Redirect one Gatehouse may call is left. */
function metadataWithoutSlo(metadata: string, how: (typeof NO_SLO)[keyof typeof NO_SLO]): string {
  const slo = /<md:SingleLogoutService [^>]*\/>/;
  assert.match(metadata, slo);
  if (how === 'none') return metadata.replace(slo, '');
  if (how === 'post-only') return metadata.replace(slo, (tag) => tag.replace(REDIRECT_BINDING, 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST'));
  return metadata.replace(slo, (tag) => tag.replace(/Location="[^"]*"/, 'Location="http://idp.example/slo"'));
}

/** `bytes` of zeros, deflated: about a thousandth of that on the wire, as the HTTP-Redirect binding carries it (base64). */
const deflateBomb = (bytes: number) => deflateRawSync(Buffer.alloc(bytes)).toString('base64');

for (const store of STORES) {
  describe(`SAML federation refuses bad input (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let external: TestSamlIdp;
    let poolId: string;
    let app: client.Configuration;
    let fed: SamlFederation;
    /** How far the server's clock runs ahead of the real one; reset after each test. */
    let skewMs = 0;

    // One pool, one IdP, a provider per configuration under test, and an app client listing them all.
    before(async () => {
      fed = await samlFederation(
        store.name,
        (external) => ({
          [SEALED]: { MetadataFile: external.metadata, EncryptedResponses: 'true', IDPSignout: 'true' },
          [PLAIN]: { MetadataFile: external.metadata },
          ...Object.fromEntries(Object.entries(NO_SLO).map(([name, how]) => [name, { MetadataFile: metadataWithoutSlo(external.metadata, how), IDPSignout: 'true' }])),
        }),
        { overrides: { now: () => new Date(Date.now() + skewMs) } },
      );
      ({ server, idp, external, poolId, app } = fed);
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(() => fed?.close());

    const encryptionCertificate = async () =>
      (await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: SEALED }))).IdentityProvider!.ProviderDetails!.ActiveEncryptionCertificate!;

    /** The AuthnRequest the IdP receives. */
    const toIdp = async (browser: FormBrowser, provider: string): Promise<AuthnRequest> => (await fed.toIdp(browser, provider, 'openid email')).request;

    /**
     * The IdP's page posts `response` to the ACS (cross-site: no cookie), and the browser follows on: the
     * client's callback, or Gatehouse's error page (`refusedAt` the step that refused: the post itself or the continuation).
     */
    async function postAndFollow(browser: FormBrowser, request: AuthnRequest, response: string) {
      const posted = await fed.postToAcs(request, response);
      if (posted.status !== 303) return { refusedAt: 'post', status: posted.status, page: await posted.text() };
      const next = location(posted, request.acsUrl);
      const answer = await browser.get(next);
      if (answer.status !== 302) return { refusedAt: 'continuation', status: answer.status, page: await answer.text() };
      return { callback: location(answer, next.href) };
    }

    /** The usernames of the pool's users: a refused sign-in must not have made one. */
    const usernames = async () => ((await idp.send(new ListUsersCommand({ UserPoolId: poolId }))).Users ?? []).map((user) => user.Username);

    /** The outcome of a refused response: the client hears invalid_request with `reason`, or (no InResponseTo to trust) the browser sees an error page. */
    function assertRefused(outcome: Awaited<ReturnType<typeof postAndFollow>>, reason: RegExp) {
      if (outcome.callback) {
        assert.equal(`${outcome.callback.origin}${outcome.callback.pathname}`, CALLBACK);
        assert.equal(outcome.callback.searchParams.get('code'), null, 'no code for the app');
        assert.equal(outcome.callback.searchParams.get('error'), 'invalid_request');
        assert.match(outcome.callback.searchParams.get('error_description') ?? '', reason);
      } else {
        assert.equal(outcome.status, 400, `refused at the ${outcome.refusedAt}, not with a ${outcome.status}: ${outcome.page?.slice(0, 500)}`);
        assert.match(outcome.page ?? '', /Sign-in cannot continue/);
      }
    }

    /** A browser signed in through `provider` (a code for the app), with its hosted-UI session cookie. */
    async function signedInBrowser(provider: string, nameId: string): Promise<FormBrowser> {
      const browser = new FormBrowser();
      const request = await toIdp(browser, provider);
      let response = samlResponse(external, request, { nameId, attributes: { [EMAIL_CLAIM]: `${nameId}@idp.example` } });
      if (provider === SEALED) response = await encryptAssertion(response, await encryptionCertificate());
      const outcome = await postAndFollow(browser, request, response);
      assert.ok(outcome.callback?.searchParams.get('code'), `signed in: ${JSON.stringify(outcome)}`);
      return browser;
    }

    const signOut = (browser: FormBrowser) => fed.signOut(browser);

    /** The session here has ended when the next sign-in through `provider` goes to the IdP again. */
    async function assertSignedOutHere(browser: FormBrowser, provider: string) {
      const { url } = await authorizationRequest(app, CALLBACK, 'openid email', { identity_provider: provider });
      assert.equal(location(await browser.get(url), url.href).origin, new URL(external.ssoUrl).origin, 'the next sign-in goes to the IdP');
    }

    describe('single logout (/saml2/logout)', () => {
      const logoutUrl = (query: string) => `${server.url}/${poolId}/saml2/logout?${query}`;

      /** Refused at /saml2/logout: a 400 page saying the app signed out, and no redirect anywhere. */
      async function assertLogoutRefused(answer: Response, what: string) {
        assert.equal(answer.status, 400, `${what}: ${answer.status}`);
        assert.equal(answer.headers.get('location'), null, what);
        assert.match(await answer.text(), /You are signed out of this app\./, what);
      }

      it('refuses a deflate bomb in SAMLResponse or SAMLRequest (HTTP-Redirect): a 400 page, not a 500, and the server answers on', async () => {
        const browser = await signedInBrowser(SEALED, 'bomb');
        const request = readLogoutRequest(await signOut(browser));
        // 8 MiB of zeros: 11 kB on the wire, within Node's 16 kB request head, so the request reaches the handler.
        const bomb = encodeURIComponent(deflateBomb(8 * 1024 * 1024));
        const relayState = `RelayState=${encodeURIComponent(request.relayState)}`;
        const sigAlg = `SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`;
        for (const [what, query] of [
          ['SAMLResponse, for our sign-out', `SAMLResponse=${bomb}&${relayState}&${sigAlg}&Signature=AAAA`],
          ['SAMLResponse, unsigned', `SAMLResponse=${bomb}&${relayState}`],
          // Gatehouse takes no LogoutRequest from the IdP (IdP-initiated logout): one is refused, never inflated.
          ['SAMLRequest, for our sign-out', `SAMLRequest=${bomb}&${relayState}`],
          ['SAMLResponse, no RelayState', `SAMLResponse=${bomb}`],
        ]) {
          await assertLogoutRefused(await browser.get(logoutUrl(query)), what);
        }
        assert.equal((await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: SEALED }))).IdentityProvider!.ProviderName, SEALED, 'the server answers on');
        await assertSignedOutHere(browser, SEALED);
      });

      it('refuses a LogoutResponse that inflates to megabytes even when it is signed and answers our request: the inflation is bounded before anything is read', async () => {
        const browser = await signedInBrowser(SEALED, 'padded');
        const request: LogoutRequest = readLogoutRequest(await signOut(browser));
        // A good LogoutResponse but for 8 MiB of whitespace inside it (well-formed XML): only a bound on the
        // inflated size refuses it, so its refusal shows the bound is there (a LogoutResponse is a few hundred bytes).
        const xml =
          `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_l${randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${request.id}">` +
          `<saml:Issuer>${external.entityId}</saml:Issuer>${' '.repeat(8 * 1024 * 1024)}` +
          `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`;
        const signedPart = [
          `SAMLResponse=${encodeURIComponent(deflateRawSync(Buffer.from(xml)).toString('base64'))}`,
          `RelayState=${encodeURIComponent(request.relayState)}`,
          `SigAlg=${encodeURIComponent('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256')}`,
        ].join('&');
        const signature = createSign('RSA-SHA256').update(signedPart).sign(IDP_KEY, 'base64');
        await assertLogoutRefused(await browser.get(logoutUrl(`${signedPart}&Signature=${encodeURIComponent(signature)}`)), 'padded LogoutResponse');
        await assertSignedOutHere(browser, SEALED);
      });

      it('refuses a POSTed LogoutResponse that is not base64 or not XML: a 400 page, not a 500', async () => {
        const browser = await signedInBrowser(SEALED, 'garbled');
        const request = readLogoutRequest(await signOut(browser));
        for (const [what, SAMLResponse] of [
          ['not base64', '%%% not base64 %%%'],
          ['random bytes', randomBytes(2048).toString('base64')],
          ['not XML', Buffer.from('this is not <xml').toString('base64')],
          ['XML but no LogoutResponse', Buffer.from('<Envelope/>').toString('base64')],
        ]) {
          await assertLogoutRefused(await browser.post(`${server.url}/${poolId}/saml2/logout`, { SAMLResponse, RelayState: request.relayState }), what);
        }
      });

      it('accepts IDPSignout with metadata that has no usable SingleLogoutService (none, HTTP-POST only, plain http), and then signs out here only: straight to the logout_uri', async () => {
        for (const provider of Object.keys(NO_SLO)) {
          // CreateIdentityProvider took it (in before); Describe shows it as given.
          const described = (await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: poolId, ProviderName: provider }))).IdentityProvider!;
          assert.equal(described.ProviderDetails!.IDPSignout, 'true', provider);
          const browser = await signedInBrowser(provider, `local-${provider.toLowerCase()}`);
          // saml-logout.ts: no SingleLogoutService to call, so the sign-out ends here, as Cognito's does without IDPSignout.
          assert.equal((await signOut(browser)).href, SIGNED_OUT, provider);
          await assertSignedOutHere(browser, provider);
        }
      });
    });

    describe('encrypted assertions (EncryptedResponses)', () => {
      const ONE_ENCRYPTED = /must carry one encrypted assertion/;

      /** The EncryptedAssertion element of an encrypted response, and the response's XML. */
      function splitEncrypted(response: string): { xml: string; encrypted: string } {
        const xml = Buffer.from(response, 'base64').toString('utf8');
        const encrypted = /<saml:EncryptedAssertion>[\s\S]*<\/saml:EncryptedAssertion>/.exec(xml)?.[0];
        assert.ok(encrypted, 'an encrypted response');
        return { xml, encrypted };
      }

      it('refuses a response with two encrypted assertions, even both good: nobody is signed in', async () => {
        const certificate = await encryptionCertificate();
        const browser = new FormBrowser();
        const request = await toIdp(browser, SEALED);
        // Two people's assertions for the same request, each signed and encrypted as the IdP would: which one signs in is not for the browser to choose.
        const first = splitEncrypted(await encryptAssertion(samlResponse(external, request, { nameId: 'twin-a' }), certificate));
        const second = splitEncrypted(await encryptAssertion(samlResponse(external, request, { nameId: 'twin-b' }), certificate));
        const both = first.xml.replace(first.encrypted, `${first.encrypted}${second.encrypted}`);
        assertRefused(await postAndFollow(browser, request, Buffer.from(both).toString('base64')), ONE_ENCRYPTED);
        const users = await usernames();
        assert.ok(!users.includes(`${SEALED}_twin-a`) && !users.includes(`${SEALED}_twin-b`), `no user made: ${users.join(', ')}`);
      });

      it('refuses a response with an encrypted assertion and one in the clear, in either order: nobody is signed in', async () => {
        const certificate = await encryptionCertificate();
        for (const clearFirst of [false, true]) {
          const browser = new FormBrowser();
          const request = await toIdp(browser, SEALED);
          const clearResponse = Buffer.from(samlResponse(external, request, { nameId: 'in-the-clear' }), 'base64').toString('utf8');
          const clear = /<saml:Assertion [\s\S]*<\/saml:Assertion>/.exec(clearResponse)![0];
          const { xml, encrypted } = splitEncrypted(await encryptAssertion(samlResponse(external, request, { nameId: 'encrypted' }), certificate));
          const mixed = xml.replace(encrypted, clearFirst ? `${clear}${encrypted}` : `${encrypted}${clear}`);
          assertRefused(await postAndFollow(browser, request, Buffer.from(mixed).toString('base64')), ONE_ENCRYPTED);
        }
        const users = await usernames();
        assert.ok(!users.includes(`${SEALED}_in-the-clear`) && !users.includes(`${SEALED}_encrypted`), `no user made: ${users.join(', ')}`);
      });
    });

    describe('the Assertion Consumer Service (/saml2/idpresponse)', () => {
      it('refuses a SAMLResponse that is not base64, not XML, or not a SAML response: an error, never a 500, and no code', async () => {
        for (const [what, response] of [
          ['not base64', '%%% not base64 at all %%%'],
          ['random bytes', randomBytes(4096).toString('base64')],
          ['not XML', Buffer.from('<samlp:Response this is not xml').toString('base64')],
          ['XML, not SAML', Buffer.from('<?xml version="1.0"?><html><body>hello</body></html>').toString('base64')],
          // An entity-expansion bomb ("billion laughs"): refused, not expanded.
          [
            'entity expansion',
            Buffer.from(
              `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "${'x'.repeat(100)}">${Array.from({ length: 8 }, (_, i) => `<!ENTITY ${'b'.repeat(i + 1)} "${`&${i === 0 ? 'a' : 'b'.repeat(i)};`.repeat(10)}">`).join('')}]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">&bbbbbbbb;</samlp:Response>`,
            ).toString('base64'),
          ],
        ]) {
          const browser = new FormBrowser();
          const request = await toIdp(browser, PLAIN);
          const outcome = await postAndFollow(browser, request, response);
          assert.ok(!outcome.callback?.searchParams.get('code'), `${what}: no code`);
          assert.notEqual(outcome.status, 500, `${what}: ${outcome.page?.slice(0, 500)}`);
          assertRefused(outcome, /not valid/);
        }
      });

      it('refuses an unsigned Response that claims to answer the request: the client hears invalid_request', async () => {
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        const unsigned = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${request.id}"/>`;
        assertRefused(await postAndFollow(browser, request, Buffer.from(unsigned).toString('base64')), /not valid/);
      });

      it('keeps nothing in the store for what nobody vouches for: the sign-in’s start, junk and refused responses', async () => {
        const kept = async () => (await rawRows(server.store, 'browser_continuations', { pool_id: poolId })).length;
        const before = await kept();
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        const refused = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r${randomUUID()}" Version="2.0" IssueInstant="${new Date().toISOString()}" InResponseTo="${request.id}"/>`;
        assertRefused(await postAndFollow(browser, request, Buffer.from(refused).toString('base64')), /not valid/);
        // An InResponseTo that is no id of ours is nobody's to tell: an error page, and it goes nowhere.
        const stranger = refused.replace(request.id, `_${'x'.repeat(10_000)}`);
        const posted = await new FormBrowser().post(request.acsUrl, { SAMLResponse: Buffer.from(stranger).toString('base64'), RelayState: request.relayState });
        assert.equal(posted.status, 400);
        assert.equal(posted.headers.get('location'), null);
        assert.equal(await kept(), before);
      });

      it('refuses a response that comes back after the sign-in’s ten minutes, and a RelayState shaped as ours that names no provider', async () => {
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        skewMs = 11 * 60_000;
        const late = await postAndFollow(browser, request, samlResponse(external, request, { nameId: 'late' }));
        assert.equal(late.status, 400);
        assert.match(late.page ?? '', /took longer than 10 minutes/);
        skewMs = 0;
        const [expires, mac] = request.relayState.split('.');
        const forged = `${expires}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
        const answer = await new FormBrowser().post(request.acsUrl, { SAMLResponse: samlResponse(external, request, { nameId: 'forged' }), RelayState: forged });
        assert.equal(answer.status, 400);
        assert.match(await answer.text(), /identity provider is no longer available/);
        assert.ok(!(await usernames()).some((name) => name === `${PLAIN}_late` || name === `${PLAIN}_forged`));
      });

      it('refuses a form post over the body limit with a 4xx, not a 500 nor a claim that no pool is here', async () => {
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        // Over the default bodyLimitBytes (1 MiB).
        const huge = randomBytes(1536 * 1024).toString('base64');
        const posted = await new FormBrowser().post(request.acsUrl, { SAMLResponse: huge, RelayState: request.relayState });
        const page = await posted.text();
        assert.equal(posted.status, 413, page.slice(0, 300));
        // The pool's own error page, though the body was refused before any handler found the pool.
        assert.match(page, /<title>Sign-in cannot continue<\/title>/);
        assert.doesNotMatch(page, /No user pool is served at this address/);
      });

      /** postAndFollow, failing with the reason when the 303's Location is too long for the client to read. */
      const followed = (browser: FormBrowser, request: AuthnRequest, response: string) =>
        postAndFollow(browser, request, response).catch((error: Error & { cause?: { code?: string } }) =>
          assert.fail(`the ACS answered what the client cannot follow: ${error.cause?.code ?? error.message}`),
        );

      it('signs in with an assertion carrying many attributes, each within Cognito’s 2,048 characters', async () => {
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        // 16 kB of attribute values, as an IdP sending a person's groups and profile may: the sign-in must not
        // depend on the assertion fitting in a URL (Node's HTTP server and fetch take 16 kB of request or response head).
        const attributes = { [EMAIL_CLAIM]: 'many@idp.example', ...Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`attribute${i}`, 'x'.repeat(2000)])) };
        const outcome = await followed(browser, request, samlResponse(external, request, { nameId: 'many', attributes }));
        assert.ok(outcome.callback?.searchParams.get('code'), `a code for the app, not ${outcome.status}: ${outcome.page?.slice(0, 300)}`);
      });

      it('refuses a signed assertion whose mapped attribute is hundreds of kilobytes: no 500, nobody signed in', async () => {
        const browser = new FormBrowser();
        const request = await toIdp(browser, PLAIN);
        // Under the body limit, but the mapped email is 500 kB: Cognito keeps an attribute value to 2,048 characters.
        const outcome = await followed(browser, request, samlResponse(external, request, { nameId: 'bulky', attributes: { [EMAIL_CLAIM]: `${'x'.repeat(500_000)}@idp.example` } }));
        assert.notEqual(outcome.status, 500, outcome.page?.slice(0, 500));
        assertRefused(outcome, /./);
        assert.ok(!(await usernames()).includes(`${PLAIN}_bulky`), 'no user made');
      });
    });
  });
}
