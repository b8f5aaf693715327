import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminForgetDeviceCommand,
  AdminGetDeviceCommand,
  AdminListDevicesCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateDeviceStatusCommand,
  AssociateSoftwareTokenCommand,
  ConfirmDeviceCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetDeviceCommand,
  InitiateAuthCommand,
  ListDevicesCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  UpdateDeviceStatusCommand,
  VerifySoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  type DeviceConfigurationType,
  type DeviceType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { attribute, rejects } from './helpers/assertions.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { memoryStorage, totpCode } from './helpers/authenticator.js';
import { STORES } from './helpers/stores.js';

const STEP_MS = 30_000;
const ALWAYS_REMEMBER: DeviceConfigurationType = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: false };
const USER_OPT_IN: DeviceConfigurationType = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true };
// Devices are remembered, but "a remembered device can sign in … instead of SMS and TOTP factors" only when true.
const TRACKED_NOT_TRUSTED: DeviceConfigurationType = { ChallengeRequiredOnNewDevice: false, DeviceOnlyRememberedOnUserPrompt: false };
const UNKNOWN_DEVICE = 'us-east-1_00000000-0000-4000-8000-000000000000';
/** A well-formed DeviceSecretVerifierConfig for ConfirmDevice calls made by hand (no device password behind it). */
const VERIFIER_CONFIG = { Salt: Buffer.from('0123456789abcdef', 'hex').toString('base64'), PasswordVerifier: Buffer.from('05'.repeat(384), 'hex').toString('base64') };

const deviceKeyOf = (session: CognitoUserSession) => session.getAccessToken().decodePayload().device_key as string | undefined;
const rememberedStatus = (device: DeviceType | undefined) => attribute(device?.DeviceAttributes, 'dev:device_remembered_status');
/** Cognito's refusal of a pagination token its listing did not hand out. */
const FOREIGN_MARKER = /^Paging marker \S+ is invalid for request [\w-]+$/;

/** A callback-style amazon-cognito-identity-js call as a promise. */
function call<T>(run: (callback: { onSuccess: (result: T) => void; onFailure: (error: Error) => void }) => void): Promise<T> {
  return new Promise((resolve, reject) => run({ onSuccess: resolve, onFailure: reject }));
}

for (const store of STORES) {
  describe(`remembered devices (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    // The server's clock, moved a TOTP step forward before each code (a code is never accepted twice).
    let skewMs = 0;
    const serverNow = () => new Date(Date.now() + skewMs);
    const nextStep = () => {
      skewMs += STEP_MS;
    };
    // What amazon-cognito-identity-js asks for (it calls the global fetch): operation, and challenge if any.
    const calls: string[] = [];
    const realFetch = globalThis.fetch;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING, { now: serverNow });
      idp = server.idp();
      globalThis.fetch = (input, init) => {
        const target = new Headers(init?.headers).get('X-Amz-Target')?.split('.')[1];
        if (target) {
          const challenge = (JSON.parse(String(init?.body ?? '{}')) as { ChallengeName?: string }).ChallengeName;
          calls.push(challenge ? `${target}:${challenge}` : target);
        }
        return realFetch(input, init);
      };
    });
    afterEach(() => {
      skewMs = 0;
      calls.length = 0;
    });
    after(async () => {
      globalThis.fetch = realFetch;
      await server?.close();
    });

    async function createPool(options: { devices?: DeviceConfigurationType; totp?: boolean } = {}) {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'devices', ...(options.devices && { DeviceConfiguration: options.devices }) }));
      const poolId = UserPool!.Id!;
      if (options.totp) {
        await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      }
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'app',
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        }),
      );
      return { poolId, clientId: UserPoolClient!.ClientId! };
    }

    async function createUser(poolId: string, username: string) {
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }

    /** A CognitoUser with its own storage (where the library caches the device key, group key and device password). */
    function jsUser(poolId: string, clientId: string, username: string, storage = memoryStorage()) {
      const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/`, Storage: storage });
      return { user: new CognitoUser({ Username: username, Pool: pool, Storage: storage }), storage };
    }

    /**
     * authenticateUser to the end: the library answers DEVICE_SRP_AUTH itself, and confirms a new device
     * (ConfirmDevice) before onSuccess. A TOTP challenge is answered with `totpSecret`, or fails the sign-in.
     */
    function authenticate(user: CognitoUser, totpSecret?: string): Promise<{ session: CognitoUserSession; userConfirmationNecessary?: boolean; askedForTotp: boolean }> {
      let askedForTotp = false;
      return new Promise((resolve, reject) => {
        const onSuccess = (session: CognitoUserSession, userConfirmationNecessary?: boolean) => resolve({ session, userConfirmationNecessary, askedForTotp });
        user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: PASSWORD }), {
          onSuccess,
          onFailure: reject,
          totpRequired: () => {
            askedForTotp = true;
            if (!totpSecret) return reject(new Error('unexpected SOFTWARE_TOKEN_MFA challenge'));
            nextStep();
            user.sendMFACode(totpCode(totpSecret, serverNow()), { onSuccess, onFailure: reject }, 'SOFTWARE_TOKEN_MFA');
          },
        });
      });
    }

    const refresh = (clientId: string, refreshToken: string, deviceKey?: string) =>
      idp.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: refreshToken, ...(deviceKey && { DEVICE_KEY: deviceKey }) },
        }),
      );

    const adminDevices = async (poolId: string, username: string) => (await idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: username }))).Devices ?? [];

    /** An authenticator, registered and preferred with the tokens of a first (device-less) sign-in; its secret. */
    async function preferAuthenticator(clientId: string, username: string): Promise<string> {
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      const accessToken = AuthenticationResult!.AccessToken!;
      const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, serverNow()) }));
      await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      return SecretCode!;
    }

    it('authenticateUser is handed NewDeviceMetadata and confirms the device; the next sign-in proves the device with DEVICE_SRP_AUTH', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER });
      await createUser(poolId, 'ada');
      const { user, storage } = jsUser(poolId, clientId, 'ada');

      const first = await authenticate(user);
      const deviceKey = storage.items.get(`CognitoIdentityServiceProvider.${clientId}.ada.deviceKey`);
      assert.match(deviceKey ?? '', /^us-east-1_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.equal(deviceKeyOf(first.session), deviceKey, 'the first tokens already carry the new device');
      assert.equal(first.userConfirmationNecessary, undefined, 'devices are remembered without asking');
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'ConfirmDevice']);

      const [device] = await adminDevices(poolId, 'ada');
      assert.equal(device?.DeviceKey, deviceKey);
      assert.equal(attribute(device?.DeviceAttributes, 'device_status'), 'valid');
      assert.ok(attribute(device?.DeviceAttributes, 'device_name'), 'the name the library sent (its user agent)');
      assert.equal(rememberedStatus(device), 'remembered');
      assert.ok(device?.DeviceCreateDate instanceof Date && device.DeviceLastModifiedDate instanceof Date);
      // Cognito's attributes, in its order: the owner is `<username>.<poolId>`, the ARN names owner and device.
      assert.deepEqual(
        device?.DeviceAttributes?.map((a) => a.Name),
        ['device_status', 'device_name', 'dev:device_arn', 'dev:device_owner', 'last_ip_used', 'dev:device_remembered_status'],
      );
      assert.equal(attribute(device?.DeviceAttributes, 'dev:device_owner'), `ada.${poolId}`);
      assert.equal(attribute(device?.DeviceAttributes, 'dev:device_arn'), `arn:aws:cognito-idp:us-east-1:000000000000:owner/ada.${poolId}/device/${deviceKey}`);
      assert.match(attribute(device?.DeviceAttributes, 'last_ip_used') ?? '', /^(::ffff:)?127\.0\.0\.1$/, 'ConfirmDevice came from loopback');

      calls.length = 0;
      const second = await authenticate(user);
      assert.deepEqual(calls, [
        'InitiateAuth',
        'RespondToAuthChallenge:PASSWORD_VERIFIER',
        'RespondToAuthChallenge:DEVICE_SRP_AUTH',
        'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
      ]);
      assert.equal(deviceKeyOf(second.session), deviceKey);
      assert.equal((await adminDevices(poolId, 'ada')).length, 1, 'no new device');

      // USER_PASSWORD_AUTH from the same device ends with the device challenge too.
      const { user: plain } = jsUser(poolId, clientId, 'ada', storage);
      plain.setAuthenticationFlowType('USER_PASSWORD_AUTH');
      calls.length = 0;
      assert.equal(deviceKeyOf((await authenticate(plain)).session), deviceKey);
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);

      // The user's own view: getDevice, listDevices.
      // The library's types say getDevice succeeds with a string; it passes the GetDevice response.
      const got = (await call<string>((callback) => user.getDevice(callback))) as unknown as { Device: DeviceType };
      assert.equal(got.Device.DeviceKey, deviceKey);
      assert.ok(got.Device.DeviceLastAuthenticatedDate, 'the device sign-in is recorded');
      const listed = await call<{ Devices: DeviceType[] }>((callback) => user.listDevices(10, null, callback));
      assert.deepEqual(
        listed.Devices.map((d) => d.DeviceKey),
        [deviceKey],
      );

      // The device's refresh token: only with its own DEVICE_KEY, as at Cognito — not another device's, not none.
      const refreshToken = second.session.getRefreshToken().getToken();
      assert.equal(deviceKeyOf(second.session), deviceKey);
      const refreshed = await refresh(clientId, refreshToken, deviceKey);
      const claims = JSON.parse(Buffer.from(refreshed.AuthenticationResult!.AccessToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.device_key, deviceKey);
      await rejects(refresh(clientId, refreshToken), 'NotAuthorizedException', /Invalid Refresh Token/);
      await rejects(refresh(clientId, refreshToken, UNKNOWN_DEVICE), 'NotAuthorizedException', /Invalid Refresh Token/);
      await rejects(
        idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken, DeviceKey: UNKNOWN_DEVICE })),
        'NotAuthorizedException',
      );
      assert.ok((await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken, DeviceKey: deviceKey }))).AuthenticationResult?.AccessToken);

      // forgetDevice: gone from every list, its refresh tokens stop working, and the next sign-in is a new device.
      await call<string>((callback) => user.forgetDevice(callback));
      assert.deepEqual((await idp.send(new ListDevicesCommand({ AccessToken: first.session.getAccessToken().getJwtToken() }))).Devices, []);
      await rejects(idp.send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'ada', DeviceKey: deviceKey })), 'ResourceNotFoundException', /Device does not exist/);
      await rejects(refresh(clientId, refreshToken, deviceKey), 'NotAuthorizedException');
      const third = await authenticate(user);
      assert.ok(deviceKeyOf(third.session) && deviceKeyOf(third.session) !== deviceKey, 'a new device');
      assert.deepEqual(
        (await adminDevices(poolId, 'ada')).map((d) => d.DeviceKey),
        [deviceKeyOf(third.session)],
      );
    });

    it('a temporary password (NEW_PASSWORD_REQUIRED) on a known device still ends with the device challenge', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER });
      await createUser(poolId, 'margaret');
      const { user } = jsUser(poolId, clientId, 'margaret');
      const deviceKey = deviceKeyOf((await authenticate(user)).session);
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'margaret', Password: 'Temp0rary-Passw0rd!', Permanent: false }));
      calls.length = 0;
      const session = await new Promise<CognitoUserSession>((resolve, reject) => {
        user.authenticateUser(new AuthenticationDetails({ Username: 'margaret', Password: 'Temp0rary-Passw0rd!' }), {
          onSuccess: resolve,
          onFailure: reject,
          newPasswordRequired: () => user.completeNewPasswordChallenge(PASSWORD, {}, { onSuccess: resolve, onFailure: reject }),
        });
      });
      assert.equal(deviceKeyOf(session), deviceKey);
      assert.deepEqual(calls.slice(2), [
        'RespondToAuthChallenge:NEW_PASSWORD_REQUIRED',
        'RespondToAuthChallenge:DEVICE_SRP_AUTH',
        'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
      ]);
    });

    it('a pool without DeviceConfiguration hands out no device', async () => {
      const { poolId, clientId } = await createPool();
      await createUser(poolId, 'plain');
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'plain', PASSWORD } }),
      );
      assert.equal(AuthenticationResult?.NewDeviceMetadata, undefined);
      const claims = JSON.parse(Buffer.from(AuthenticationResult!.AccessToken!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.equal(claims.device_key, undefined);
    });

    it('ConfirmDevice in a pool without DeviceConfiguration is InvalidParameterException, and stores nothing', async () => {
      const { poolId, clientId } = await createPool();
      await createUser(poolId, 'untracked');
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'untracked', PASSWORD } }),
      );
      assert.equal(AuthenticationResult?.NewDeviceMetadata, undefined);
      await rejects(
        idp.send(new ConfirmDeviceCommand({ AccessToken: AuthenticationResult!.AccessToken, DeviceKey: UNKNOWN_DEVICE, DeviceSecretVerifierConfig: VERIFIER_CONFIG, DeviceName: 'laptop' })),
        'InvalidParameterException',
        /Device tracking is not enabled for this user pool/,
      );
      assert.deepEqual(await adminDevices(poolId, 'untracked'), []);
    });

    it('DeviceOnlyRememberedOnUserPrompt: UserConfirmationNecessary, and the device is remembered only once the user says so', async () => {
      const { poolId, clientId } = await createPool({ devices: USER_OPT_IN });
      await createUser(poolId, 'grace');
      const { user } = jsUser(poolId, clientId, 'grace');
      const { session, userConfirmationNecessary } = await authenticate(user);
      assert.equal(userConfirmationNecessary, true);
      const deviceKey = deviceKeyOf(session)!;
      const accessToken = session.getAccessToken().getJwtToken();

      // Tracked, not remembered: the user sees nothing yet, the administrator sees it.
      assert.deepEqual((await idp.send(new ListDevicesCommand({ AccessToken: accessToken }))).Devices, []);
      await rejects(idp.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: deviceKey })), 'ResourceNotFoundException');
      assert.equal(rememberedStatus((await adminDevices(poolId, 'grace'))[0]), 'not_remembered');

      await call<string>((callback) => user.setDeviceStatusRemembered(callback));
      const { Device } = await idp.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: deviceKey }));
      assert.equal(rememberedStatus(Device), 'remembered');
      assert.equal((await idp.send(new ListDevicesCommand({ AccessToken: accessToken }))).Devices?.length, 1);

      await call<string>((callback) => user.setDeviceStatusNotRemembered(callback));
      await rejects(idp.send(new GetDeviceCommand({ AccessToken: accessToken, DeviceKey: deviceKey })), 'ResourceNotFoundException');
      await rejects(
        idp.send(new UpdateDeviceStatusCommand({ AccessToken: accessToken, DeviceKey: UNKNOWN_DEVICE, DeviceRememberedStatus: 'remembered' })),
        'ResourceNotFoundException',
      );
      // A tracked device still proves itself at sign-in.
      calls.length = 0;
      assert.equal(deviceKeyOf((await authenticate(user)).session), deviceKey);
      assert.ok(calls.includes('RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER'));
    });

    it('a remembered device stands in for TOTP MFA; a not_remembered or forgotten one does not', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER, totp: true });
      await createUser(poolId, 'barbara');
      const SecretCode = await preferAuthenticator(clientId, 'barbara');

      const { user } = jsUser(poolId, clientId, 'barbara');
      const first = await authenticate(user, SecretCode);
      assert.equal(first.askedForTotp, true, 'a new device passes MFA');
      const deviceKey = deviceKeyOf(first.session)!;
      assert.ok(deviceKey);

      calls.length = 0;
      const second = await authenticate(user, SecretCode);
      assert.equal(second.askedForTotp, false, 'the remembered device stands in for the code');
      assert.equal(deviceKeyOf(second.session), deviceKey);
      assert.deepEqual(calls, [
        'InitiateAuth',
        'RespondToAuthChallenge:PASSWORD_VERIFIER',
        'RespondToAuthChallenge:DEVICE_SRP_AUTH',
        'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
      ]);

      // Not remembered: the code first, then the device proves itself (sendMFACode answers DEVICE_SRP_AUTH).
      await idp.send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'barbara', DeviceKey: deviceKey, DeviceRememberedStatus: 'not_remembered' }));
      calls.length = 0;
      const third = await authenticate(user, SecretCode);
      assert.equal(third.askedForTotp, true);
      assert.equal(deviceKeyOf(third.session), deviceKey);
      assert.deepEqual(calls.slice(2), ['RespondToAuthChallenge:SOFTWARE_TOKEN_MFA', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);

      // Forgotten (by an administrator, so the library still sends the key): the stale key is refused, the
      // library retries without it, and the sign-in needs the code again and gets a new device.
      await idp.send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'barbara', DeviceKey: deviceKey, DeviceRememberedStatus: 'remembered' }));
      await idp.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'barbara', DeviceKey: deviceKey }));
      calls.length = 0;
      const fourth = await authenticate(user, SecretCode);
      assert.equal(fourth.askedForTotp, true, 'a forgotten device stands in for nothing');
      assert.ok(deviceKeyOf(fourth.session) && deviceKeyOf(fourth.session) !== deviceKey);
      assert.deepEqual(calls.slice(0, 3), ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:PASSWORD_VERIFIER']);
    });

    it('ChallengeRequiredOnNewDevice false: a new device and a remembered one alike get the MFA challenge; the remembered one then proves itself', async () => {
      const { poolId, clientId } = await createPool({ devices: TRACKED_NOT_TRUSTED, totp: true });
      await createUser(poolId, 'frances');
      const secret = await preferAuthenticator(clientId, 'frances');

      const { user } = jsUser(poolId, clientId, 'frances');
      const first = await authenticate(user, secret);
      assert.equal(first.askedForTotp, true);
      const deviceKey = deviceKeyOf(first.session)!;
      assert.ok(deviceKey);
      assert.equal(rememberedStatus((await adminDevices(poolId, 'frances'))[0]), 'remembered');

      calls.length = 0;
      const second = await authenticate(user, secret);
      assert.equal(second.askedForTotp, true, 'remembered, and still asked for the code');
      assert.equal(deviceKeyOf(second.session), deviceKey, 'the same device, not a new one');
      assert.deepEqual(calls, [
        'InitiateAuth',
        'RespondToAuthChallenge:PASSWORD_VERIFIER',
        'RespondToAuthChallenge:SOFTWARE_TOKEN_MFA',
        'RespondToAuthChallenge:DEVICE_SRP_AUTH',
        'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER',
      ]);
      assert.equal((await adminDevices(poolId, 'frances')).length, 1);

      // USER_PASSWORD_AUTH naming the device: the MFA challenge comes first there too.
      const started = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'frances', PASSWORD, DEVICE_KEY: deviceKey } }),
      );
      assert.equal(started.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      nextStep();
      const answered = await idp.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SOFTWARE_TOKEN_MFA',
          Session: started.Session,
          ChallengeResponses: { USERNAME: 'frances', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, serverNow()) },
        }),
      );
      assert.equal(answered.ChallengeName, 'DEVICE_SRP_AUTH');
      assert.equal(answered.ChallengeParameters?.DEVICE_KEY, deviceKey);

      // A user without MFA in the same pool: devices are still tracked and remembered, and a remembered one
      // proves itself at each sign-in; the flag only decides whether it may stand in for a second factor.
      await createUser(poolId, 'mary');
      const { user: noMfa } = jsUser(poolId, clientId, 'mary');
      calls.length = 0;
      const fromNewDevice = await authenticate(noMfa);
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'ConfirmDevice']);
      calls.length = 0;
      const fromRemembered = await authenticate(noMfa);
      assert.equal(deviceKeyOf(fromRemembered.session), deviceKeyOf(fromNewDevice.session));
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:DEVICE_SRP_AUTH', 'RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER']);
    });

    it('a wrong device claim is NotAuthorizedException; an unknown DEVICE_KEY is ResourceNotFoundException; ConfirmDevice takes only the sign-in\'s own new device, once', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER });
      await createUser(poolId, 'edsger');
      const { user, storage } = jsUser(poolId, clientId, 'edsger');
      const { session } = await authenticate(user);
      const deviceKey = deviceKeyOf(session)!;

      // A device password that is not the one the verifier was made from, then a claim for another group key.
      const prefix = `CognitoIdentityServiceProvider.${clientId}.edsger`;
      const devicePassword = storage.items.get(`${prefix}.randomPasswordKey`)!;
      storage.items.set(`${prefix}.randomPasswordKey`, 'not-the-device-password');
      await rejects(authenticate(user), 'NotAuthorizedException');
      storage.items.set(`${prefix}.randomPasswordKey`, devicePassword);
      storage.items.set(`${prefix}.deviceGroupKey`, 'another-group');
      await rejects(authenticate(user), 'NotAuthorizedException');

      await rejects(
        idp.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'edsger', PASSWORD, DEVICE_KEY: UNKNOWN_DEVICE },
          }),
        ),
        'ResourceNotFoundException',
        /Device does not exist/,
      );

      // DEVICE_SRP_AUTH names the session's device, not another.
      const started = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'edsger', PASSWORD, DEVICE_KEY: deviceKey } }),
      );
      assert.equal(started.ChallengeName, 'DEVICE_SRP_AUTH');
      await rejects(
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'DEVICE_SRP_AUTH',
            Session: started.Session,
            ChallengeResponses: { USERNAME: 'edsger', DEVICE_KEY: UNKNOWN_DEVICE, SRP_A: 'abc123' },
          }),
        ),
        'NotAuthorizedException',
      );
      // The right device with a bad SRP_A (A = 0 mod N), or none: refused before any secret is derived.
      const deviceAnswer = async (responses: Record<string, string>) => {
        const again = await idp.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'edsger', PASSWORD, DEVICE_KEY: deviceKey } }),
        );
        return idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'DEVICE_SRP_AUTH',
            Session: again.Session,
            ChallengeResponses: { USERNAME: 'edsger', DEVICE_KEY: deviceKey, ...responses },
          }),
        );
      };
      await rejects(deviceAnswer({ SRP_A: '0' }), 'NotAuthorizedException', /Incorrect device key or device secret/);
      await rejects(deviceAnswer({}), 'InvalidParameterException', /Missing required parameter SRP_A/);

      // ConfirmDevice: the access token's own device only, and only once.
      const fresh = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'edsger', PASSWORD } }));
      const { NewDeviceMetadata, AccessToken } = fresh.AuthenticationResult!;
      assert.ok(NewDeviceMetadata?.DeviceKey && NewDeviceMetadata.DeviceGroupKey);
      await rejects(
        idp.send(new ConfirmDeviceCommand({ AccessToken, DeviceKey: deviceKey, DeviceSecretVerifierConfig: VERIFIER_CONFIG })),
        'InvalidParameterException',
      );
      await rejects(
        idp.send(new ConfirmDeviceCommand({ AccessToken, DeviceKey: NewDeviceMetadata.DeviceKey, DeviceSecretVerifierConfig: { Salt: VERIFIER_CONFIG.Salt, PasswordVerifier: 'AQ==' } })),
        'InvalidParameterException',
      );
      const confirmed = await idp.send(new ConfirmDeviceCommand({ AccessToken, DeviceKey: NewDeviceMetadata.DeviceKey, DeviceSecretVerifierConfig: VERIFIER_CONFIG, DeviceName: 'laptop' }));
      assert.equal(confirmed.UserConfirmationNecessary, false);
      await rejects(
        idp.send(new ConfirmDeviceCommand({ AccessToken, DeviceKey: NewDeviceMetadata.DeviceKey, DeviceSecretVerifierConfig: VERIFIER_CONFIG })),
        'DeviceKeyExistsException',
      );
      const { Device } = await idp.send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'edsger', DeviceKey: NewDeviceMetadata.DeviceKey }));
      assert.equal(attribute(Device?.DeviceAttributes, 'device_name'), 'laptop');
    });

    it('a PaginationToken serves only the listing it came from: another user\'s, the other operation\'s or a garbage token is InvalidParameterException', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER });
      const accessTokens: Record<string, string> = {};
      for (const name of ['ida', 'joan']) {
        await createUser(poolId, name);
        for (let i = 0; i < 2; i++) accessTokens[name] = (await authenticate(jsUser(poolId, clientId, name).user)).session.getAccessToken().getJwtToken();
      }
      const adminPage = (Username: string, PaginationToken?: string) => idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username, Limit: 1, PaginationToken }));
      const ownPage = (username: string, PaginationToken?: string) => idp.send(new ListDevicesCommand({ AccessToken: accessTokens[username], Limit: 1, PaginationToken }));

      const adminToken = (await adminPage('ida')).PaginationToken;
      const ownToken = (await ownPage('ida')).PaginationToken;
      assert.ok(adminToken && ownToken);
      // Each is good for the listing it came from.
      assert.equal((await adminPage('ida', adminToken)).Devices?.length, 1);
      assert.equal((await ownPage('ida', ownToken)).Devices?.length, 1);

      await rejects(adminPage('joan', adminToken), 'InvalidParameterException', FOREIGN_MARKER);
      await rejects(ownPage('joan', ownToken), 'InvalidParameterException', FOREIGN_MARKER);
      // ListDevices lists remembered devices only, AdminListDevices every one: their tokens do not mix.
      await rejects(adminPage('ida', ownToken), 'InvalidParameterException', FOREIGN_MARKER);
      await rejects(ownPage('ida', adminToken), 'InvalidParameterException', FOREIGN_MARKER);
      // Not base64 JSON; JSON, but not a token's [listing, key].
      for (const garbage of ['not-a-token', Buffer.from('null').toString('base64url'), Buffer.from('{"key":"x"}').toString('base64url')]) {
        await rejects(adminPage('ida', garbage), 'InvalidParameterException', FOREIGN_MARKER);
        await rejects(ownPage('ida', garbage), 'InvalidParameterException', FOREIGN_MARKER);
      }
    });

    it('Admin*: AdminListDevices pages, AdminGetDevice, AdminUpdateDeviceStatus, AdminForgetDevice; deleting the user or the pool deletes its devices', async () => {
      const { poolId, clientId } = await createPool({ devices: ALWAYS_REMEMBER });
      await createUser(poolId, 'alan');
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) keys.push(deviceKeyOf((await authenticate(jsUser(poolId, clientId, 'alan').user)).session)!);
      keys.sort();

      const page1 = await idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'alan', Limit: 2 }));
      assert.equal(page1.Devices?.length, 2);
      assert.ok(page1.PaginationToken);
      const page2 = await idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'alan', Limit: 2, PaginationToken: page1.PaginationToken }));
      assert.equal(page2.PaginationToken, undefined);
      assert.deepEqual([...page1.Devices!, ...page2.Devices!].map((d) => d.DeviceKey), keys);

      await idp.send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: keys[0], DeviceRememberedStatus: 'not_remembered' }));
      const { Device } = await idp.send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: keys[0] }));
      assert.equal(rememberedStatus(Device), 'not_remembered');
      await rejects(
        idp.send(new AdminUpdateDeviceStatusCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: UNKNOWN_DEVICE, DeviceRememberedStatus: 'remembered' })),
        'ResourceNotFoundException',
      );

      await idp.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: keys[1] }));
      await rejects(idp.send(new AdminGetDeviceCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: keys[1] })), 'ResourceNotFoundException');
      await rejects(idp.send(new AdminForgetDeviceCommand({ UserPoolId: poolId, Username: 'alan', DeviceKey: keys[1] })), 'ResourceNotFoundException');
      await rejects(idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'nobody' })), 'UserNotFoundException');

      // A new user of the same name inherits nothing.
      await idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'alan' }));
      await createUser(poolId, 'alan');
      assert.deepEqual(await adminDevices(poolId, 'alan'), []);

      await authenticate(jsUser(poolId, clientId, 'alan').user);
      assert.equal((await adminDevices(poolId, 'alan')).length, 1);
      // The pool is gone with its devices: the API no longer knows it, and storage keeps no row of it.
      const { devices } = server.gatehouse.services.repos;
      assert.equal((await devices.list(poolId, 'alan', 60)).length, 1);
      await idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
      await rejects(idp.send(new AdminListDevicesCommand({ UserPoolId: poolId, Username: 'alan' })), 'ResourceNotFoundException');
      assert.deepEqual(await devices.list(poolId, 'alan', 60), []);
    });
  });
}
