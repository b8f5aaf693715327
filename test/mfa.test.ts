import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteSoftwareTokenCommand,
  AdminGetUserAuthFactorsCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserSettingsCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type AliasAttributeType,
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
  type SetUserPoolMfaConfigRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { FormBrowser, location, readForm } from './helpers/form-browser.js';
import { rejects, uniqueEmail, uniquePhone } from './helpers/assertions.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { totpCode } from './helpers/authenticator.js';
import { latestCode as mailboxCode, messagesTo } from './helpers/mailbox.js';
import { STORES } from './helpers/stores.js';
const CALLBACK = 'http://localhost:3000/callback';
const SMS = { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/cognito-sms', ExternalId: 'gatehouse-test' } };
const TOTP_ON = { Enabled: true };
const STEP_MS = 30_000;

type Factors = Pick<SetUserPoolMfaConfigRequest, 'SmsMfaConfiguration' | 'SoftwareTokenMfaConfiguration' | 'EmailMfaConfiguration'>;

for (const store of STORES) {
  describe(`multi-factor authentication (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    // The server's clock, which tests move forward a TOTP step at a time (a code is never accepted twice).
    let skewMs = 0;
    const serverNow = () => new Date(Date.now() + skewMs);
    const nextStep = () => {
      skewMs += STEP_MS;
    };

    before(async () => {
      server = await startServer(store.name, FAST_HASHING, { now: serverNow });
      idp = server.idp();
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(() => server?.close());

    async function createPool(mode: 'OPTIONAL' | 'ON', factors: Factors, extra: { callback?: boolean; aliases?: AliasAttributeType[] } = {}) {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: `mfa-${mode.toLowerCase()}`, ...(extra.aliases && { AliasAttributes: extra.aliases }) }));
      const poolId = UserPool!.Id!;
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: mode, ...factors }));
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'app',
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          ...(extra.callback && {
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            SupportedIdentityProviders: ['COGNITO'],
            CallbackURLs: [CALLBACK],
          }),
        }),
      );
      return { poolId, clientId: UserPoolClient!.ClientId! };
    }

    async function createUser(poolId: string, username: string, attributes: Record<string, string> = {}) {
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }

    const passwordSignIn = (clientId: string, username: string) =>
      idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));

    const answer = (clientId: string, ChallengeName: 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP' | 'SELECT_MFA_TYPE' | 'MFA_SETUP', Session: string | undefined, responses: Record<string, string>) =>
      idp.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName, Session, ChallengeResponses: responses }));

    const latestCode = (recipient: string) => mailboxCode(server.url, recipient);

    /** Signs in without MFA, registers an authenticator with the access token, and returns its secret. */
    async function registerAuthenticator(clientId: string, username: string): Promise<{ secret: string; accessToken: string }> {
      const { AuthenticationResult } = await passwordSignIn(clientId, username);
      const accessToken = AuthenticationResult!.AccessToken!;
      const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      const { Status } = await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, serverNow()), FriendlyDeviceName: 'phone' }));
      assert.equal(Status, 'SUCCESS');
      return { secret: SecretCode!, accessToken };
    }

    it('registers an authenticator (Associate → Verify → SetUserMFAPreference), then signs in with SOFTWARE_TOKEN_MFA', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(poolId, 'ada');
      const first = await passwordSignIn(clientId, 'ada');
      assert.ok(first.AuthenticationResult?.AccessToken, 'OPTIONAL MFA and no factor: tokens at once');
      const accessToken = first.AuthenticationResult.AccessToken;

      const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      assert.match(SecretCode!, /^[A-Z2-7]{52}$/, 'a base32 secret of 32 bytes, as Cognito gives');
      await rejects(
        idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, new Date(serverNow().getTime() - 5 * STEP_MS)) })),
        'EnableSoftwareTokenMFAException',
        /Code mismatch and fail enable Software Token MFA/,
      );
      const verified = await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, serverNow()), FriendlyDeviceName: 'phone' }));
      assert.equal(verified.Status, 'SUCCESS');
      assert.equal(verified.Session, undefined);
      // Verified is not yet on: SetUserMFAPreference turns it on.
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: accessToken }))).UserMFASettingList, undefined);
      await rejects(
        idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SMSMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        /User does not have delivery config set to turn on SMS_MFA/,
      );
      await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const me = await idp.send(new GetUserCommand({ AccessToken: accessToken }));
      assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
      assert.equal(me.MFAOptions, undefined, 'MFAOptions describes SMS only');
      const admin = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }));
      assert.deepEqual(admin.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      assert.equal(admin.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');

      nextStep();
      const challenge = await passwordSignIn(clientId, 'ada');
      assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal(challenge.AuthenticationResult, undefined);
      const { AuthenticationResult } = await answer(clientId, 'SOFTWARE_TOKEN_MFA', challenge.Session, { USERNAME: 'ada', SOFTWARE_TOKEN_MFA_CODE: totpCode(SecretCode!, serverNow()) });
      assert.ok(AuthenticationResult?.AccessToken && AuthenticationResult.IdToken && AuthenticationResult.RefreshToken);
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: AuthenticationResult.AccessToken }))).Username, 'ada');
      // The session answered once.
      await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', challenge.Session, { USERNAME: 'ada', SOFTWARE_TOKEN_MFA_CODE: '000000' }), 'NotAuthorizedException');
    });

    it('AdminDeleteSoftwareToken forgets a lost authenticator: no more TOTP at sign-in, and a new one can be registered', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(poolId, 'lost');
      const register = async (accessToken: string) => {
        const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
        await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, serverNow()) }));
        await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      };
      await register((await passwordSignIn(clientId, 'lost')).AuthenticationResult!.AccessToken!);
      const factors = () => idp.send(new AdminGetUserAuthFactorsCommand({ UserPoolId: poolId, Username: 'lost' }));
      const before = await factors();
      assert.deepEqual([before.UserMFASettingList, before.PreferredMfaSetting, before.ConfiguredUserAuthFactors], [['SOFTWARE_TOKEN_MFA'], 'SOFTWARE_TOKEN_MFA', ['PASSWORD', 'SOFTWARE_TOKEN']]);
      nextStep();
      assert.equal((await passwordSignIn(clientId, 'lost')).ChallengeName, 'SOFTWARE_TOKEN_MFA');

      await idp.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: poolId, Username: 'lost' }));
      const after = await factors();
      assert.deepEqual([after.Username, after.UserMFASettingList, after.PreferredMfaSetting, after.ConfiguredUserAuthFactors], ['lost', undefined, undefined, ['PASSWORD']]);
      const signedIn = await passwordSignIn(clientId, 'lost');
      assert.ok(signedIn.AuthenticationResult?.AccessToken, 'OPTIONAL MFA and no factor left: tokens at once');
      nextStep();
      await register(signedIn.AuthenticationResult.AccessToken);
      nextStep();
      assert.equal((await passwordSignIn(clientId, 'lost')).ChallengeName, 'SOFTWARE_TOKEN_MFA');
      await rejects(idp.send(new AdminDeleteSoftwareTokenCommand({ UserPoolId: poolId, Username: 'nobody' })), 'UserNotFoundException');
    });

    it('refuses a wrong TOTP code (the session stays for a retry) and a code already used', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(poolId, 'grace');
      const { secret, accessToken } = await registerAuthenticator(clientId, 'grace');
      await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

      nextStep();
      const challenge = await passwordSignIn(clientId, 'grace');
      assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const wrong = totpCode(secret, new Date(serverNow().getTime() + 10 * STEP_MS));
      await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', challenge.Session, { USERNAME: 'grace', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException', /^Invalid code or auth state for the user\.$/);
      const code = totpCode(secret, serverNow());
      const signedIn = await answer(clientId, 'SOFTWARE_TOKEN_MFA', challenge.Session, { USERNAME: 'grace', SOFTWARE_TOKEN_MFA_CODE: code });
      assert.ok(signedIn.AuthenticationResult?.AccessToken, 'the same session takes the right code after a wrong one');

      // Someone who saw the code (within its 30 seconds) and knows the password still cannot use it.
      const again = await passwordSignIn(clientId, 'grace');
      await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'grace', SOFTWARE_TOKEN_MFA_CODE: code }), 'CodeMismatchException');
      // Nor the code of the step before it, which the ±1 window would otherwise accept.
      await rejects(
        answer(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'grace', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, new Date(serverNow().getTime() - STEP_MS)) }),
        'CodeMismatchException',
      );
      // The next step's code, from a phone whose clock runs a little ahead, is within the window.
      const ahead = await answer(clientId, 'SOFTWARE_TOKEN_MFA', again.Session, { USERNAME: 'grace', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, new Date(serverNow().getTime() + STEP_MS)) });
      assert.ok(ahead.AuthenticationResult?.AccessToken);
    });

    it('counts wrong MFA codes towards the account lock, which the password alone does not reset', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(poolId, 'mallory-target');
      const { secret, accessToken } = await registerAuthenticator(clientId, 'mallory-target');
      await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const wrong = totpCode(secret, new Date(serverNow().getTime() + 10 * STEP_MS));

      const first = await passwordSignIn(clientId, 'mallory-target');
      for (let i = 0; i < 3; i++) {
        await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'mallory-target', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException');
      }
      // Three wrong codes spend the session.
      await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', first.Session, { USERNAME: 'mallory-target', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'NotAuthorizedException', /Invalid session/);
      const second = await passwordSignIn(clientId, 'mallory-target');
      assert.equal(second.ChallengeName, 'SOFTWARE_TOKEN_MFA', 'the password is right; the count of failures goes on');
      for (let i = 0; i < 2; i++) {
        await rejects(answer(clientId, 'SOFTWARE_TOKEN_MFA', second.Session, { USERNAME: 'mallory-target', SOFTWARE_TOKEN_MFA_CODE: wrong }), 'CodeMismatchException');
      }
      // Five failures: the account is locked, for the password and for the code alike.
      await rejects(passwordSignIn(clientId, 'mallory-target'), 'NotAuthorizedException', /Password attempts exceeded/);
      nextStep();
      const third = await passwordSignIn(clientId, 'mallory-target');
      const signedIn = await answer(clientId, 'SOFTWARE_TOKEN_MFA', third.Session, { USERNAME: 'mallory-target', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, serverNow()) });
      assert.ok(signedIn.AuthenticationResult?.AccessToken, 'after the lock, the right code signs in');
    });

    it('sends an SMS code for SMS_MFA, masked in the challenge, single use', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: { ...SMS, SmsAuthenticationMessage: 'Gatehouse sign-in code: {####}' } });
      const phone = uniquePhone();
      await createUser(poolId, 'linus', { phone_number: phone });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'linus', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const admin = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'linus' }));
      assert.deepEqual(admin.UserMFASettingList, ['SMS_MFA']);
      assert.deepEqual(admin.MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);

      const challenge = await passwordSignIn(clientId, 'linus');
      assert.equal(challenge.ChallengeName, 'SMS_MFA');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DESTINATION, `+${'*'.repeat(phone.length - 5)}${phone.slice(-4)}`);
      const messages = (await (await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(phone)}&limit=1`)).json()) as { messages: { body: string }[] };
      assert.match(messages.messages[0].body, /^Gatehouse sign-in code: \d{6}$/, "the pool's SmsAuthenticationMessage");
      const code = await latestCode(phone);
      const wrong = code === '000000' ? '111111' : '000000';
      await rejects(answer(clientId, 'SMS_MFA', challenge.Session, { USERNAME: 'linus', SMS_MFA_CODE: wrong }), 'CodeMismatchException');
      const { AuthenticationResult } = await answer(clientId, 'SMS_MFA', challenge.Session, { USERNAME: 'linus', SMS_MFA_CODE: code });
      assert.ok(AuthenticationResult?.AccessToken);
      await rejects(answer(clientId, 'SMS_MFA', challenge.Session, { USERNAME: 'linus', SMS_MFA_CODE: code }), 'NotAuthorizedException');
      // The code belonged to that sign-in only.
      const next = await passwordSignIn(clientId, 'linus');
      const newCode = await latestCode(phone);
      if (newCode !== code) await rejects(answer(clientId, 'SMS_MFA', next.Session, { USERNAME: 'linus', SMS_MFA_CODE: code }), 'CodeMismatchException');
    });

    it('takes SMS MFA from CreateUserPool\'s SmsConfiguration and SmsAuthenticationMessage: sign-in, the message and GetUserPoolMfaConfig agree', async () => {
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({ PoolName: 'sms-from-create', MfaConfiguration: 'ON', ...SMS, SmsAuthenticationMessage: 'Created-pool code {####}' }),
      );
      const poolId = UserPool!.Id!;
      const config = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
      assert.equal(config.MfaConfiguration, 'ON');
      assert.deepEqual(config.SmsMfaConfiguration, { ...SMS, SmsAuthenticationMessage: 'Created-pool code {####}' });
      // The pool already offers SMS: turning MFA on again needs no factor in the call.
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' }));
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
      const phone = uniquePhone();
      await createUser(poolId, 'grace', { phone_number: phone });
      // MFA ON, no preference set, a phone number: SMS_MFA, with the pool's message.
      const challenge = await passwordSignIn(UserPoolClient!.ClientId!, 'grace');
      assert.equal(challenge.ChallengeName, 'SMS_MFA');
      const messages = (await (await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(phone)}&limit=1`)).json()) as { messages: { body: string }[] };
      assert.match(messages.messages[0].body, /^Created-pool code \d{6}$/);
    });

    it('sends an email code for EMAIL_OTP with the pool\'s EmailMfaConfiguration, and refuses email MFA where the pool does not offer it', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { EmailMfaConfiguration: { Subject: 'Your Gatehouse code', Message: 'Sign in with {####}' } });
      const email = uniqueEmail('emmy');
      await createUser(poolId, 'emmy', { email });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'emmy', EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const challenge = await passwordSignIn(clientId, 'emmy');
      assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DESTINATION, `e***@e***`);
      const mailbox = (await (await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(email)}&limit=1`)).json()) as { messages: { subject: string; body: string }[] };
      assert.equal(mailbox.messages[0].subject, 'Your Gatehouse code');
      const { AuthenticationResult } = await idp.send(
        new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'EMAIL_OTP', Session: challenge.Session, ChallengeResponses: { USERNAME: 'emmy', EMAIL_OTP_CODE: await latestCode(email) } }),
      );
      assert.ok(AuthenticationResult?.AccessToken);
      assert.deepEqual((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'emmy' }))).UserMFASettingList, ['EMAIL_OTP']);

      const other = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(other.poolId, 'emmy', { email });
      await rejects(
        idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: other.poolId, Username: 'emmy', EmailMfaSettings: { Enabled: true } })),
        'InvalidParameterException',
        /Email MFA is not enabled for the user pool/,
      );
    });

    it('refuses SMS MFA for a user of a pool that offers no SMS MFA (nothing stored, sign-in unchanged), and takes it once the pool does', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON });
      const phone = uniquePhone();
      await createUser(poolId, 'alonzo', { phone_number: phone, phone_number_verified: 'true' });
      const { AuthenticationResult } = await passwordSignIn(clientId, 'alonzo');
      const accessToken = AuthenticationResult!.AccessToken!;
      const notOffered = /SMS MFA is not enabled for the user pool/;
      const admin = (settings: Record<string, unknown>) => idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'alonzo', ...settings }));

      await rejects(admin({ SMSMfaSettings: { Enabled: true } }), 'InvalidParameterException', notOffered);
      await rejects(admin({ SMSMfaSettings: { PreferredMfa: true } }), 'InvalidParameterException', notOffered);
      await rejects(idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SMSMfaSettings: { Enabled: true, PreferredMfa: true } })), 'InvalidParameterException', notOffered);
      // The legacy operation turns SMS MFA on too, and is refused the same way.
      await rejects(
        idp.send(new AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: 'alonzo', MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] })),
        'InvalidParameterException',
        notOffered,
      );
      // Turning it off asks nothing of the pool.
      await admin({ SMSMfaSettings: { Enabled: false } });
      const me = await idp.send(new GetUserCommand({ AccessToken: accessToken }));
      assert.equal(me.UserMFASettingList, undefined, 'no preference was stored');
      assert.equal(me.MFAOptions, undefined);
      assert.ok((await passwordSignIn(clientId, 'alonzo')).AuthenticationResult?.AccessToken, 'and the sign-in asks for no factor');

      // Once the pool can send SMS, the same request is taken and the sign-in asks for the code.
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: SMS, SoftwareTokenMfaConfiguration: TOTP_ON }));
      await admin({ SMSMfaSettings: { Enabled: true } });
      assert.deepEqual((await idp.send(new GetUserCommand({ AccessToken: accessToken }))).UserMFASettingList, ['SMS_MFA']);
      assert.equal((await passwordSignIn(clientId, 'alonzo')).ChallengeName, 'SMS_MFA');
    });

    it('EMAIL_MFA: the SELECT_MFA_TYPE answer for EMAIL_OTP; as a ChallengeName it fails validation, and EMAIL_MFA_CODE does not answer EMAIL_OTP', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, EmailMfaConfiguration: { Subject: 'Code', Message: 'Code {####}' } });
      const email = uniqueEmail('hedy');
      await createUser(poolId, 'hedy', { phone_number: uniquePhone(), email });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'hedy', SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true } }));

      const select = await passwordSignIn(clientId, 'hedy');
      assert.equal(select.ChallengeName, 'SELECT_MFA_TYPE');
      assert.deepEqual(JSON.parse(select.ChallengeParameters!.MFAS_CAN_CHOOSE), ['SMS_MFA', 'EMAIL_OTP']);
      // The API reference's SELECT_MFA_TYPE answers are SMS_MFA, EMAIL_MFA and SOFTWARE_TOKEN_MFA.
      const challenge = await answer(clientId, 'SELECT_MFA_TYPE', select.Session, { USERNAME: 'hedy', ANSWER: 'EMAIL_MFA' });
      assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      const code = await latestCode(email);

      // ChallengeNameType has no EMAIL_MFA: the request fails the model's validation.
      await rejects(
        idp.send(
          new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'EMAIL_MFA' as ChallengeNameType, Session: challenge.Session, ChallengeResponses: { USERNAME: 'hedy', EMAIL_MFA_CODE: code } }),
        ),
        'InvalidParameterException',
        /Value 'EMAIL_MFA' at 'challengeName' failed to satisfy constraint: Member must satisfy enum value set/,
      );
      // The code is read from EMAIL_OTP_CODE only.
      await rejects(answer(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'hedy', EMAIL_MFA_CODE: code }), 'InvalidParameterException', /Missing required parameter EMAIL_OTP_CODE/);
      // Neither refusal spent the session or the code.
      const { AuthenticationResult } = await answer(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'hedy', EMAIL_OTP_CODE: code });
      assert.ok(AuthenticationResult?.AccessToken);
    });

    it('with MFA ON and no preference: SMS_MFA for a user with a phone number (the SMS fallback), a verified authenticator before it, MFA_SETUP for a user with neither', async () => {
      const { poolId, clientId } = await createPool('ON', { SmsMfaConfiguration: SMS, SoftwareTokenMfaConfiguration: TOTP_ON });
      const phone = uniquePhone();
      await createUser(poolId, 'rosalind', { phone_number: phone, phone_number_verified: 'true' });
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'rosalind' }))).UserMFASettingList, undefined, 'no factor turned on');

      const challenge = await passwordSignIn(clientId, 'rosalind');
      assert.equal(challenge.ChallengeName, 'SMS_MFA', 'not MFA_SETUP: the phone number is already a way to reach the user');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DESTINATION, `+${'*'.repeat(phone.length - 5)}${phone.slice(-4)}`);
      const { AuthenticationResult } = await answer(clientId, 'SMS_MFA', challenge.Session, { USERNAME: 'rosalind', SMS_MFA_CODE: await latestCode(phone) });
      assert.ok(AuthenticationResult?.AccessToken);

      // An authenticator verified but not turned on comes first in the fallback.
      const accessToken = AuthenticationResult.AccessToken;
      const { SecretCode } = await idp.send(new AssociateSoftwareTokenCommand({ AccessToken: accessToken }));
      await idp.send(new VerifySoftwareTokenCommand({ AccessToken: accessToken, UserCode: totpCode(SecretCode!, serverNow()) }));
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: accessToken }))).UserMFASettingList, undefined, 'verified is not on');
      const totp = await passwordSignIn(clientId, 'rosalind');
      assert.equal(totp.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      nextStep();
      const viaTotp = await answer(clientId, 'SOFTWARE_TOKEN_MFA', totp.Session, { USERNAME: 'rosalind', SOFTWARE_TOKEN_MFA_CODE: totpCode(SecretCode!, serverNow()) });
      assert.ok(viaTotp.AuthenticationResult?.AccessToken);

      // Cognito sends MFA codes to unverified phone numbers too ("SMS and email message MFA").
      const unverified = uniquePhone();
      await createUser(poolId, 'katherine', { phone_number: unverified });
      const toUnverified = await passwordSignIn(clientId, 'katherine');
      assert.equal(toUnverified.ChallengeName, 'SMS_MFA');
      assert.ok(await latestCode(unverified));

      await createUser(poolId, 'dorothy');
      const setup = await passwordSignIn(clientId, 'dorothy');
      assert.equal(setup.ChallengeName, 'MFA_SETUP');
      assert.deepEqual(JSON.parse(setup.ChallengeParameters!.MFAS_CAN_SETUP), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
    });

    it('an MFA code typed back verifies the phone number or email it went to, unless that changed meanwhile or is another user\'s verified alias', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, EmailMfaConfiguration: { Message: 'Sign in with {####}' } }, { aliases: ['phone_number', 'email'] });
      const attributes = async (username: string) =>
        Object.fromEntries(((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }))).UserAttributes ?? []).map((a) => [a.Name, a.Value]));
      const signInWithCode = async (username: string, factor: 'SMS_MFA' | 'EMAIL_OTP', recipient: string) => {
        const challenge = await passwordSignIn(clientId, username);
        assert.equal(challenge.ChallengeName, factor);
        const parameter = factor === 'SMS_MFA' ? 'SMS_MFA_CODE' : 'EMAIL_OTP_CODE';
        return answer(clientId, factor, challenge.Session, { USERNAME: username, [parameter]: await latestCode(recipient) });
      };
      const idClaims = (idToken: string) => JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

      const phone = uniquePhone();
      await createUser(poolId, 'ada', { phone_number: phone });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'ada', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const bySms = await signInWithCode('ada', 'SMS_MFA', phone);
      assert.equal(idClaims(bySms.AuthenticationResult!.IdToken!).phone_number_verified, true, 'the tokens of this sign-in already say so');
      assert.equal((await attributes('ada')).phone_number_verified, 'true');

      const email = uniqueEmail('grace');
      await createUser(poolId, 'grace', { email });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'grace', EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));
      await signInWithCode('grace', 'EMAIL_OTP', email);
      assert.equal((await attributes('grace')).email_verified, 'true');

      // The number changed after the code was sent: the code proves nothing about the new one.
      const before = uniquePhone();
      const after = uniquePhone();
      await createUser(poolId, 'hedy', { phone_number: before });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'hedy', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const pending = await passwordSignIn(clientId, 'hedy');
      const sent = await latestCode(before);
      await idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'hedy', UserAttributes: [{ Name: 'phone_number', Value: after }] }));
      await rejects(answer(clientId, 'SMS_MFA', pending.Session, { USERNAME: 'hedy', SMS_MFA_CODE: sent }), 'CodeMismatchException');
      assert.notEqual((await attributes('hedy')).phone_number_verified, 'true');

      // Another user signs in with the same number as a verified alias: the sign-in succeeds, the alias stays theirs.
      const shared = uniquePhone();
      await createUser(poolId, 'alan', { phone_number: shared, phone_number_verified: 'true' });
      await createUser(poolId, 'joan', { phone_number: shared });
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'joan', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
      const joan = await signInWithCode('joan', 'SMS_MFA', shared);
      assert.ok(joan.AuthenticationResult?.AccessToken);
      assert.notEqual((await attributes('joan')).phone_number_verified, 'true');
      assert.equal((await attributes('alan')).phone_number_verified, 'true');
    });

    it('with MFA ON and no factor: MFA_SETUP, AssociateSoftwareToken and VerifySoftwareToken with the Session, then tokens', async () => {
      const { poolId, clientId } = await createPool('ON', { SoftwareTokenMfaConfiguration: TOTP_ON });
      await createUser(poolId, 'barbara');
      const setup = await passwordSignIn(clientId, 'barbara');
      assert.equal(setup.ChallengeName, 'MFA_SETUP');
      assert.deepEqual(JSON.parse(setup.ChallengeParameters!.MFAS_CAN_SETUP), ['SOFTWARE_TOKEN_MFA']);
      // Verifying before associating gets nowhere; nor does answering before anything is set up.
      await rejects(idp.send(new VerifySoftwareTokenCommand({ Session: setup.Session, UserCode: '123456' })), 'NotAuthorizedException', /Invalid session for the user/);
      await rejects(answer(clientId, 'MFA_SETUP', (await passwordSignIn(clientId, 'barbara')).Session, { USERNAME: 'barbara' }), 'NotAuthorizedException');

      const retry = await passwordSignIn(clientId, 'barbara');
      const associated = await idp.send(new AssociateSoftwareTokenCommand({ Session: retry.Session }));
      assert.ok(associated.SecretCode && associated.Session);
      await rejects(
        idp.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totpCode(associated.SecretCode, new Date(serverNow().getTime() + 10 * STEP_MS)) })),
        'EnableSoftwareTokenMFAException',
      );
      const verified = await idp.send(new VerifySoftwareTokenCommand({ Session: associated.Session, UserCode: totpCode(associated.SecretCode, serverNow()), FriendlyDeviceName: 'tablet' }));
      assert.equal(verified.Status, 'SUCCESS');
      assert.ok(verified.Session);
      const { AuthenticationResult } = await answer(clientId, 'MFA_SETUP', verified.Session, { USERNAME: 'barbara' });
      assert.ok(AuthenticationResult?.AccessToken);
      const me = await idp.send(new GetUserCommand({ AccessToken: AuthenticationResult.AccessToken }));
      assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      assert.equal(me.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA', 'set up during sign-in: on and preferred, in the one write');
      // Signed in, verifying without a newly associated secret finds nothing to verify.
      await rejects(
        idp.send(new VerifySoftwareTokenCommand({ AccessToken: AuthenticationResult.AccessToken, UserCode: '123456' })),
        'SoftwareTokenMFANotFoundException',
      );

      nextStep();
      const next = await passwordSignIn(clientId, 'barbara');
      assert.equal(next.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const done = await answer(clientId, 'SOFTWARE_TOKEN_MFA', next.Session, { USERNAME: 'barbara', SOFTWARE_TOKEN_MFA_CODE: totpCode(associated.SecretCode, serverNow()) });
      assert.ok(done.AuthenticationResult?.AccessToken);
    });

    it('refuses contradictory preferences: two preferred factors, or preferred while not enabled', async () => {
      const { poolId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, EmailMfaConfiguration: { Subject: 'Code', Message: 'Code {####}' } });
      await createUser(poolId, 'picky', { phone_number: uniquePhone(), email: uniqueEmail('picky') });
      const prefer = (settings: Record<string, unknown>) => idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'picky', ...settings }));
      await rejects(prefer({ SMSMfaSettings: { Enabled: true, PreferredMfa: true }, EmailMfaSettings: { Enabled: true, PreferredMfa: true } }), 'InvalidParameterException', /Only one MFA method/);
      await rejects(prefer({ SMSMfaSettings: { Enabled: false, PreferredMfa: true } }), 'InvalidParameterException', /cannot be preferred while it is not enabled/);
      const unchanged = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'picky' }));
      assert.equal(unchanged.UserMFASettingList, undefined, 'nothing was turned on by a refused request');
    });

    it('refuses software tokens in a pool without TOTP', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS });
      await createUser(poolId, 'nototp');
      const { AuthenticationResult } = await passwordSignIn(clientId, 'nototp');
      await rejects(
        idp.send(new AssociateSoftwareTokenCommand({ AccessToken: AuthenticationResult!.AccessToken })),
        'SoftwareTokenMFANotFoundException',
        /Software Token MFA has not been enabled by the userPool/,
      );
      await rejects(idp.send(new AssociateSoftwareTokenCommand({})), 'InvalidParameterException');
    });

    it('asks SELECT_MFA_TYPE when several factors are on and none is preferred (AdminInitiateAuth / AdminRespondToAuthChallenge)', async () => {
      const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, SoftwareTokenMfaConfiguration: TOTP_ON });
      const phone = uniquePhone();
      await createUser(poolId, 'edsger', { phone_number: phone });
      const { secret } = await registerAuthenticator(clientId, 'edsger');
      await idp.send(
        new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'edsger', SMSMfaSettings: { Enabled: true }, SoftwareTokenMfaSettings: { Enabled: true } }),
      );
      const admin = (ChallengeName: 'SELECT_MFA_TYPE' | 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA', Session: string | undefined, ChallengeResponses: Record<string, string>) =>
        idp.send(new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: clientId, ChallengeName, Session, ChallengeResponses }));
      const signIn = () =>
        idp.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'edsger', PASSWORD } }));

      const select = await signIn();
      assert.equal(select.ChallengeName, 'SELECT_MFA_TYPE');
      assert.deepEqual(JSON.parse(select.ChallengeParameters!.MFAS_CAN_CHOOSE), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
      await rejects(admin('SELECT_MFA_TYPE', select.Session, { USERNAME: 'edsger', ANSWER: 'EMAIL_OTP' }), 'InvalidParameterException');
      const sms = await admin('SELECT_MFA_TYPE', select.Session, { USERNAME: 'edsger', ANSWER: 'SMS_MFA' });
      assert.equal(sms.ChallengeName, 'SMS_MFA');
      assert.notEqual(sms.Session, select.Session);
      const viaSms = await admin('SMS_MFA', sms.Session, { USERNAME: 'edsger', SMS_MFA_CODE: await latestCode(phone) });
      assert.ok(viaSms.AuthenticationResult?.AccessToken);

      nextStep();
      const again = await signIn();
      const totp = await admin('SELECT_MFA_TYPE', again.Session, { USERNAME: 'edsger', ANSWER: 'SOFTWARE_TOKEN_MFA' });
      assert.equal(totp.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const viaTotp = await admin('SOFTWARE_TOKEN_MFA', totp.Session, { USERNAME: 'edsger', SOFTWARE_TOKEN_MFA_CODE: totpCode(secret, serverNow()) });
      assert.ok(viaTotp.AuthenticationResult?.AccessToken);

      // A preference ends the choosing.
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'edsger', SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      assert.equal((await signIn()).ChallengeName, 'SOFTWARE_TOKEN_MFA');
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'edsger' }))).PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
    });

    it('ForgotPassword sends no reset code to the phone or mailbox that is the user\'s second factor when the pool sets AccountRecoverySetting', async () => {
      const recovery = { RecoveryMechanisms: [{ Name: 'verified_phone_number' as const, Priority: 1 }, { Name: 'verified_email' as const, Priority: 2 }] };
      const poolWith = async (AccountRecoverySetting?: typeof recovery) => {
        const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'recovery', ...(AccountRecoverySetting && { AccountRecoverySetting }) }));
        const poolId = UserPool!.Id!;
        await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SmsMfaConfiguration: SMS }));
        const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app' }));
        return { poolId, clientId: UserPoolClient!.ClientId! };
      };
      const userWithBoth = async (poolId: string, username: string) => {
        const contacts = { email: uniqueEmail(username), phone_number: uniquePhone() };
        await createUser(poolId, username, { ...contacts, email_verified: 'true', phone_number_verified: 'true' });
        return contacts;
      };
      const smsFactor = (poolId: string, username: string, Enabled: boolean) =>
        idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: username, SMSMfaSettings: { Enabled } }));
      const medium = async (clientId: string, username: string) =>
        (await idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username }))).CodeDeliveryDetails?.DeliveryMedium;

      const strict = await poolWith(recovery);
      await userWithBoth(strict.poolId, 'alan');
      assert.equal(await medium(strict.clientId, 'alan'), 'SMS', 'the phone comes first while it is not a second factor');
      await smsFactor(strict.poolId, 'alan', true);
      assert.equal(await medium(strict.clientId, 'alan'), 'EMAIL', 'the phone that receives MFA codes does not receive reset codes');
      await smsFactor(strict.poolId, 'alan', false);
      assert.equal(await medium(strict.clientId, 'alan'), 'SMS');

      // Email MFA rules out the email the same way.
      const emailFirst = { RecoveryMechanisms: [{ Name: 'verified_email' as const, Priority: 1 }, { Name: 'verified_phone_number' as const, Priority: 2 }] };
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'recovery-email', AccountRecoverySetting: emailFirst }));
      const emailPool = UserPool!.Id!;
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: emailPool, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: { Message: 'Sign in with {####}' } }));
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: emailPool, ClientName: 'app' }));
      await userWithBoth(emailPool, 'barbara');
      assert.equal(await medium(UserPoolClient!.ClientId!, 'barbara'), 'EMAIL');
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: emailPool, Username: 'barbara', EmailMfaSettings: { Enabled: true } }));
      assert.equal(await medium(UserPoolClient!.ClientId!, 'barbara'), 'SMS', 'the mailbox that receives MFA codes does not receive reset codes');
      // An administrator's reset sends its code by the same rule: the email first, in this pool.
      const ada = await userWithBoth(emailPool, 'ada');
      await idp.send(new AdminResetUserPasswordCommand({ UserPoolId: emailPool, Username: 'ada' }));
      assert.equal((await messagesTo(server.url, ada.email)).length, 1);
      assert.deepEqual(await messagesTo(server.url, ada.phone_number), []);

      // Without the setting, Cognito's legacy behaviour: the phone, second factor or not.
      const legacy = await poolWith();
      await userWithBoth(legacy.poolId, 'grace');
      await smsFactor(legacy.poolId, 'grace', true);
      assert.equal(await medium(legacy.clientId, 'grace'), 'SMS');
    });

    describe('amazon-cognito-identity-js', () => {
      function authenticate(user: CognitoUser, handlers: Partial<Record<'totpRequired' | 'mfaRequired' | 'mfaSetup', (name: string) => void>>): Promise<CognitoUserSession> {
        return new Promise((resolve, reject) => {
          const callbacks = { onSuccess: resolve, onFailure: reject };
          user.authenticateUser(new AuthenticationDetails({ Username: user.getUsername(), Password: PASSWORD }), {
            ...callbacks,
            totpRequired: (name) => (handlers.totpRequired ? handlers.totpRequired(name) : reject(new Error(`unexpected ${name}`))),
            mfaRequired: (name) => (handlers.mfaRequired ? handlers.mfaRequired(name) : reject(new Error(`unexpected ${name}`))),
            mfaSetup: (name) => (handlers.mfaSetup ? handlers.mfaSetup(name) : reject(new Error(`unexpected ${name}`))),
          });
        });
      }

      it('authenticateUser (SRP) → totpRequired → sendMFACode, and mfaRequired → sendMFACode for SMS', async () => {
        const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, SoftwareTokenMfaConfiguration: TOTP_ON });
        const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/` });
        await createUser(poolId, 'totp-js');
        const { secret, accessToken } = await registerAuthenticator(clientId, 'totp-js');
        await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
        nextStep();
        const totpUser = new CognitoUser({ Username: 'totp-js', Pool: pool });
        const session = await new Promise<CognitoUserSession>((resolve, reject) => {
          authenticate(totpUser, {
            totpRequired: () => totpUser.sendMFACode(totpCode(secret, serverNow()), { onSuccess: resolve, onFailure: reject }, 'SOFTWARE_TOKEN_MFA'),
          }).then(resolve, reject);
        });
        assert.ok(session.isValid());
        assert.equal(session.getAccessToken().decodePayload().username, 'totp-js');

        const phone = uniquePhone();
        await createUser(poolId, 'sms-js', { phone_number: phone, email: uniqueEmail('sms-js') });
        await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'sms-js', SMSMfaSettings: { Enabled: true, PreferredMfa: true } }));
        const smsUser = new CognitoUser({ Username: 'sms-js', Pool: pool });
        const smsSession = await new Promise<CognitoUserSession>((resolve, reject) => {
          authenticate(smsUser, {
            mfaRequired: () => void latestCode(phone).then((code) => smsUser.sendMFACode(code, { onSuccess: resolve, onFailure: reject }), reject),
          }).then(resolve, reject);
        });
        assert.equal(smsSession.getIdToken().decodePayload()['cognito:username'], 'sms-js');
      });

      it('enableMFA / disableMFA (SetUserSettings) turn SMS MFA on and off; AdminSetUserSettings does the same, and refuses other options', async () => {
        const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS });
        const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/` });
        const phone = uniquePhone();
        await createUser(poolId, 'legacy-js', { phone_number: phone });
        const user = new CognitoUser({ Username: 'legacy-js', Pool: pool });
        await authenticate(user, {});
        const call = (method: 'enableMFA' | 'disableMFA') =>
          new Promise<void>((resolve, reject) => user[method]((error) => (error ? reject(error) : resolve())));
        await call('enableMFA');
        const enabled = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'legacy-js' }));
        assert.deepEqual(enabled.MFAOptions, [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }]);
        assert.equal((await passwordSignIn(clientId, 'legacy-js')).ChallengeName, 'SMS_MFA');
        await call('disableMFA');
        assert.ok((await passwordSignIn(clientId, 'legacy-js')).AuthenticationResult?.AccessToken, 'no second factor once disabled');

        await idp.send(new AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: 'legacy-js', MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }));
        assert.equal((await passwordSignIn(clientId, 'legacy-js')).ChallengeName, 'SMS_MFA');
        await rejects(
          idp.send(new AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: 'legacy-js', MFAOptions: [{ DeliveryMedium: 'EMAIL', AttributeName: 'email' }] })),
          'InvalidParameterException',
        );
        await idp.send(new AdminSetUserSettingsCommand({ UserPoolId: poolId, Username: 'legacy-js', MFAOptions: [] }));
        assert.ok((await passwordSignIn(clientId, 'legacy-js')).AuthenticationResult?.AccessToken);
      });

      it('authenticateUser → mfaSetup → associateSoftwareToken → verifySoftwareToken signs in', async () => {
        const { poolId, clientId } = await createPool('ON', { SoftwareTokenMfaConfiguration: TOTP_ON });
        const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: `${server.url}/` });
        await createUser(poolId, 'setup-js');
        const user = new CognitoUser({ Username: 'setup-js', Pool: pool });
        const session = await new Promise<CognitoUserSession>((resolve, reject) => {
          authenticate(user, {
            mfaSetup: () =>
              user.associateSoftwareToken({
                associateSecretCode: (secret) => user.verifySoftwareToken(totpCode(secret, serverNow()), 'laptop', { onSuccess: resolve, onFailure: reject }),
                onFailure: reject,
              }),
          }).then(resolve, reject);
        });
        assert.ok(session.isValid());
        const me = await idp.send(new GetUserCommand({ AccessToken: session.getAccessToken().getJwtToken() }));
        assert.deepEqual(me.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      });
    });

    describe('the hosted UI', () => {
      async function toSignInForm(browser: FormBrowser, poolId: string, clientId: string) {
        const authorize = new URL(`${server.url}/${poolId}/oauth2/authorize`);
        // A public client must use PKCE (S256); this verifier's challenge is never redeemed here.
        const challenge = createHash('sha256').update('a-code-verifier-that-is-long-enough-for-rfc-7636').digest('base64url');
        const query = { response_type: 'code', client_id: clientId, redirect_uri: CALLBACK, scope: 'openid', state: 'xyz', code_challenge: challenge, code_challenge_method: 'S256' };
        authorize.search = new URLSearchParams(query).toString();
        const login = await browser.get(location(await browser.get(authorize), server.url));
        assert.equal(login.status, 200);
        return readForm(await login.text(), server.url);
      }

      it('asks for the authenticator code after the password, and the code completes the sign-in', async () => {
        const { poolId, clientId } = await createPool('OPTIONAL', { SoftwareTokenMfaConfiguration: TOTP_ON }, { callback: true });
        await createUser(poolId, 'hopper');
        const { secret, accessToken } = await registerAuthenticator(clientId, 'hopper');
        await idp.send(new SetUserMFAPreferenceCommand({ AccessToken: accessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
        nextStep();

        const browser = new FormBrowser();
        const signIn = await toSignInForm(browser, poolId, clientId);
        const mfaPage = await browser.post(signIn.action, { ...signIn.hidden, username: 'hopper', password: PASSWORD });
        assert.equal(mfaPage.status, 200);
        const html = await mfaPage.text();
        assert.match(html, /Enter the code your authenticator app shows\./);
        const mfa = readForm(html, server.url);
        assert.match(mfa.action.pathname, /\/mfa$/);
        assert.equal(mfa.hidden.challenge, 'SOFTWARE_TOKEN_MFA');

        const wrong = await browser.post(mfa.action, { ...mfa.hidden, code: totpCode(secret, new Date(serverNow().getTime() + 10 * STEP_MS)) });
        assert.equal(wrong.status, 400);
        const retry = readForm(await wrong.text(), server.url);
        assert.match(retry.action.pathname, /\/mfa$/, 'a wrong code asks again on the same page');
        const done = await browser.post(retry.action, { ...retry.hidden, code: totpCode(secret, serverNow()) });
        assert.equal(done.status, 302);
        const callback = location(done, server.url);
        assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
        assert.ok(callback.searchParams.get('code'));
        assert.equal(callback.searchParams.get('state'), 'xyz');
      });

      it('lets the user choose the factor, then takes the SMS code', async () => {
        const { poolId, clientId } = await createPool('OPTIONAL', { SmsMfaConfiguration: SMS, SoftwareTokenMfaConfiguration: TOTP_ON }, { callback: true });
        const phone = uniquePhone();
        await createUser(poolId, 'knuth', { phone_number: phone });
        await registerAuthenticator(clientId, 'knuth');
        await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'knuth', SMSMfaSettings: { Enabled: true }, SoftwareTokenMfaSettings: { Enabled: true } }));

        const browser = new FormBrowser();
        const signIn = await toSignInForm(browser, poolId, clientId);
        const choicePage = await browser.post(signIn.action, { ...signIn.hidden, username: 'knuth', password: PASSWORD });
        const choiceHtml = await choicePage.text();
        assert.match(choiceHtml, /<button class="submitButton-customizable" type="submit" name="answer" value="SMS_MFA">Text message \(SMS\)<\/button>/);
        assert.match(choiceHtml, /value="SOFTWARE_TOKEN_MFA">Authenticator app</);
        const choice = readForm(choiceHtml, server.url);
        const codePage = await browser.post(choice.action, { ...choice.hidden, answer: 'SMS_MFA' });
        assert.equal(codePage.status, 200);
        const codeHtml = await codePage.text();
        assert.ok(codeHtml.includes(`Enter the code we sent to +${'*'.repeat(phone.length - 5)}${phone.slice(-4)}.`));
        const form = readForm(codeHtml, server.url);
        assert.equal(form.hidden.challenge, 'SMS_MFA');
        const done = await browser.post(form.action, { ...form.hidden, code: await latestCode(phone) });
        assert.equal(done.status, 302);
        assert.ok(location(done, server.url).searchParams.get('code'));
      });

      it('sets up an authenticator from a QR code page when the pool requires MFA', async () => {
        const { poolId, clientId } = await createPool('ON', { SoftwareTokenMfaConfiguration: TOTP_ON }, { callback: true });
        await createUser(poolId, 'lovelace');
        const browser = new FormBrowser();
        const signIn = await toSignInForm(browser, poolId, clientId);
        const setupPage = await browser.post(signIn.action, { ...signIn.hidden, username: 'lovelace', password: PASSWORD });
        assert.equal(setupPage.status, 200);
        const html = await setupPage.text();
        assert.match(html, /<img class="qr" src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+"/);
        const setup = readForm(html, server.url);
        assert.match(setup.action.pathname, /\/mfaSetup$/);
        assert.match(html, new RegExp(`<code class="secret-code">${setup.hidden.secret}</code>`));
        // A mistyped code shows the setup page again, its session still good for the right one.
        const right = totpCode(setup.hidden.secret, serverNow());
        const mistyped = await browser.post(setup.action, { ...setup.hidden, code: `${right.slice(0, 5)}${(Number(right[5]) + 1) % 10}`, deviceName: 'phone' });
        assert.equal(mistyped.status, 400);
        const again = await mistyped.text();
        assert.match(again, /That code is not the one the app shows/);
        const retry = readForm(again, server.url);
        assert.equal(retry.hidden.session, setup.hidden.session);
        const done = await browser.post(retry.action, { ...retry.hidden, code: right, deviceName: 'phone' });
        assert.equal(done.status, 302);
        assert.ok(location(done, server.url).searchParams.get('code'));
        const admin = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lovelace' }));
        assert.deepEqual(admin.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
      });
    });
  });
}
