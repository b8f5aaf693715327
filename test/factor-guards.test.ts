import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { rejects } from './helpers/assertions.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const noBrowser = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent`;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = { [key: string]: any };

async function create(page: Page, options: unknown): Promise<Json> {
  return page.evaluate(async (options) => {
    const bytes = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const text = (buffer: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const o = options as Record<string, any>;
    const credential = (await navigator.credentials.create({
      publicKey: { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: [] },
    } as unknown as CredentialCreationOptions)) as PublicKeyCredential;
    const response = credential.response as AuthenticatorAttestationResponse;
    return {
      id: credential.id,
      rawId: text(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: { clientDataJSON: text(response.clientDataJSON), attestationObject: text(response.attestationObject), transports: response.getTransports() },
    };
  }, options);
}

describe('factor guards: passkey registration challenge', { skip: noBrowser }, () => {
  let server: TestServer;
  let idp: CognitoIdentityProviderClient;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;

  const authenticator = async () =>
    (
      await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
      })
    ).authenticatorId;

  before(async () => {
    server = await startServer('sqlite', FAST_HASHING);
    idp = server.idp();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    page = await browser.newPage();
    await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
    await page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/health`);
    cdp = await page.context().newCDPSession(page);
    await cdp.send('WebAuthn.enable');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('takes each StartWebAuthnRegistration challenge once: a second CompleteWebAuthnRegistration with it is refused', async () => {
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'guards', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }));
    const poolId = UserPool!.Id!;
    await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
    const clientId = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }))).UserPoolClient!.ClientId!;
    await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'holder', MessageAction: 'SUPPRESS' }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'holder', Password: PASSWORD, Permanent: true }));
    const accessToken = (await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'holder', PASSWORD } }))).AuthenticationResult!.AccessToken!;

    const { CredentialCreationOptions } = await idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }));
    const first = await authenticator();
    const one = await create(page, CredentialCreationOptions);
    await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: one }));
    // The same challenge, answered again by another authenticator.
    await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId: first });
    await authenticator();
    const two = await create(page, CredentialCreationOptions);
    assert.notEqual(two.id, one.id);
    await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: two })), 'WebAuthnChallengeNotFoundException');
    assert.equal((await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))).Credentials?.length, 1);
  });
});
