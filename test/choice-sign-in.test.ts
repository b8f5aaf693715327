import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  ChangePasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserAuthFactorsCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserPoolMfaConfigCommand,
  SignUpCommand,
  UpdateUserPoolCommand,
  type ChallengeNameType,
  type CognitoIdentityProviderClient,
  type CreateUserPoolRequest,
  type InitiateAuthResponse,
  type UserPoolPolicyType,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects, uniqueEmail, uniquePhone } from './helpers/assertions.js';
import { latestCode, messagesTo } from './helpers/mailbox.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const PASSWORDLESS: UserPoolPolicyType = { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } };
const SMS = { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/cognito-sms', ExternalId: 'gatehouse-test' } };

for (const store of STORES) {
  describe(`choice-based sign-in, USER_AUTH (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
    });
    after(() => server?.close());

    async function createPool(pool: Partial<CreateUserPoolRequest> = {}, client: { prevent?: boolean } = {}) {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'choice', Policies: PASSWORDLESS, ...SMS, ...pool }));
      const poolId = UserPool!.Id!;
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'app',
          ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          PreventUserExistenceErrors: client.prevent ? 'ENABLED' : 'LEGACY',
        }),
      );
      return { poolId, clientId: UserPoolClient!.ClientId! };
    }

    /** A confirmed user with a password, and an email address and phone number verified unless `unverified`. */
    async function createUser(poolId: string, username: string, unverified = false) {
      const email = uniqueEmail(username);
      const phone = uniquePhone();
      const verified = String(!unverified);
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: verified },
            { Name: 'phone_number', Value: phone },
            { Name: 'phone_number_verified', Value: verified },
          ],
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      return { email, phone };
    }

    const start = (clientId: string, params: Record<string, string>) =>
      idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: params }));
    const respond = (clientId: string, ChallengeName: ChallengeNameType, Session: string | undefined, responses: Record<string, string>) =>
      idp.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName, Session, ChallengeResponses: responses }));

    /** The sign-in ended with tokens for `username`; its access token. */
    async function signedInAs(result: InitiateAuthResponse, username: string): Promise<string> {
      assert.ok(result.AuthenticationResult?.AccessToken, `tokens, not ${result.ChallengeName}`);
      const user = await idp.send(new GetUserCommand({ AccessToken: result.AuthenticationResult.AccessToken }));
      assert.equal(user.Username, username);
      return result.AuthenticationResult.AccessToken;
    }

    it('offers the factors the user has in SELECT_CHALLENGE, and an emailed code chosen there signs in', async () => {
      const { poolId, clientId } = await createPool();
      const { email } = await createUser(poolId, 'chooser');
      const first = await start(clientId, { USERNAME: 'chooser' });
      assert.equal(first.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(first.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);

      const challenge = await respond(clientId, 'SELECT_CHALLENGE', first.Session, { USERNAME: 'chooser', ANSWER: 'EMAIL_OTP' });
      assert.equal(challenge.ChallengeName, 'EMAIL_OTP');
      assert.equal(challenge.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      assert.match(challenge.ChallengeParameters?.CODE_DELIVERY_DESTINATION ?? '', /^c\*\*\*@e\*\*\*/);
      const code = await latestCode(server.url, email);
      await signedInAs(await respond(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'chooser', EMAIL_OTP_CODE: code }), 'chooser');
      // The code was single-use with its session.
      await rejects(respond(clientId, 'EMAIL_OTP', challenge.Session, { USERNAME: 'chooser', EMAIL_OTP_CODE: code }), 'NotAuthorizedException');
    });

    it('goes straight to the PREFERRED_CHALLENGE: a texted code (a wrong one refused first), or the password', async () => {
      const { poolId, clientId } = await createPool();
      const { phone } = await createUser(poolId, 'texter');
      const sms = await start(clientId, { USERNAME: 'texter', PREFERRED_CHALLENGE: 'SMS_OTP' });
      assert.equal(sms.ChallengeName, 'SMS_OTP');
      assert.equal(sms.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
      const code = await latestCode(server.url, phone);
      const wrong = code === '000000' ? '111111' : '000000';
      await rejects(respond(clientId, 'SMS_OTP', sms.Session, { USERNAME: 'texter', SMS_OTP_CODE: wrong }), 'CodeMismatchException');
      await rejects(respond(clientId, 'SMS_OTP', sms.Session, { USERNAME: 'texter' }), 'InvalidParameterException', /SMS_OTP_CODE/);
      await signedInAs(await respond(clientId, 'SMS_OTP', sms.Session, { USERNAME: 'texter', SMS_OTP_CODE: code }), 'texter');

      await signedInAs(await start(clientId, { USERNAME: 'texter', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'texter');
      await rejects(start(clientId, { USERNAME: 'texter', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD: 'Wr0ng-Password!' }), 'NotAuthorizedException', /^Incorrect username or password\.$/);
      // The password can also come with the choice, in one step.
      const select = await start(clientId, { USERNAME: 'texter' });
      await signedInAs(await respond(clientId, 'SELECT_CHALLENGE', select.Session, { USERNAME: 'texter', ANSWER: 'PASSWORD', PASSWORD }), 'texter');
    });

    it('AdminInitiateAuth runs the same flow', async () => {
      const { poolId, clientId } = await createPool();
      const { email } = await createUser(poolId, 'admin-chosen');
      const started = await idp.send(
        new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'admin-chosen', PREFERRED_CHALLENGE: 'EMAIL_OTP' } }),
      );
      assert.equal(started.ChallengeName, 'EMAIL_OTP');
      const code = await latestCode(server.url, email);
      await signedInAs(await respond(clientId, 'EMAIL_OTP', started.Session, { USERNAME: 'admin-chosen', EMAIL_OTP_CODE: code }), 'admin-chosen');
    });

    it('offers a one-time password only to a verified contact, and falls back to SELECT_CHALLENGE when the preferred one is not offered', async () => {
      const { poolId, clientId } = await createPool();
      const { email } = await createUser(poolId, 'unverified', true);
      const started = await start(clientId, { USERNAME: 'unverified', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(started.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(started.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      await rejects(respond(clientId, 'SELECT_CHALLENGE', started.Session, { USERNAME: 'unverified', ANSWER: 'EMAIL_OTP' }), 'InvalidParameterException', /PASSWORD, PASSWORD_SRP/);
      assert.deepEqual(await messagesTo(server.url, email), [], 'nothing was sent');
      // A refused answer leaves the session usable.
      await signedInAs(await respond(clientId, 'SELECT_CHALLENGE', started.Session, { USERNAME: 'unverified', ANSWER: 'PASSWORD', PASSWORD }), 'unverified');
    });

    it('keeps passwordless and MFA apart: a user with MFA on signs in with the password, then the second factor', async () => {
      const { poolId, clientId } = await createPool({ MfaConfiguration: 'OPTIONAL' });
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', EmailMfaConfiguration: {}, SmsMfaConfiguration: SMS }));
      const { email } = await createUser(poolId, 'with-mfa');
      await createUser(poolId, 'without-mfa');
      await idp.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: 'with-mfa', EmailMfaSettings: { Enabled: true, PreferredMfa: true } }));

      const withMfa = await start(clientId, { USERNAME: 'with-mfa' });
      assert.deepEqual(withMfa.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
      const mfa = await respond(clientId, 'SELECT_CHALLENGE', withMfa.Session, { USERNAME: 'with-mfa', ANSWER: 'PASSWORD', PASSWORD });
      assert.equal(mfa.ChallengeName, 'EMAIL_OTP', 'the second factor after the password');
      const token = await signedInAs(await respond(clientId, 'EMAIL_OTP', mfa.Session, { USERNAME: 'with-mfa', EMAIL_OTP_CODE: await latestCode(server.url, email) }), 'with-mfa');
      const factors = await idp.send(new GetUserAuthFactorsCommand({ AccessToken: token }));
      assert.deepEqual(
        { ...factors, $metadata: undefined },
        { $metadata: undefined, Username: 'with-mfa', PreferredMfaSetting: 'EMAIL_OTP', UserMFASettingList: ['EMAIL_OTP'], ConfiguredUserAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] },
      );

      const withoutMfa = await start(clientId, { USERNAME: 'without-mfa' });
      assert.deepEqual(withoutMfa.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);

      // Where MFA is required, nobody signs in without a password.
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', EmailMfaConfiguration: {}, SmsMfaConfiguration: SMS }));
      assert.deepEqual((await start(clientId, { USERNAME: 'without-mfa' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP']);
    });

    it('refuses what Cognito refuses: a client without ALLOW_USER_AUTH, a disabled user, an unknown one', async () => {
      const { poolId, clientId } = await createPool();
      const { email } = await createUser(poolId, 'disabled');
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'legacy', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] }));
      await rejects(start(UserPoolClient!.ClientId!, { USERNAME: 'disabled' }), 'InvalidParameterException', /^USER_AUTH flow not enabled for this client$/);

      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'disabled' }));
      await rejects(start(clientId, { USERNAME: 'disabled', PREFERRED_CHALLENGE: 'EMAIL_OTP' }), 'NotAuthorizedException', /^User is disabled\.$/);
      assert.deepEqual(await messagesTo(server.url, email), [], 'no code for a disabled account');

      await rejects(start(clientId, { USERNAME: 'nobody' }), 'UserNotFoundException', /^User does not exist\.$/);
      await rejects(start(clientId, {}), 'InvalidParameterException', /USERNAME/);
      const { Session } = await start(clientId, { USERNAME: 'disabled' });
      await rejects(respond(clientId, 'SELECT_CHALLENGE', Session, { USERNAME: 'disabled' }), 'InvalidParameterException', /^Missing required parameter ANSWER$/);
    });

    it('with PreventUserExistenceErrors, an unknown user gets challenges like anyone, which no answer passes', async () => {
      const { clientId } = await createPool({}, { prevent: true });
      const select = await start(clientId, { USERNAME: 'ghost' });
      assert.equal(select.ChallengeName, 'SELECT_CHALLENGE');
      assert.deepEqual(select.AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP']);
      const otp = await respond(clientId, 'SELECT_CHALLENGE', select.Session, { USERNAME: 'ghost', ANSWER: 'EMAIL_OTP' });
      assert.equal(otp.ChallengeName, 'EMAIL_OTP');
      assert.equal(otp.ChallengeParameters?.CODE_DELIVERY_DELIVERY_MEDIUM, 'EMAIL');
      await rejects(respond(clientId, 'EMAIL_OTP', otp.Session, { USERNAME: 'ghost', EMAIL_OTP_CODE: '123456' }), 'CodeMismatchException');
      // Retried like a real wrong code: the session is still there.
      await rejects(respond(clientId, 'EMAIL_OTP', otp.Session, { USERNAME: 'ghost', EMAIL_OTP_CODE: '654321' }), 'CodeMismatchException');
      await rejects(start(clientId, { USERNAME: 'ghost', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'NotAuthorizedException', /^Incorrect username or password\.$/);
    });

    it('signs up without a password, signs in once with the Session of ConfirmSignUp, then with emailed codes; GetUserAuthFactors follows', async () => {
      const { clientId } = await createPool({ AutoVerifiedAttributes: ['email'] });
      const email = uniqueEmail('passwordless');
      const signedUp = await idp.send(new SignUpCommand({ ClientId: clientId, Username: 'passwordless', UserAttributes: [{ Name: 'email', Value: email }] }));
      assert.equal(signedUp.UserConfirmed, false);
      // Nothing to sign in with before the sign-up is confirmed: the error that sends an app to confirming it.
      await rejects(start(clientId, { USERNAME: 'passwordless' }), 'UserNotConfirmedException', /^User is not confirmed\.$/);
      const { Session } = await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'passwordless', ConfirmationCode: await latestCode(server.url, email) }));
      assert.ok(Session, 'ConfirmSignUp returns a session');
      await rejects(idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'someone-else' }, Session })), 'NotAuthorizedException');
      const first = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'passwordless' }, Session }));
      await signedInAs(first, 'passwordless');
      await rejects(idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME: 'passwordless' }, Session })), 'NotAuthorizedException', /Invalid session/);

      // No password, so none is offered, until the user sets one with the access token alone.
      const token = first.AuthenticationResult!.AccessToken!;
      assert.deepEqual((await start(clientId, { USERNAME: 'passwordless' })).AvailableChallenges, ['EMAIL_OTP']);
      assert.deepEqual((await idp.send(new GetUserAuthFactorsCommand({ AccessToken: token }))).ConfiguredUserAuthFactors, ['EMAIL_OTP']);
      await idp.send(new ChangePasswordCommand({ AccessToken: token, ProposedPassword: PASSWORD }));
      assert.deepEqual((await start(clientId, { USERNAME: 'passwordless' })).AvailableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
      assert.deepEqual((await idp.send(new GetUserAuthFactorsCommand({ AccessToken: token }))).ConfiguredUserAuthFactors, ['PASSWORD', 'EMAIL_OTP']);
      await signedInAs(await start(clientId, { USERNAME: 'passwordless', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'passwordless');
    });

    it('asks for a password at sign-up unless a code the pool verifies at sign-up can sign the user in', async () => {
      const signUp = (clientId: string, attributes: Record<string, string>) =>
        idp.send(new SignUpCommand({ ClientId: clientId, Username: 'needs-one', UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })) }));
      const email = { email: uniqueEmail('needs-one') };
      const required = /^A password is required to sign up in this user pool\.$/;
      // No one-time password; a passkey is registered only once signed in, so it does not count.
      for (const factors of [['PASSWORD'], ['PASSWORD', 'WEB_AUTHN']] as const) {
        const { clientId } = await createPool({ AutoVerifiedAttributes: ['email'], Policies: { SignInPolicy: { AllowedFirstAuthFactors: [...factors] } } });
        await rejects(signUp(clientId, email), 'InvalidParameterException', required);
      }
      // The code's contact is not verified at sign-up.
      await rejects(signUp((await createPool({ AutoVerifiedAttributes: [] })).clientId, email), 'InvalidParameterException', required);
      // The app client may not sign in with USER_AUTH.
      const { poolId } = await createPool({ AutoVerifiedAttributes: ['email'] });
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'srp', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      await rejects(signUp(UserPoolClient!.ClientId!, email), 'InvalidParameterException', required);
      // Everything in place but the contact itself: a phone number, where only email is verified.
      const emailOnly = await createPool({ AutoVerifiedAttributes: ['email'] });
      await rejects(signUp(emailOnly.clientId, { phone_number: uniquePhone() }), 'InvalidParameterException', /needs one of these attributes to receive sign-in codes: email\.$/);
      assert.equal((await signUp(emailOnly.clientId, email)).UserConfirmed, false);
    });

    it('creates a user without a password as administrator where codes can sign them in: confirmed, invited without one', async () => {
      const { poolId, clientId } = await createPool();
      const email = uniqueEmail('invited');
      const { User } = await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'invited',
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      assert.equal(User?.UserStatus, 'CONFIRMED');
      const [invitation] = await messagesTo(server.url, email);
      assert.equal(invitation?.body, 'Your username is invited. Sign in with a code sent to you.');
      const select = await start(clientId, { USERNAME: 'invited' });
      assert.deepEqual(select.AvailableChallenges, ['EMAIL_OTP']);
      const otp = await start(clientId, { USERNAME: 'invited', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      await signedInAs(await respond(clientId, 'EMAIL_OTP', otp.Session, { USERNAME: 'invited', EMAIL_OTP_CODE: await latestCode(server.url, email) }), 'invited');

      // An address the administrator gave, not yet verified: the only way in for a user without a
      // password, and the right code verifies it.
      const unverified = uniqueEmail('unverified');
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'unverified', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: unverified }] }));
      const code = await start(clientId, { USERNAME: 'unverified', PREFERRED_CHALLENGE: 'EMAIL_OTP' });
      assert.equal(code.ChallengeName, 'EMAIL_OTP');
      await signedInAs(await respond(clientId, 'EMAIL_OTP', code.Session, { USERNAME: 'unverified', EMAIL_OTP_CODE: await latestCode(server.url, unverified) }), 'unverified');
      const verifiedNow = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'unverified' }));
      assert.equal(verifiedNow.UserAttributes?.find((a) => a.Name === 'email_verified')?.Value, 'true');

      // Nothing to send a code to: refused, nothing created.
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'unreachable', MessageAction: 'SUPPRESS' })),
        'InvalidParameterException',
        /needs one of these attributes to receive sign-in codes: email, phone_number\.$/,
      );
      await rejects(start(clientId, { USERNAME: 'unreachable', PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD }), 'UserNotFoundException');
      // A temporary password given is a temporary password, as anywhere.
      const withPassword = await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'temporary', TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS' }));
      assert.equal(withPassword.User?.UserStatus, 'FORCE_CHANGE_PASSWORD');
    });

    it('keeps the SignInPolicy, and refuses one without passwords or a passwordless one on the Lite plan', async () => {
      const { poolId } = await createPool();
      const { UserPool } = await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.deepEqual(UserPool?.Policies?.SignInPolicy, PASSWORDLESS.SignInPolicy);
      await rejects(
        idp.send(new CreateUserPoolCommand({ PoolName: 'lite', UserPoolTier: 'LITE', Policies: PASSWORDLESS })),
        'InvalidParameterException',
        /^The following features need to be disabled for the LITE pricing tier configured: Passwordless Sign-In$/,
      );
      await rejects(
        idp.send(new UpdateUserPoolCommand({ UserPoolId: poolId, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['EMAIL_OTP'] } } })),
        'InvalidParameterException',
        /must include PASSWORD/,
      );
    });
  });
}
