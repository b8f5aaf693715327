import assert from 'node:assert/strict';
import { CreateIdentityProviderCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import type { ServerOverrides } from '../../src/server.js';
import { FormBrowser, location } from './form-browser.js';
import { authorizationRequest } from './relying-party.js';
import { readAuthnRequest, startSamlIdp, type TestSamlIdp } from './saml-idp.js';
import { FAST_HASHING, startServer } from './server.js';

export const SAML_CALLBACK = 'http://localhost:3000/callback';
export const SAML_SIGNED_OUT = 'http://localhost:3000/signed-out';
export const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const insecure = { execute: [client.allowInsecureRequests] };

export interface SamlFederationOptions {
  /** The app client has a secret. */
  confidential?: boolean;
  /** For the server (a clock that can be moved, say). */
  overrides?: ServerOverrides;
}

/**
 * A server with a pool federated with a loopback SAML IdP (providers named as given, with their details),
 * an app client listing them, and the steps every SAML test walks through a browser.
 */
export async function samlFederation(storeName: 'sqlite' | 'postgres', providers: (external: TestSamlIdp) => Record<string, Record<string, string>>, options: SamlFederationOptions = {}) {
  const server = await startServer(storeName, FAST_HASHING, options.overrides);
  const idp = server.idp();
  const external = await startSamlIdp();
  const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'saml', Schema: [{ Name: 'email', AttributeDataType: 'String', Required: true, Mutable: true }] }));
  const poolId = UserPool!.Id!;
  for (const [name, details] of Object.entries(providers(external))) {
    await idp.send(
      new CreateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: name, ProviderType: 'SAML', ProviderDetails: details, AttributeMapping: { email: EMAIL_CLAIM, family_name: 'groups' } }),
    );
  }
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'app',
      GenerateSecret: options.confidential ?? false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: Object.keys(providers(external)),
      CallbackURLs: [SAML_CALLBACK],
      LogoutURLs: [SAML_SIGNED_OUT],
    }),
  );
  const { ClientId, ClientSecret } = UserPoolClient!;
  const app = await client.discovery(new URL(`${server.url}/${poolId}`), ClientId!, ClientSecret, ClientSecret ? undefined : client.None(), insecure);

  return {
    server,
    idp,
    external,
    poolId,
    app,
    /** The app's authorization request through Gatehouse to the IdP: where the browser is sent, and the AuthnRequest the IdP receives. */
    async toIdp(browser: FormBrowser, provider: string, scope = 'openid email profile') {
      const { url, checks } = await authorizationRequest(app, SAML_CALLBACK, scope, { identity_provider: provider });
      const answer = await browser.get(url);
      assert.equal(answer.status, 302, await answer.clone().text());
      const idpUrl = location(answer, url.href);
      assert.equal(`${idpUrl.origin}${idpUrl.pathname}`, external.ssoUrl, 'sent to the IdP');
      return { idpUrl, request: readAuthnRequest(idpUrl), checks };
    },
    /** The IdP's page posting `response` to the ACS: cross-site, so from a browser with no cookie of ours. */
    postToAcs(request: { acsUrl: string; relayState: string }, response: string) {
      return new FormBrowser().post(request.acsUrl, { SAMLResponse: response, RelayState: request.relayState });
    },
    /** /logout with the app's logout_uri: where the browser is sent next. */
    async signOut(browser: FormBrowser) {
      const url = `${server.url}/${poolId}/logout?${new URLSearchParams({ client_id: app.clientMetadata().client_id, logout_uri: SAML_SIGNED_OUT })}`;
      const answer = await browser.get(url);
      assert.equal(answer.status, 302);
      return location(answer, url);
    },
    close: async () => {
      await external.close();
      await server.close();
    },
  };
}

export type SamlFederation = Awaited<ReturnType<typeof samlFederation>>;
