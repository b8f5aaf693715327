import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CompleteWebAuthnRegistrationCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteWebAuthnCredentialCommand,
  GetUserAuthFactorsCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  StartWebAuthnRegistrationCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { rejects } from './helpers/assertions.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const CHROMIUM = '/usr/bin/chromium';
const noBrowser = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium): the passkey tests are skipped`;
const WITH_PASSKEYS = { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document, as the SDK's DocumentType takes it
type Json = { [key: string]: any };

/**
 * navigator.credentials.create / .get in the page, with the JSON forms the Cognito API speaks
 * (PublicKeyCredentialCreationOptionsJSON in, RegistrationResponseJSON out, and their sign-in pairs),
 * converted by hand so the test does not depend on the browser's newest JSON helpers.
 */
async function ceremony(page: Page, kind: 'create' | 'get', options: unknown): Promise<Json> {
  return page.evaluate(
    async ([kind, options]) => {
      const bytes = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const text = (buffer: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      const o = options as Record<string, any>;
      const listed = (list?: { id: string; transports?: string[] }[]) => list?.map((c) => ({ ...c, id: bytes(c.id) }));
      const credential = (
        kind === 'create'
          ? await navigator.credentials.create({
              publicKey: { ...o, challenge: bytes(o.challenge), user: { ...o.user, id: bytes(o.user.id) }, excludeCredentials: listed(o.excludeCredentials) },
            } as unknown as CredentialCreationOptions)
          : await navigator.credentials.get({
              publicKey: { ...o, challenge: bytes(o.challenge), allowCredentials: listed(o.allowCredentials) },
            } as unknown as CredentialRequestOptions)
      ) as PublicKeyCredential;
      const common = {
        id: credential.id,
        rawId: text(credential.rawId),
        type: credential.type,
        authenticatorAttachment: credential.authenticatorAttachment,
        clientExtensionResults: credential.getClientExtensionResults(),
      };
      if (kind === 'create') {
        const response = credential.response as AuthenticatorAttestationResponse;
        return { ...common, response: { clientDataJSON: text(response.clientDataJSON), attestationObject: text(response.attestationObject), transports: response.getTransports() } };
      }
      const response = credential.response as AuthenticatorAssertionResponse;
      return {
        ...common,
        response: {
          clientDataJSON: text(response.clientDataJSON),
          authenticatorData: text(response.authenticatorData),
          signature: text(response.signature),
          ...(response.userHandle && { userHandle: text(response.userHandle) }),
        },
      };
    },
    [kind, options] as const,
  );
}

/** The same credential with its clientDataJSON changed by `edit` (registration's "none" attestation signs none of it). */
function withClientData(credential: Json, edit: (data: Json) => Json): Json {
  const response = credential.response as Json;
  const data = JSON.parse(Buffer.from(response.clientDataJSON as string, 'base64url').toString('utf8')) as Json;
  return { ...credential, response: { ...response, clientDataJSON: Buffer.from(JSON.stringify(edit(data))).toString('base64url') } };
}

for (const store of STORES) {
  describe(`passkeys: registration and USER_AUTH sign-in, through Chromium's authenticator (${store.name})`, { skip: store.skip || noBrowser }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let browser: Browser;
    let page: Page;
    let cdp: CDPSession;
    let authenticatorId: string;

    /** A fresh platform authenticator in the browser (one authenticator holds one passkey per user and site). */
    async function newAuthenticator(): Promise<string> {
      const options = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true } as const;
      return (await cdp.send('WebAuthn.addVirtualAuthenticator', { options })).authenticatorId;
    }

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
      page = await browser.newPage();
      // tsx compiles the functions handed to page.evaluate with esbuild's keepNames, whose __name helper
      // the page does not have.
      await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
      // The relying party is localhost: a page of that origin (any will do) may use its passkeys.
      await page.goto(`${server.url.replace('127.0.0.1', 'localhost')}/health`);
      cdp = await page.context().newCDPSession(page);
      await cdp.send('WebAuthn.enable');
      authenticatorId = await newAuthenticator();
    });
    after(async () => {
      await browser?.close();
      await server?.close();
    });

    async function createPool(relyingPartyId?: string) {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'passkeys', Policies: { SignInPolicy: { AllowedFirstAuthFactors: [...WITH_PASSKEYS.SignInPolicy.AllowedFirstAuthFactors] } } }));
      const poolId = UserPool!.Id!;
      if (relyingPartyId) await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: relyingPartyId, UserVerification: 'required' } }));
      const client = async (ClientName: string) =>
        (
          await idp.send(
            new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName, ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_PASSWORD_AUTH'], PreventUserExistenceErrors: 'ENABLED' }),
          )
        ).UserPoolClient!.ClientId!;
      return { poolId, clientId: await client('app'), otherClientId: await client('other') };
    }

    async function signedInUser(poolId: string, clientId: string, username: string): Promise<string> {
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
      return AuthenticationResult!.AccessToken!;
    }

    async function register(accessToken: string): Promise<Json> {
      const { CredentialCreationOptions } = await idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }));
      return ceremony(page, 'create', CredentialCreationOptions);
    }

    it('registers a passkey, lists it, signs in with it alone, and forgets it', async () => {
      const { poolId, clientId } = await createPool('localhost');
      const accessToken = await signedInUser(poolId, clientId, 'holder');
      const { CredentialCreationOptions } = await idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }));
      const options = CredentialCreationOptions as Json;
      assert.deepEqual(options.rp, { name: 'passkeys', id: 'localhost' });
      assert.equal((options.authenticatorSelection as Json).userVerification, 'required');
      const credential = await ceremony(page, 'create', options);
      await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential }));

      assert.deepEqual((await idp.send(new GetUserAuthFactorsCommand({ AccessToken: accessToken }))).ConfiguredUserAuthFactors, ['PASSWORD', 'WEB_AUTHN']);
      const { Credentials } = await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }));
      assert.equal(Credentials?.length, 1);
      assert.equal(Credentials[0].CredentialId, credential.id);
      assert.equal(Credentials[0].RelyingPartyId, 'localhost');
      assert.match(Credentials[0].FriendlyCredentialName ?? '', /^Passkey on this device, registered \d{4}-\d\d-\d\d$/);
      assert.deepEqual(Credentials[0].AuthenticatorTransports, ['internal']);

      const offered = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'holder' } }));
      assert.deepEqual(offered.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      const chosen = await idp.send(
        new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SELECT_CHALLENGE', Session: offered.Session, ChallengeResponses: { USERNAME: 'holder', ANSWER: 'WEB_AUTHN' } }),
      );
      assert.equal(chosen.ChallengeName, 'WEB_AUTHN');
      const requestOptions = JSON.parse(chosen.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!) as Json;
      assert.equal(requestOptions.rpId, 'localhost');
      assert.deepEqual((requestOptions.allowCredentials as Json[]).map((c) => c.id), [credential.id]);
      const assertion = await ceremony(page, 'get', requestOptions);
      const answer = (Session: string | undefined, given: Json = assertion) =>
        idp.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'WEB_AUTHN', Session, ChallengeResponses: { USERNAME: 'holder', CREDENTIAL: JSON.stringify(given) } }));
      const { AuthenticationResult } = await answer(chosen.Session);
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken! }))).Username, 'holder');

      // An assertion is good for its own challenge only: replayed into a new sign-in, it is refused.
      await rejects(answer(chosen.Session), 'NotAuthorizedException', /Invalid session/);
      const again = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'holder', PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
      assert.equal(again.ChallengeName, 'WEB_AUTHN');
      await rejects(answer(again.Session), 'NotAuthorizedException', /^Incorrect username or passkey\.$/);
      // A fresh assertion reported from another origin is refused for its origin, before its signature.
      const third = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'holder', PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
      const fresh = await ceremony(page, 'get', JSON.parse(third.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!));
      await rejects(answer(third.Session, withClientData(fresh, (data) => ({ ...data, origin: 'https://evil.example' }))), 'WebAuthnOriginNotAllowedException');

      await idp.send(new DeleteWebAuthnCredentialCommand({ AccessToken: accessToken, CredentialId: credential.id as string }));
      assert.deepEqual((await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))).Credentials, []);
      await rejects(idp.send(new DeleteWebAuthnCredentialCommand({ AccessToken: accessToken, CredentialId: credential.id as string })), 'ResourceNotFoundException');
      const withoutPasskey = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'holder' } }));
      assert.deepEqual(withoutPasskey.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    });

    it('gives a user that does not exist a passkey challenge like anyone\'s, which no passkey answers', async () => {
      const { poolId, clientId } = await createPool('localhost');
      await register(await signedInUser(poolId, clientId, 'real'));
      const ghost = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'ghost' } }));
      assert.deepEqual(ghost.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'WEB_AUTHN']);
      const challenge = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'ghost', PREFERRED_CHALLENGE: 'WEB_AUTHN' } }));
      assert.equal(challenge.ChallengeName, 'WEB_AUTHN');
      const options = JSON.parse(challenge.ChallengeParameters!.CREDENTIAL_REQUEST_OPTIONS!) as Json;
      assert.deepEqual(options.allowCredentials, []);
      // Whatever answers it (here a well-formed answer to its very challenge) is refused as a wrong passkey is.
      const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: 'http://localhost' })).toString('base64url');
      const assertion = { id: 'AAAA', rawId: 'AAAA', type: 'public-key', clientExtensionResults: {}, response: { clientDataJSON, authenticatorData: 'AAAA', signature: 'AAAA' } };
      await rejects(
        idp.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'WEB_AUTHN', Session: challenge.Session, ChallengeResponses: { USERNAME: 'ghost', CREDENTIAL: JSON.stringify(assertion) } })),
        'NotAuthorizedException',
        /^Incorrect username or passkey\.$/,
      );
    });

    it('refuses registrations as Cognito does: another client, a foreign origin, a forged challenge, a passkey twice', async () => {
      const { poolId, clientId, otherClientId } = await createPool('localhost');
      const accessToken = await signedInUser(poolId, clientId, 'registrar');
      const credential = await register(accessToken);

      const { AuthenticationResult } = await idp.send(new InitiateAuthCommand({ ClientId: otherClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'registrar', PASSWORD } }));
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: AuthenticationResult!.AccessToken!, Credential: credential })), 'WebAuthnClientMismatchException');
      const foreign = withClientData(credential, (data) => ({ ...data, origin: 'https://evil.example' }));
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: foreign })), 'WebAuthnOriginNotAllowedException');
      const forged = withClientData(credential, (data) => ({ ...data, challenge: Buffer.from('not one of ours').toString('base64url') }));
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: forged })), 'WebAuthnChallengeNotFoundException');
      // A challenge is sealed to the user who started it: another user of the pool cannot complete it.
      const someoneElse = await signedInUser(poolId, clientId, 'bystander');
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: someoneElse, Credential: credential })), 'WebAuthnChallengeNotFoundException');
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: { id: 'x' } })), 'InvalidParameterException');

      // The refusals above left the challenge to its user; the answer that registers uses it up.
      await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential }));
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential })), 'WebAuthnChallengeNotFoundException', /answered/);
    });

    it('takes each registration challenge once: the same options answered again, by another authenticator, are refused', async () => {
      const { poolId, clientId } = await createPool('localhost');
      const accessToken = await signedInUser(poolId, clientId, 'twice');
      const fresh = async () => {
        await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
        authenticatorId = await newAuthenticator();
      };
      const { CredentialCreationOptions } = await idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: accessToken }));
      await fresh();
      const one = await ceremony(page, 'create', CredentialCreationOptions);
      await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: one }));
      await fresh();
      const two = await ceremony(page, 'create', CredentialCreationOptions);
      assert.notEqual(two.id, one.id);
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: two })), 'WebAuthnChallengeNotFoundException');
      assert.equal((await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken }))).Credentials?.length, 1);
    });

    it('lists a user\'s passkeys a page at a time', async () => {
      const { poolId, clientId } = await createPool('localhost');
      const accessToken = await signedInUser(poolId, clientId, 'collector');
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        // Each passkey from another authenticator: one would refuse to register a second for the same user.
        await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
        authenticatorId = await newAuthenticator();
        const credential = await register(accessToken);
        await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: credential }));
        ids.push(credential.id as string);
      }
      const first = await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken, MaxResults: 2 }));
      assert.equal(first.Credentials?.length, 2);
      assert.ok(first.NextToken);
      const second = await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken, MaxResults: 2, NextToken: first.NextToken }));
      assert.equal(second.NextToken, undefined);
      assert.deepEqual([...first.Credentials!, ...second.Credentials!].map((c) => c.CredentialId).sort(), [...ids].sort());
      await rejects(idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken, NextToken: 'forged' })), 'InvalidParameterException', /Paging marker/);
    });

    it('registers at most 20 passkeys for a user', async () => {
      const { poolId, clientId } = await createPool('localhost');
      const accessToken = await signedInUser(poolId, clientId, 'hoarder');
      // Nineteen stored directly (each would need an authenticator of its own in the browser), then the
      // twentieth and a twenty-first through the browser.
      for (let i = 0; i < 19; i++) {
        await server.gatehouse.services.repos.webauthnCredentials.insert({
          poolId,
          credentialId: Buffer.from(`stored-${i}`).toString('base64url'),
          usernameKey: 'hoarder',
          publicKey: 'AA',
          signCount: 0,
          relyingPartyId: 'localhost',
          friendlyName: `stored ${i}`,
          transports: ['internal'],
          createdAt: new Date(),
        });
      }
      const fresh = async () => {
        await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
        authenticatorId = await newAuthenticator();
        return register(accessToken);
      };
      await idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: await fresh() }));
      await rejects(idp.send(new CompleteWebAuthnRegistrationCommand({ AccessToken: accessToken, Credential: await fresh() })), 'LimitExceededException', /at most 20 passkeys/);
      const listed = await idp.send(new ListWebAuthnCredentialsCommand({ AccessToken: accessToken, MaxResults: 20 }));
      assert.equal(listed.Credentials?.length, 20);
    });

    it('needs WEB_AUTHN in the SignInPolicy, and a relying party id or a domain', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'no-passkeys' }));
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
      const token = await signedInUser(UserPool!.Id!, UserPoolClient!.ClientId!, 'nobody-with-passkeys');
      await rejects(idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })), 'WebAuthnNotEnabledException');

      const { poolId, clientId } = await createPool();
      await rejects(idp.send(new StartWebAuthnRegistrationCommand({ AccessToken: await signedInUser(poolId, clientId, 'no-rp') })), 'WebAuthnConfigurationMissingException');
    });
  });
}
