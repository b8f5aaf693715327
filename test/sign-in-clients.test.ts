import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  ChangePasswordCommand,
  CreateUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  SetUserPoolMfaConfigCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
  type CognitoUserSession,
  type ICognitoStorage,
} from 'amazon-cognito-identity-js';
import { CognitoIdentityClient, CreateIdentityPoolCommand, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Amplify } from 'aws-amplify';
import {
  autoSignIn,
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  fetchAuthSession,
  fetchDevices,
  fetchMFAPreference,
  forgetDevice,
  fetchUserAttributes,
  getCurrentUser,
  rememberDevice,
  resetPassword,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  updatePassword,
  updateUserAttributes,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { sharedInMemoryStorage } from 'aws-amplify/utils';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, exportSPKI, importJWK, type JWK } from 'jose';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { cognitoTrust } from './helpers/trust-policies.js';
import { memoryStorage, totpCode } from './helpers/authenticator.js';
import { STORES } from './helpers/stores.js';
import { latestCode } from './helpers/mailbox.js';
const NEW_PASSWORD = 'N3w-Staple-Horse-Battery';
const FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as const;

function uniqueEmail(local: string): string {
  return `${local}-${randomBytes(4).toString('hex')}@example.com`;
}

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.equal(error.name === 'Error' && error.code ? error.code : error.name, name, `expected ${name}, got ${error.name} (${error.code}): ${error.message}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  });
}

/** What every client test needs: a server (with a movable clock), a pool, an app client and a mailbox. */
function fixture(storeName: (typeof STORES)[number]['name']) {
  const state = {
    server: undefined as unknown as TestServer,
    idp: undefined as unknown as CognitoIdentityProviderClient,
    skewMs: 0,
  };
  const overrides = { now: () => new Date(Date.now() + state.skewMs) };
  before(async () => {
    state.server = await startServer(storeName, FAST_HASHING, overrides);
    state.idp = state.server.idp();
  });
  afterEach(() => {
    state.skewMs = 0;
  });
  after(() => state.server?.close());

  return {
    state,
    async createPool(): Promise<string> {
      const { UserPool } = await state.idp.send(new CreateUserPoolCommand({ PoolName: 'clients', AutoVerifiedAttributes: ['email'] }));
      return UserPool!.Id!;
    },
    async createClient(poolId: string): Promise<string> {
      const { UserPoolClient } = await state.idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: [...FLOWS] }));
      return UserPoolClient!.ClientId!;
    },
    async createUser(poolId: string, username: string, permanent = true): Promise<void> {
      await state.idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          TemporaryPassword: 'Temp0rary!Pass',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: uniqueEmail(username) }],
        }),
      );
      if (permanent) await state.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    },
    async passwordSignIn(clientId: string, username: string): Promise<{ AccessToken: string; IdToken: string; RefreshToken: string }> {
      const { AuthenticationResult } = await state.idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: PASSWORD } }),
      );
      return AuthenticationResult as { AccessToken: string; IdToken: string; RefreshToken: string };
    },
    codeFor: (recipient: string) => latestCode(state.server.url, recipient),
  };
}

// --- amazon-cognito-identity-js: callbacks as promises ---

type Outcome = { session: CognitoUserSession } | { newPasswordRequired: { userAttributes: Record<string, string>; requiredAttributes: string[] } };

function authenticate(user: CognitoUser, password: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: password }), {
      onSuccess: (session) => resolve({ session }),
      onFailure: reject,
      newPasswordRequired: (userAttributes, requiredAttributes) => resolve({ newPasswordRequired: { userAttributes, requiredAttributes } }),
    });
  });
}

async function sessionOf(outcome: Outcome): Promise<CognitoUserSession> {
  assert.ok('session' in outcome, `expected tokens, got ${JSON.stringify(outcome)}`);
  return outcome.session;
}

function completeNewPassword(user: CognitoUser, password: string, attributes: Record<string, string>): Promise<CognitoUserSession> {
  return new Promise((resolve, reject) => {
    user.completeNewPasswordChallenge(password, attributes, { onSuccess: resolve, onFailure: reject });
  });
}

function node<T>(call: (callback: (error: Error | undefined | null, result?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => call((error, result) => (error ? reject(error) : resolve(result as T))));
}

for (const store of STORES) {
  describe(`amazon-cognito-identity-js (${store.name})`, { skip: store.skip }, () => {
    const f = fixture(store.name);
    let poolId: string;
    let clientId: string;
    before(async () => {
      poolId = await f.createPool();
      clientId = await f.createClient(poolId);
    });

    function pool(storage: ICognitoStorage = memoryStorage()): CognitoUserPool {
      return new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${f.state.server.url}/`, Storage: storage });
    }

    it('authenticateUser signs in over SRP, and a wrong password is NotAuthorizedException', async () => {
      await f.createUser(poolId, 'srp-user');
      const user = new CognitoUser({ Username: 'srp-user', Pool: pool() });
      const session = await sessionOf(await authenticate(user, PASSWORD));
      assert.ok(session.isValid());
      assert.equal(session.getIdToken().decodePayload()['cognito:username'], 'srp-user');
      assert.equal(session.getAccessToken().decodePayload().username, 'srp-user');
      const me = await f.state.idp.send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() }));
      assert.equal(me.Username, 'srp-user');

      await rejects(authenticate(new CognitoUser({ Username: 'srp-user', Pool: pool() }), 'Wr0ng-Password!'), 'NotAuthorizedException', 'Incorrect username or password.');
      await rejects(authenticate(new CognitoUser({ Username: 'nobody-here', Pool: pool() }), PASSWORD), 'UserNotFoundException');
    });

    it('getSession refreshes expired tokens with the refresh token, and refreshSession works directly', async () => {
      await f.createUser(poolId, 'refreshing');
      const storage = memoryStorage();
      const first = await sessionOf(await authenticate(new CognitoUser({ Username: 'refreshing', Pool: pool(storage), Storage: storage }), PASSWORD));
      // Make the cached tokens look expired to the client: a clock drift of two hours.
      const driftKey = `CognitoIdentityServiceProvider.${clientId}.refreshing.clockDrift`;
      assert.ok(storage.items.has(driftKey));
      storage.items.set(driftKey, String(-2 * 3600));
      const user = new CognitoUser({ Username: 'refreshing', Pool: pool(storage), Storage: storage });
      const renewed = await node<CognitoUserSession>((cb) => user.getSession(cb));
      assert.notEqual(renewed.getAccessToken().getJwtToken(), first.getAccessToken().getJwtToken());
      assert.equal(renewed.getRefreshToken().getToken(), first.getRefreshToken().getToken(), 'the same refresh token is kept');
      assert.equal(renewed.getIdToken().decodePayload().auth_time, first.getIdToken().decodePayload().auth_time);

      const again = await node<CognitoUserSession>((cb) => user.refreshSession(first.getRefreshToken(), cb));
      assert.equal(again.getAccessToken().decodePayload().origin_jti, first.getAccessToken().decodePayload().origin_jti);
    });

    it('changePassword and globalSignOut', async () => {
      await f.createUser(poolId, 'changer');
      const user = new CognitoUser({ Username: 'changer', Pool: pool() });
      const session = await sessionOf(await authenticate(user, PASSWORD));
      await rejects(node((cb) => user.changePassword('Wr0ng-Password!', NEW_PASSWORD, cb)), 'NotAuthorizedException');
      assert.equal(await node((cb) => user.changePassword(PASSWORD, NEW_PASSWORD, cb)), 'SUCCESS');
      await rejects(authenticate(new CognitoUser({ Username: 'changer', Pool: pool() }), PASSWORD), 'NotAuthorizedException');
      const second = new CognitoUser({ Username: 'changer', Pool: pool() });
      const secondSession = await sessionOf(await authenticate(second, NEW_PASSWORD));

      await new Promise<void>((resolve, reject) => second.globalSignOut({ onSuccess: () => resolve(), onFailure: reject }));
      for (const token of [session.getAccessToken().getJwtToken(), secondSession.getAccessToken().getJwtToken()]) {
        await rejects(f.state.idp.send(new GetUserCommand({ AccessToken: token })), 'NotAuthorizedException');
      }
      // (Not through refreshSession: the library retries every error for five seconds before it gives up.)
      await rejects(
        f.state.idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: session.getRefreshToken().getToken() } })),
        'NotAuthorizedException',
      );
    });

    it('signOut with a callback revokes the refresh token', async () => {
      await f.createUser(poolId, 'leaver');
      const user = new CognitoUser({ Username: 'leaver', Pool: pool() });
      const session = await sessionOf(await authenticate(user, PASSWORD));
      await new Promise<void>((resolve, reject) => user.signOut((error?: Error) => (error ? reject(error) : resolve())));
      await rejects(f.state.idp.send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() })), 'NotAuthorizedException', /revoked/);
      await rejects(
        f.state.idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: session.getRefreshToken().getToken() })),
        'NotAuthorizedException',
      );
    });

    it('completeNewPasswordChallenge after AdminCreateUser', async () => {
      await f.createUser(poolId, 'newcomer', false);
      const user = new CognitoUser({ Username: 'newcomer', Pool: pool() });
      const outcome = await authenticate(user, 'Temp0rary!Pass');
      assert.ok('newPasswordRequired' in outcome);
      assert.deepEqual(outcome.newPasswordRequired.requiredAttributes, []);
      assert.ok(outcome.newPasswordRequired.userAttributes.email);
      const session = await completeNewPassword(user, NEW_PASSWORD, {});
      assert.ok(session.isValid());
      assert.equal(session.getAccessToken().decodePayload().username, 'newcomer');
      await sessionOf(await authenticate(new CognitoUser({ Username: 'newcomer', Pool: pool() }), NEW_PASSWORD));
    });

    it('signs in by email in a pool where the email is the username (USER_ID_FOR_SRP is the internal name)', async () => {
      const { UserPool } = await f.state.idp.send(new CreateUserPoolCommand({ PoolName: 'by-email', UsernameAttributes: ['email'] }));
      const emailPoolClient = await f.createClient(UserPool!.Id!);
      const email = uniqueEmail('by-email');
      await f.state.idp.send(new AdminCreateUserCommand({ UserPoolId: UserPool!.Id!, Username: email, MessageAction: 'SUPPRESS' }));
      await f.state.idp.send(new AdminSetUserPasswordCommand({ UserPoolId: UserPool!.Id!, Username: email, Password: PASSWORD, Permanent: true }));
      const storage = memoryStorage();
      const emailPool = new CognitoUserPool({ UserPoolId: UserPool!.Id!, ClientId: emailPoolClient, endpoint: `${f.state.server.url}/`, Storage: storage });
      const user = new CognitoUser({ Username: email, Pool: emailPool, Storage: storage });
      const session = await sessionOf(await authenticate(user, PASSWORD));
      const internal = session.getAccessToken().decodePayload().username as string;
      assert.match(internal, /^[0-9a-f-]{36}$/, 'the internal username is the sub');
      assert.equal(session.getIdToken().decodePayload().email, email);
      assert.equal(user.getUsername(), internal, 'the library continues as USER_ID_FOR_SRP');
      const renewed = await node<CognitoUserSession>((cb) => user.refreshSession(session.getRefreshToken(), cb));
      assert.equal(renewed.getAccessToken().decodePayload().username, internal);
    });

    it('signUp and confirmRegistration', async () => {
      const email = uniqueEmail('joiner');
      const result = await node<{ userConfirmed: boolean; userSub: string; user: CognitoUser }>((cb) =>
        pool().signUp('joiner', PASSWORD, [new CognitoUserAttribute({ Name: 'email', Value: email })], [], cb as never),
      );
      assert.equal(result.userConfirmed, false);
      assert.match(result.userSub, /^[0-9a-f-]{36}$/);
      const user = new CognitoUser({ Username: 'joiner', Pool: pool() });
      await rejects(authenticate(user, PASSWORD), 'UserNotConfirmedException');
      await rejects(node((cb) => user.confirmRegistration('000000', true, cb)), 'CodeMismatchException');
      const code = await f.codeFor(email);
      assert.equal(await node((cb) => user.confirmRegistration(code, true, cb)), 'SUCCESS');
      const session = await sessionOf(await authenticate(new CognitoUser({ Username: 'joiner', Pool: pool() }), PASSWORD));
      assert.equal(session.getIdToken().decodePayload().email, email);
      assert.equal(session.getIdToken().decodePayload().email_verified, true);
    });
  });
}

// Amplify is a process-wide singleton: one describe, one server, every step in order.
describe('aws-amplify v6 in Node (sqlite)', () => {
  const f = fixture('sqlite');
  let poolId: string;
  let clientId: string;
  const email = uniqueEmail('amplify');
  /** X-Amz-Target of every call Amplify makes to the server. */
  const calls: string[] = [];
  const realFetch = globalThis.fetch;

  before(async () => {
    poolId = await f.createPool();
    clientId = await f.createClient(poolId);
    globalThis.fetch = (input, init) => {
      const target = new Headers(init?.headers).get('x-amz-target');
      if (target) calls.push(target.split('.').pop()!);
      return realFetch(input, init);
    };
    Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: f.state.server.url } } });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
  });
  after(() => {
    globalThis.fetch = realFetch;
  });

  function storedRefreshToken(): Promise<string | null> {
    return sharedInMemoryStorage.getItem(`CognitoIdentityServiceProvider.${clientId}.amplify-user.refreshToken`);
  }

  it('signUp, confirmSignUp, signIn (SRP), fetchAuthSession, refresh, getCurrentUser, signOut', async () => {
    const signedUp = await signUp({ username: 'amplify-user', password: PASSWORD, options: { userAttributes: { email } } });
    assert.equal(signedUp.isSignUpComplete, false);
    assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');

    const confirmed = await confirmSignUp({ username: 'amplify-user', confirmationCode: await f.codeFor(email) });
    assert.equal(confirmed.isSignUpComplete, true);

    calls.length = 0;
    const signedIn = await signIn({ username: 'amplify-user', password: PASSWORD });
    assert.equal(signedIn.isSignedIn, true);
    assert.equal(signedIn.nextStep.signInStep, 'DONE');
    assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge'], 'SRP: the challenge and its answer');

    const session = await fetchAuthSession();
    assert.ok(session.tokens?.accessToken && session.tokens.idToken);
    assert.equal(session.tokens.idToken.payload.email, email);
    assert.equal(session.tokens.accessToken.payload.username, 'amplify-user');
    const refreshToken = await storedRefreshToken();
    assert.ok(refreshToken);

    calls.length = 0;
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.ok(calls.includes('GetTokensFromRefreshToken'), `calls: ${calls.join(', ')}`);
    assert.ok(refreshed.tokens?.accessToken);
    assert.notEqual(refreshed.tokens.accessToken.toString(), session.tokens.accessToken.toString());
    assert.equal(refreshed.tokens.accessToken.payload.origin_jti, session.tokens.accessToken.payload.origin_jti);
    assert.equal(await storedRefreshToken(), refreshToken, 'no rotation: the refresh token stays');

    const current = await getCurrentUser();
    assert.equal(current.username, 'amplify-user');
    assert.equal(current.userId, session.tokens.accessToken.payload.sub);

    calls.length = 0;
    await signOut();
    assert.ok(calls.includes('RevokeToken'), `calls: ${calls.join(', ')}`);
    assert.equal(await storedRefreshToken(), null);
    const gone = await fetchAuthSession();
    assert.equal(gone.tokens, undefined);
    await rejects(f.state.idp.send(new GetUserCommand({ AccessToken: refreshed.tokens.accessToken.toString() })), 'NotAuthorizedException', /revoked/);
    await rejects(f.state.idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken })), 'NotAuthorizedException');

    // Wrong password: the error name reaches the app as Cognito's.
    await rejects(signIn({ username: 'amplify-user', password: 'Wr0ng-Password!' }), 'NotAuthorizedException', 'Incorrect username or password.');
  });

  it('signUp with autoSignIn, confirmSignUp, then autoSignIn signs in, as the Authenticator does', async () => {
    const autoEmail = uniqueEmail('amplify-auto');
    const signedUp = await signUp({ username: 'amplify-auto', password: PASSWORD, options: { userAttributes: { email: autoEmail }, autoSignIn: true } });
    assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    const confirmed = await confirmSignUp({ username: 'amplify-auto', confirmationCode: await f.codeFor(autoEmail) });
    assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
    calls.length = 0;
    const signedIn = await autoSignIn();
    assert.equal(signedIn.isSignedIn, true);
    assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge'], 'the password given at sign-up, over SRP');
    assert.equal((await getCurrentUser()).username, 'amplify-auto');
    await signOut();
  });

  it('manages the account: attributes, password, reset, an authenticator app, deleteUser', async () => {
    const serverNow = () => new Date(Date.now() + f.state.skewMs);
    await signIn({ username: 'amplify-auto', password: PASSWORD });
    const attributes = await fetchUserAttributes();
    assert.equal(attributes.email_verified, 'true');
    assert.match(attributes.sub!, /^[0-9a-f-]{36}$/);

    // A new email waits for its code (the pool verifies email); a name changes at once.
    const newEmail = uniqueEmail('amplify-moved');
    const updated = await updateUserAttributes({ userAttributes: { email: newEmail, given_name: 'Ada' } });
    assert.equal(updated.given_name.isUpdated, true);
    assert.equal(updated.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
    assert.equal(updated.email.nextStep.codeDeliveryDetails?.deliveryMedium, 'EMAIL');
    await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await f.codeFor(newEmail) });
    const changed = await fetchUserAttributes();
    assert.deepEqual([changed.email, changed.email_verified, changed.given_name], [newEmail, 'true', 'Ada']);

    const interim = 'Interim-Passw0rd!';
    await updatePassword({ oldPassword: PASSWORD, newPassword: interim });
    await signOut();
    await rejects(signIn({ username: 'amplify-auto', password: PASSWORD }), 'NotAuthorizedException');

    const reset = await resetPassword({ username: 'amplify-auto' });
    assert.equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
    await confirmResetPassword({ username: 'amplify-auto', confirmationCode: await f.codeFor(newEmail), newPassword: PASSWORD });

    // An authenticator app, once the pool offers TOTP.
    await f.state.idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
    assert.equal((await signIn({ username: 'amplify-auto', password: PASSWORD })).isSignedIn, true);
    const totp = await setUpTOTP();
    assert.match(totp.getSetupUri('Gatehouse').href, /^otpauth:\/\/totp\//);
    await verifyTOTPSetup({ code: totpCode(totp.sharedSecret, serverNow()) });
    await updateMFAPreference({ totp: 'PREFERRED' });
    assert.deepEqual(await fetchMFAPreference(), { enabled: ['TOTP'], preferred: 'TOTP' });
    await signOut();

    f.state.skewMs += 30_000; // the next step's code: a code is never accepted twice
    const challenged = await signIn({ username: 'amplify-auto', password: PASSWORD });
    assert.equal(challenged.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
    const confirmedSignIn = await confirmSignIn({ challengeResponse: totpCode(totp.sharedSecret, serverNow()) });
    assert.equal(confirmedSignIn.isSignedIn, true);

    await deleteUser();
    await rejects(f.state.idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'amplify-auto' })), 'UserNotFoundException');
    await f.state.idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OFF' }));
  });

  it('keeps the rotated refresh token of a client with refresh token rotation', async () => {
    const { UserPoolClient } = await f.state.idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'rotating',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'],
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
      }),
    );
    clientId = UserPoolClient!.ClientId!;
    Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: f.state.server.url } } });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
    assert.equal((await signIn({ username: 'amplify-user', password: PASSWORD })).isSignedIn, true);
    const original = await storedRefreshToken();
    assert.ok(original);
    const refreshed = await fetchAuthSession({ forceRefresh: true });
    assert.ok(refreshed.tokens?.accessToken);
    const rotated = await storedRefreshToken();
    assert.ok(rotated && rotated !== original, 'Amplify stored the new refresh token');
    await rejects(f.state.idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: original })), 'NotAuthorizedException');
    const again = await fetchAuthSession({ forceRefresh: true });
    assert.ok(again.tokens?.accessToken, 'the rotated token refreshes in turn');
    assert.notEqual(await storedRefreshToken(), rotated);
    await signOut();
  });

  it('fetchAuthSession with an identity pool: guest credentials, then the signed-in role\'s, usable with STS', async () => {
    const url = f.state.server.url;
    const identity = new CognitoIdentityClient({ endpoint: url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
    const iam = new IAMClient({ endpoint: url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
    // Amplify names the user pool as Cognito's own host does: cognito-idp.<region>.amazonaws.com/<poolId>.
    const { IdentityPoolId } = await identity.send(
      new CreateIdentityPoolCommand({
        IdentityPoolName: 'amplify',
        AllowUnauthenticatedIdentities: true,
        CognitoIdentityProviders: [{ ProviderName: `cognito-idp.us-east-1.amazonaws.com/${poolId}`, ClientId: clientId }],
      }),
    );
    const role = async (RoleName: string, amr: 'authenticated' | 'unauthenticated') =>
      (await iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: cognitoTrust(IdentityPoolId!, amr) }))).Role!.Arn!;
    await identity.send(
      new SetIdentityPoolRolesCommand({ IdentityPoolId, Roles: { authenticated: await role('amplify-member', 'authenticated'), unauthenticated: await role('amplify-guest', 'unauthenticated') } }),
    );
    Amplify.configure({
      Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: url, identityPoolId: IdentityPoolId!, identityPoolEndpoint: url, allowGuestAccess: true } },
    });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
    const callerArn = async (credentials: NonNullable<Awaited<ReturnType<typeof fetchAuthSession>>['credentials']>) =>
      (await new STSClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}))).Arn;

    const guest = await fetchAuthSession();
    assert.equal(guest.tokens, undefined);
    assert.match(guest.identityId!, /^us-east-1:[0-9a-f-]{36}$/);
    assert.match(guest.credentials!.accessKeyId, /^ASIA/);
    assert.equal(await callerArn(guest.credentials!), 'arn:aws:sts::000000000000:assumed-role/amplify-guest/CognitoIdentityCredentials');

    await signIn({ username: 'amplify-user', password: PASSWORD });
    const member = await fetchAuthSession();
    assert.ok(member.tokens?.idToken);
    assert.equal(member.identityId, guest.identityId, 'the guest identity becomes the signed-in one');
    assert.equal(await callerArn(member.credentials!), 'arn:aws:sts::000000000000:assumed-role/amplify-member/CognitoIdentityCredentials');
    await signOut();
  });

  it('remembers, lists and forgets a device; a remembered device proves itself with DEVICE_SRP_AUTH', async () => {
    const { UserPool } = await f.state.idp.send(
      new CreateUserPoolCommand({ PoolName: 'amplify-devices', DeviceConfiguration: { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: true } }),
    );
    const devicePool = UserPool!.Id!;
    clientId = await f.createClient(devicePool);
    Amplify.configure({ Auth: { Cognito: { userPoolId: devicePool, userPoolClientId: clientId, userPoolEndpoint: f.state.server.url } } });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
    await f.createUser(devicePool, 'amplify-device');
    // Amplify names a new device from the browser's navigator, which Node 20 lacks (it then skips
    // ConfirmDevice silently): here it is the browser that Amplify's device flow is written for.
    const hadNavigator = 'navigator' in globalThis;
    if (!hadNavigator) Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Gatehouse test browser' }, configurable: true });
    try {
      await deviceFlow(devicePool);
    } finally {
      if (!hadNavigator) delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  it('choice-based sign-in (USER_AUTH): passwordless sign-up and autoSignIn, an emailed code, SRP picked from the list', async () => {
    const { UserPool } = await f.state.idp.send(
      new CreateUserPoolCommand({ PoolName: 'passwordless', AutoVerifiedAttributes: ['email'], Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } }),
    );
    const { UserPoolClient } = await f.state.idp.send(
      new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    );
    Amplify.configure({ Auth: { Cognito: { userPoolId: UserPool!.Id!, userPoolClientId: UserPoolClient!.ClientId!, userPoolEndpoint: f.state.server.url } } });
    cognitoUserPoolsTokenProvider.setKeyValueStorage(sharedInMemoryStorage);
    const otpEmail = uniqueEmail('amplify-otp');

    const signedUp = await signUp({ username: 'amplify-otp', options: { userAttributes: { email: otpEmail }, autoSignIn: { authFlowType: 'USER_AUTH' } } });
    assert.equal(signedUp.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
    const confirmed = await confirmSignUp({ username: 'amplify-otp', confirmationCode: await f.codeFor(otpEmail) });
    assert.equal(confirmed.nextStep.signUpStep, 'COMPLETE_AUTO_SIGN_IN');
    calls.length = 0;
    assert.equal((await autoSignIn()).isSignedIn, true);
    assert.deepEqual(calls, ['InitiateAuth'], "ConfirmSignUp's session signs in: no code a second time");
    await signOut();

    const otp = await signIn({ username: 'amplify-otp', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
    assert.equal(otp.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
    assert.equal((await confirmSignIn({ challengeResponse: await f.codeFor(otpEmail) })).isSignedIn, true);
    // A first password, set with the access token alone (Amplify's updatePassword insists on an old one).
    const { tokens } = await fetchAuthSession();
    await f.state.idp.send(new ChangePasswordCommand({ AccessToken: tokens!.accessToken.toString(), ProposedPassword: PASSWORD }));
    await signOut();

    const choice = await signIn({ username: 'amplify-otp', options: { authFlowType: 'USER_AUTH' } });
    assert.equal(choice.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
    assert.deepEqual((choice.nextStep as { availableChallenges?: string[] }).availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
    assert.equal((await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' })).nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    calls.length = 0;
    assert.equal((await confirmSignIn({ challengeResponse: PASSWORD })).isSignedIn, true);
    assert.deepEqual(calls, ['RespondToAuthChallenge', 'RespondToAuthChallenge'], 'SELECT_CHALLENGE with SRP_A, then PASSWORD_VERIFIER');
    assert.equal((await getCurrentUser()).username, 'amplify-otp');
    await signOut();
  });

  async function deviceFlow(devicePool: string) {
    calls.length = 0;
    assert.equal((await signIn({ username: 'amplify-device', password: PASSWORD })).isSignedIn, true);
    assert.ok(calls.includes('ConfirmDevice'), `Amplify confirmed the new device: ${calls.join(', ')}`);
    await rememberDevice();
    const [device, ...others] = await fetchDevices();
    assert.equal(others.length, 0);
    assert.match(device.id, new RegExp(`^${devicePool.split('_')[0]}_`));
    await signOut();

    calls.length = 0;
    assert.equal((await signIn({ username: 'amplify-device', password: PASSWORD })).isSignedIn, true);
    assert.deepEqual(calls.slice(0, 4), ['InitiateAuth', 'RespondToAuthChallenge', 'RespondToAuthChallenge', 'RespondToAuthChallenge'], `SRP, then the device's own SRP: ${calls.join(', ')}`);
    assert.equal((await fetchDevices())[0].id, device.id, 'the same device, not a new one');

    await forgetDevice();
    assert.deepEqual(await fetchDevices(), []);
    await signOut();
  }
});

for (const store of STORES) {
  describe(`token verification: aws-jwt-verify and forged tokens (${store.name})`, { skip: store.skip }, () => {
    const f = fixture(store.name);
    let poolId: string;
    let clientId: string;
    let issuer: string;
    let jwks: Jwks;
    let tokens: { AccessToken: string; IdToken: string; RefreshToken: string };
    let otherPool: { poolId: string; tokens: { AccessToken: string; IdToken: string } };

    before(async () => {
      poolId = await f.createPool();
      clientId = await f.createClient(poolId);
      issuer = `${f.state.server.url}/${poolId}`;
      await f.createUser(poolId, 'verified');
      tokens = await f.passwordSignIn(clientId, 'verified');
      jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as Jwks;
      const otherId = await f.createPool();
      const otherClient = await f.createClient(otherId);
      await f.createUser(otherId, 'verified');
      otherPool = { poolId: otherId, tokens: await f.passwordSignIn(otherClient, 'verified') };
    });

    function idVerifier() {
      const verifier = JwtRsaVerifier.create({
        issuer,
        audience: clientId,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'id', clientId }),
      });
      verifier.cacheJwks(jwks);
      return verifier;
    }

    function accessVerifier() {
      // Access tokens carry client_id, not aud: the audience check is off and the Cognito check does it.
      const verifier = JwtRsaVerifier.create({
        issuer,
        audience: null,
        jwksUri: `${issuer}/.well-known/jwks.json`,
        scope: 'aws.cognito.signin.user.admin',
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'access', clientId }),
      });
      verifier.cacheJwks(jwks);
      return verifier;
    }

    /** The forged token is refused by GetUser and by aws-jwt-verify. */
    async function refusedEverywhere(token: string, label: string): Promise<void> {
      await assert.rejects(f.state.idp.send(new GetUserCommand({ AccessToken: token })), (error: Error) => {
        assert.equal(error.name, 'NotAuthorizedException', `${label}: GetUser answered ${error.name}: ${error.message}`);
        return true;
      });
      await assert.rejects(accessVerifier().verify(token), `${label}: aws-jwt-verify accepted it`);
    }

    /** A token with its payload (and optionally header) replaced, keeping the original signature. */
    function reencoded(token: string, change: (payload: Record<string, unknown>) => void, header?: Record<string, unknown>): string {
      const [h, p, s] = token.split('.');
      const payload = JSON.parse(new TextDecoder().decode(base64url.decode(p))) as Record<string, unknown>;
      change(payload);
      const head = header ? base64url.encode(JSON.stringify(header)) : h;
      return `${head}.${base64url.encode(JSON.stringify(payload))}.${s}`;
    }

    it('aws-jwt-verify verifies Gatehouse ID and access tokens', async () => {
      const id = await idVerifier().verify(tokens.IdToken);
      assert.equal(id.token_use, 'id');
      assert.equal(id.aud, clientId);
      assert.equal(id['cognito:username'], 'verified');
      const access = await accessVerifier().verify(tokens.AccessToken);
      assert.equal(access.token_use, 'access');
      assert.equal(access.client_id, clientId);
      await assert.rejects(idVerifier().verify(tokens.AccessToken), 'an access token is not an ID token');
      await assert.rejects(accessVerifier().verify(tokens.IdToken), 'an ID token is not an access token');
      // A verifier for another client refuses both.
      const otherClient = JwtRsaVerifier.create({ issuer, audience: 'someone-else', jwksUri: `${issuer}/.well-known/jwks.json` });
      otherClient.cacheJwks(jwks);
      await assert.rejects(otherClient.verify(tokens.IdToken));
    });

    it('refuses forged tokens: alg none, HS256 keyed with the public key, a changed claim', async () => {
      const { kid } = decodeProtectedHeader(tokens.AccessToken);
      const claims = decodeJwt(tokens.AccessToken);

      const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid }))}.${base64url.encode(JSON.stringify(claims))}.`;
      await refusedEverywhere(none, 'alg none');
      await refusedEverywhere(`${none}${tokens.AccessToken.split('.')[2]}`, 'alg none with a signature');

      const publicJwk = jwks.keys.find((k) => k.kid === kid) as JWK;
      const pem = await exportSPKI((await importJWK(publicJwk, 'RS256')) as CryptoKey);
      for (const secret of [pem, JSON.stringify(publicJwk), publicJwk.n!]) {
        const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(secret));
        await refusedEverywhere(hs256, 'HS256 keyed with the public key');
      }

      await refusedEverywhere(reencoded(tokens.AccessToken, (p) => void (p.username = 'admin')), 'changed username');
      await refusedEverywhere(reencoded(tokens.AccessToken, (p) => void (p.exp = (p.exp as number) + 86400)), 'extended exp');
      await refusedEverywhere(reencoded(tokens.AccessToken, (p) => void (p.scope = 'aws.cognito.signin.user.admin openid')), 'added scope');
      await refusedEverywhere(reencoded(tokens.AccessToken, () => {}, { alg: 'RS256', kid: 'unknown-kid' }), 'unknown kid');
    });

    it('refuses an expired token', async () => {
      f.state.skewMs = -2 * 3600_000; // issued two hours ago: it expired an hour ago
      const old = await f.passwordSignIn(clientId, 'verified');
      f.state.skewMs = 0;
      await refusedEverywhere(old.AccessToken, 'expired');
      await assert.rejects(idVerifier().verify(old.IdToken), /expired/i);
    });

    it('refuses a token of another pool presented as this pool', async () => {
      const foreign = otherPool.tokens.AccessToken;
      // As it is, GetUser accepts it for its own pool; a verifier for this pool refuses its issuer.
      assert.equal((await f.state.idp.send(new GetUserCommand({ AccessToken: foreign }))).Username, 'verified');
      await assert.rejects(accessVerifier().verify(foreign));
      // With this pool's issuer written in, the signature (by the other pool's key) no longer holds.
      await refusedEverywhere(reencoded(foreign, (p) => void (p.iss = issuer)), 'other pool with this issuer');
      // Nor does a look-alike issuer on another host.
      await refusedEverywhere(reencoded(tokens.AccessToken, (p) => void (p.iss = `http://evil.example/${poolId}`)), 'look-alike issuer');
      // A pool that does not exist: refused, and the forged pool id does not make the server create keys.
      const invented = `${poolId.split('_')[0]}_Invented1`;
      await refusedEverywhere(reencoded(tokens.AccessToken, (p) => void (p.iss = `${f.state.server.url}/${invented}`)), 'invented pool');
      assert.deepEqual(await f.state.server.gatehouse.services.repos.signingKeys.list(invented), []);
    });

    it('refuses an ID token where an access token is required', async () => {
      await refusedEverywhere(tokens.IdToken, 'ID token');
    });

    it('refuses a revoked token at GetUser, though its signature still verifies', async () => {
      const session = await f.passwordSignIn(clientId, 'verified');
      await f.state.idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: session.RefreshToken }));
      await assert.rejects(f.state.idp.send(new GetUserCommand({ AccessToken: session.AccessToken })), (error: Error) => {
        assert.equal(error.name, 'NotAuthorizedException');
        assert.match(error.message, /revoked/);
        return true;
      });
      // Revocation lives on the server: offline verification cannot know about it (as with Cognito).
      assert.equal((await accessVerifier().verify(session.AccessToken)).username, 'verified');
      // Other sign-ins are untouched.
      assert.equal((await f.state.idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).Username, 'verified');
    });
  });
}
