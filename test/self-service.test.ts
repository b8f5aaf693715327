import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type AdminGetUserResponse,
  type AttributeType,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
  type SignUpRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { ANY_CREDENTIALS, FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { attribute, rejects, uniqueEmail, uniquePhone } from './helpers/assertions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';
const HOUR = 3600_000;
const PASSWORD_FLOWS: Pick<CreateUserPoolClientRequest, 'ExplicitAuthFlows'> = { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] };

function secretHash(secret: string, username: string, clientId: string): string {
  return createHmac('sha256', secret).update(`${username}${clientId}`).digest('base64');
}

function codeIn(text: string): string {
  const match = /\b(\d{6})\b/.exec(text);
  assert.ok(match, `no six-digit code in ${JSON.stringify(text)}`);
  return match[1];
}

/** A six-digit code that is certainly not `code`. */
function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** Names of what each settled promise did: 'ok' or the error's name. */
async function outcomes(promises: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(promises)).map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).name));
}

function count(values: string[], value: string): number {
  return values.filter((v) => v === value).length;
}

interface DevMessage {
  medium: string;
  recipient: string;
  subject?: string;
  body: string;
  poolId: string;
  createdAt: string;
}

/** What every describe needs: pools, clients, the mailbox and users, through the SDK. */
function toolsFor(server: () => TestServer, idp: () => CognitoIdentityProviderClient) {
  const tools = {
    async pool(settings: Omit<CreateUserPoolRequest, 'PoolName'> = {}): Promise<string> {
      const { UserPool } = await idp().send(new CreateUserPoolCommand({ PoolName: 'self-service', ...settings }));
      return UserPool!.Id!;
    },
    async client(poolId: string, settings: Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName'> = {}): Promise<{ clientId: string; secret?: string }> {
      const { UserPoolClient } = await idp().send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ...PASSWORD_FLOWS, ...settings }));
      return { clientId: UserPoolClient!.ClientId!, ...(UserPoolClient!.ClientSecret && { secret: UserPoolClient!.ClientSecret }) };
    },
    async mailbox(recipient: string, query = ''): Promise<DevMessage[]> {
      const response = await fetch(`${server().url}/_dev/messages?recipient=${encodeURIComponent(recipient)}${query}`);
      assert.equal(response.status, 200);
      return ((await response.json()) as { messages: DevMessage[] }).messages;
    },
    /** The code in the newest message to `recipient`. */
    async code(recipient: string): Promise<string> {
      const [newest] = await tools.mailbox(recipient);
      assert.ok(newest, `no message to ${recipient}`);
      return codeIn(newest.body);
    },
    async user(poolId: string, username: string): Promise<AdminGetUserResponse> {
      return idp().send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
    },
    async exists(poolId: string, username: string): Promise<boolean> {
      try {
        await tools.user(poolId, username);
        return true;
      } catch (error) {
        if ((error as Error).name === 'UserNotFoundException') return false;
        throw error;
      }
    },
    signUp(clientId: string, username: string, attributes: Record<string, string> = {}, extra: Partial<SignUpRequest> = {}) {
      return idp().send(
        new SignUpCommand({
          ClientId: clientId,
          Username: username,
          Password: PASSWORD,
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
          ...extra,
        }),
      );
    },
    confirm(clientId: string, username: string, code: string, force?: boolean) {
      return idp().send(new ConfirmSignUpCommand({ ClientId: clientId, Username: username, ConfirmationCode: code, ...(force !== undefined && { ForceAliasCreation: force }) }));
    },
    /** Signs up and confirms with the emailed code: a CONFIRMED user with a verified email. */
    async confirmedUser(clientId: string, username: string, email: string): Promise<void> {
      await tools.signUp(clientId, username, { email });
      await tools.confirm(clientId, username, await tools.code(email));
    },
    /** An administrator's invitation, sent nothing: FORCE_CHANGE_PASSWORD, on a temporary password, with a verified email. */
    async invitedUser(poolId: string, username: string, email: string): Promise<void> {
      const UserAttributes = [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ];
      await idp().send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes }));
    },
    signIn(clientId: string, username: string, password: string) {
      return idp().send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
    },
  };
  return tools;
}

for (const store of STORES) {
  describe(`self-service sign-up, confirmation and password recovery (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    /** The server's clock: real time moved by `offsetMs`, or `frozen` when set. */
    let offsetMs = 0;
    let frozen: Date | undefined;
    const t = toolsFor(
      () => server,
      () => idp,
    );
    /** Runs `fn` with the server's clock moved forward by `ms`. */
    async function later<T>(ms: number, fn: () => Promise<T>): Promise<T> {
      offsetMs = ms;
      try {
        return await fn();
      } finally {
        offsetMs = 0;
      }
    }

    before(async () => {
      server = await startServer(store.name, FAST_HASHING, { now: () => frozen ?? new Date(Date.now() + offsetMs) });
      idp = server.idp();
    });
    after(() => server?.close());

    /** Most tests share one pool that verifies emails (each pool costs a signing key). */
    let poolId: string;
    let clientId: string;
    /** Email is the username. */
    let emailPool: string;
    let emailClient: string;
    /** Email is an alias, once verified. */
    let aliasPool: string;
    let aliasClient: string;
    before(async () => {
      poolId = await t.pool({ AutoVerifiedAttributes: ['email'] });
      ({ clientId } = await t.client(poolId));
      emailPool = await t.pool({ UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
      ({ clientId: emailClient } = await t.client(emailPool));
      aliasPool = await t.pool({ AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
      ({ clientId: aliasClient } = await t.client(aliasPool));
    });

    describe('SignUp', () => {
      it('creates an UNCONFIRMED user and sends a code to the auto-verified email', async () => {
        const email = uniqueEmail('jane');
        const response = await t.signUp(clientId, 'jane', { email, given_name: 'Jane' });
        assert.equal(response.UserConfirmed, false);
        assert.match(response.UserSub!, UUID);
        assert.deepEqual(response.CodeDeliveryDetails, { Destination: 'j***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });

        const user = await t.user(poolId, 'jane');
        assert.equal(user.UserStatus, 'UNCONFIRMED');
        assert.equal(user.Enabled, true);
        assert.equal(attribute(user.UserAttributes, 'sub'), response.UserSub);
        assert.equal(attribute(user.UserAttributes, 'email'), email);
        assert.equal(attribute(user.UserAttributes, 'given_name'), 'Jane');
        assert.notEqual(attribute(user.UserAttributes, 'email_verified'), 'true');

        const messages = await t.mailbox(email);
        assert.equal(messages.length, 1);
        assert.equal(messages[0].medium, 'EMAIL');
        assert.equal(messages[0].poolId, poolId);
        assert.equal(messages[0].subject, 'Your verification code');
        assert.match(messages[0].body, /^Your verification code is \d{6}\.$/);
      });

      it('sends no code when the pool verifies nothing; refuses taken usernames, in any case when case-insensitive', async () => {
        const quietPool = await t.pool({ UsernameConfiguration: { CaseSensitive: false } });
        const { clientId: quiet } = await t.client(quietPool);
        const email = uniqueEmail('quiet');
        const response = await t.signUp(quiet, 'quiet', { email });
        assert.equal(response.CodeDeliveryDetails, undefined);
        assert.equal((await t.mailbox(email)).length, 0);
        await rejects(t.confirm(quiet, 'quiet', '123456'), 'CodeMismatchException');

        await rejects(t.signUp(quiet, 'quiet'), 'UsernameExistsException', /User account already exists/);
        await rejects(t.signUp(quiet, 'QUIET'), 'UsernameExistsException');
        await rejects(t.signUp(clientId, 'jane'), 'UsernameExistsException');
      });

      it('checks the password policy and required attributes, and keeps nothing of a refused sign-up', async () => {
        const strictPool = await t.pool({
          AutoVerifiedAttributes: ['email'],
          Policies: { PasswordPolicy: { MinimumLength: 10, RequireNumbers: true, RequireLowercase: true, RequireUppercase: false, RequireSymbols: false } },
          Schema: [
            { Name: 'email', Required: true },
            { Name: 'name', Required: true },
          ],
        });
        const { clientId: strict } = await t.client(strictPool);
        const email = uniqueEmail('weak');
        const valid = { email, name: 'Weak' };
        await rejects(t.signUp(strict, 'weak', valid, { Password: 'short1' }), 'InvalidPasswordException', /not long enough/);
        await rejects(t.signUp(strict, 'weak', valid, { Password: 'longenoughnodigits' }), 'InvalidPasswordException', /numeric/);
        await rejects(t.signUp(strict, 'weak', valid, { Password: undefined }), 'InvalidParameterException');
        await rejects(t.signUp(strict, 'weak', { name: 'Weak' }, { Password: 'longenough1' }), 'InvalidParameterException', /email/);
        await rejects(t.signUp(strict, 'weak', { email }, { Password: 'longenough1' }), 'InvalidParameterException', /name/);
        await rejects(t.signUp(strict, 'weak', { email: 'not-an-email', name: 'Weak' }, { Password: 'longenough1' }), 'InvalidParameterException', /email/);
        await rejects(t.signUp(strict, 'weak', { ...valid, 'custom:nope': 'x' }, { Password: 'longenough1' }), 'InvalidParameterException', /schema/);
        assert.equal(await t.exists(strictPool, 'weak'), false);
        assert.equal((await t.mailbox(email)).length, 0, 'no code for a refused sign-up');
        await t.signUp(strict, 'weak', valid, { Password: 'longenough1' });
        assert.equal((await t.user(strictPool, 'weak')).UserStatus, 'UNCONFIRMED');
      });

      it('is refused when only administrators may create users', async () => {
        const adminOnlyPool = await t.pool({ AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
        const { clientId: adminOnly } = await t.client(adminOnlyPool);
        await rejects(t.signUp(adminOnly, 'self'), 'NotAuthorizedException', /SignUp is not permitted/);
        assert.equal(await t.exists(adminOnlyPool, 'self'), false);
      });

      it('lets the client write only its WriteAttributes, and never the verified flags', async () => {
        const { clientId: limited } = await t.client(poolId, { WriteAttributes: ['email'] });
        await rejects(t.signUp(limited, 'nosy', { email: uniqueEmail('nosy'), given_name: 'Nosy' }), 'NotAuthorizedException', /unauthorized attribute/);
        assert.equal(await t.exists(poolId, 'nosy'), false);
        await t.signUp(limited, 'nosy', { email: uniqueEmail('nosy') });

        // A client without WriteAttributes writes any standard attribute, but cannot vouch for a contact:
        // verifying it is what the code is for.
        const { clientId: open } = await t.client(poolId);
        const email = uniqueEmail('self-verified');
        await rejects(t.signUp(open, 'cheat', { email, email_verified: 'true' }), 'NotAuthorizedException', /unauthorized attribute/);
        await rejects(t.signUp(open, 'cheat', { phone_number: uniquePhone(), phone_number_verified: 'true' }), 'NotAuthorizedException', /unauthorized attribute/);
        assert.equal(await t.exists(poolId, 'cheat'), false);
        assert.equal((await t.mailbox(email)).length, 0);
      });

      it('in an email-as-username pool, the email is the sign-in name and the username is the sub', async () => {
        const [poolId, clientId] = [emailPool, emailClient];
        const email = uniqueEmail('mail');
        await rejects(t.signUp(clientId, 'not-an-email'), 'InvalidParameterException', /Username should be an email/);
        await rejects(t.signUp(clientId, email, {}, { Password: 'weak' }), 'InvalidPasswordException');
        const { UserSub, CodeDeliveryDetails } = await t.signUp(clientId, email);
        assert.match(UserSub!, UUID);
        assert.equal(CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
        const user = await t.user(poolId, email);
        assert.equal(user.Username, UserSub);
        assert.equal(attribute(user.UserAttributes, 'email'), email);

        await rejects(t.signUp(clientId, email.toUpperCase()), 'UsernameExistsException', /email already exists/);
        await t.confirm(clientId, email, await t.code(email));
        const confirmed = await t.user(poolId, email);
        assert.equal(confirmed.UserStatus, 'CONFIRMED');
        assert.equal(attribute(confirmed.UserAttributes, 'email_verified'), 'true');
        assert.ok((await t.signIn(clientId, email, PASSWORD)).AuthenticationResult?.AccessToken);
      });

      it('in an email-alias pool, an email only becomes a sign-in name once verified, for one user', async () => {
        const [poolId, clientId] = [aliasPool, aliasClient];
        const email = uniqueEmail('shared');
        await rejects(t.signUp(clientId, email, { email }), 'InvalidParameterException', /email format/);
        // Unverified, an email is not unique: two users may sign up with it.
        await t.signUp(clientId, 'alice', { email });
        const aliceCode = await t.code(email);
        await t.signUp(clientId, 'alicia', { email });
        const aliciaCode = await t.code(email);
        assert.equal(await t.exists(poolId, email), false, 'an unverified email is no sign-in name');

        await t.confirm(clientId, 'alice', aliceCode);
        assert.equal((await t.user(poolId, email)).Username, 'alice');
        // Confirming alicia would verify an email that is alice's alias.
        await rejects(t.confirm(clientId, 'alicia', aliciaCode), 'AliasExistsException');
        assert.equal((await t.user(poolId, 'alicia')).UserStatus, 'UNCONFIRMED');
        // The code was not spent on the refusal: with ForceAliasCreation alicia takes the alias over.
        await t.confirm(clientId, 'alicia', aliciaCode, true);
        assert.equal((await t.user(poolId, email)).Username, 'alicia');
        assert.equal(attribute((await t.user(poolId, 'alicia')).UserAttributes, 'email_verified'), 'true');
        assert.equal(attribute((await t.user(poolId, 'alice')).UserAttributes, 'email_verified'), 'false');
      });
    });

    describe('ConfirmSignUp and ResendConfirmationCode', () => {

      it('confirms with the right code, verifies the email, and only once', async () => {
        const email = uniqueEmail('confirm');
        await t.signUp(clientId, 'confirm', { email });
        const code = await t.code(email);
        await rejects(t.confirm(clientId, 'confirm', otherThan(code)), 'CodeMismatchException', /Invalid verification code/);
        // Only the Session that signs the user in with USER_AUTH (test/choice-sign-in.test.ts).
        assert.deepEqual(Object.keys(await t.confirm(clientId, 'confirm', code)).filter((k) => k !== '$metadata'), ['Session']);
        const user = await t.user(poolId, 'confirm');
        assert.equal(user.UserStatus, 'CONFIRMED');
        assert.equal(attribute(user.UserAttributes, 'email_verified'), 'true');
        await rejects(t.confirm(clientId, 'confirm', code), 'NotAuthorizedException', /Current status is CONFIRMED/);
        assert.ok((await t.signIn(clientId, 'confirm', PASSWORD)).AuthenticationResult?.IdToken);
      });

      it('lets exactly one of several concurrent confirmations with the code succeed', async () => {
        const email = uniqueEmail('once');
        await t.signUp(clientId, 'once', { email });
        const code = await t.code(email);
        const results = await outcomes(Array.from({ length: 8 }, () => t.confirm(clientId, 'once', code)));
        assert.equal(count(results, 'ok'), 1, results.join());
        assert.ok(results.every((r) => ['ok', 'CodeMismatchException', 'NotAuthorizedException'].includes(r)), results.join());
      });

      it('expires the code after 24 hours', async () => {
        const early = uniqueEmail('early');
        const late = uniqueEmail('late');
        await t.signUp(clientId, 'early', { email: early });
        await t.signUp(clientId, 'late', { email: late });
        const earlyCode = await t.code(early);
        await later(24 * HOUR - 60_000, () => t.confirm(clientId, 'early', earlyCode));
        assert.equal((await t.user(poolId, 'early')).UserStatus, 'CONFIRMED');
        const code = await t.code(late);
        await later(24 * HOUR + 1000, () => rejects(t.confirm(clientId, 'late', code), 'ExpiredCodeException'));
        // A new code starts a new day.
        await later(24 * HOUR + 1000, async () => {
          await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'late' }));
          await t.confirm(clientId, 'late', await t.code(late));
        });
      });

      it('stops accepting guesses after five wrong ones, even the right code', async () => {
        const email = uniqueEmail('guess');
        await t.signUp(clientId, 'guess', { email });
        const code = await t.code(email);
        for (let i = 0; i < 4; i++) await rejects(t.confirm(clientId, 'guess', otherThan(code)), 'CodeMismatchException');
        await rejects(t.confirm(clientId, 'guess', otherThan(code)), 'LimitExceededException', /Attempt limit exceeded/);
        await rejects(t.confirm(clientId, 'guess', code), 'LimitExceededException');
        assert.equal((await t.user(poolId, 'guess')).UserStatus, 'UNCONFIRMED');
        // A new code comes with new attempts.
        await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'guess' }));
        await t.confirm(clientId, 'guess', await t.code(email));
      });

      it('does not let concurrent guesses get around the attempt limit', async () => {
        const email = uniqueEmail('flood');
        await t.signUp(clientId, 'flood', { email });
        const code = await t.code(email);
        // The worst interleaving, made certain: every guess reads the stored code before any is counted.
        const codes = server.gatehouse.services.repos.codes;
        const read = codes.get;
        const WRONG = 12;
        let reads = 0;
        let wrongRead!: () => void;
        let release!: () => void;
        let wrongCounted!: () => void;
        const allWrongRead = new Promise<void>((resolve) => (wrongRead = resolve));
        const gate = new Promise<void>((resolve) => (release = resolve));
        // The right code read the count before any guess was counted, and is counted after all of them:
        // nothing else orders concurrent requests (PostgreSQL runs them on several connections).
        const allWrongCounted = new Promise<void>((resolve) => (wrongCounted = resolve));
        codes.get = async function (this: typeof codes, ...args: Parameters<typeof read>) {
          const stored = await read.apply(this, args);
          if (args[1] !== 'flood') return stored;
          reads++;
          if (reads === WRONG) wrongRead();
          if (reads === WRONG + 1) {
            release();
            await allWrongCounted;
          }
          await gate;
          return stored;
        };
        try {
          const wrong = Array.from({ length: WRONG }, () => t.confirm(clientId, 'flood', otherThan(code)));
          void Promise.allSettled(wrong).then(() => wrongCounted());
          await allWrongRead;
          const results = await outcomes([...wrong, t.confirm(clientId, 'flood', code)]);
          assert.ok(count(results, 'CodeMismatchException') <= 4, results.join());
          assert.equal(results.at(-1), 'LimitExceededException', `the right code after ${WRONG} wrong guesses is refused: ${results.join()}`);
        } finally {
          codes.get = read;
        }
        assert.equal((await t.user(poolId, 'flood')).UserStatus, 'UNCONFIRMED');
      });

      it('ResendConfirmationCode replaces the code, and refuses a confirmed user', async () => {
        const email = uniqueEmail('resend');
        await t.signUp(clientId, 'resend', { email });
        const first = await t.code(email);
        const { CodeDeliveryDetails } = await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'resend' }));
        assert.deepEqual(CodeDeliveryDetails, { Destination: 'r***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        const second = await t.code(email);
        if (second !== first) await rejects(t.confirm(clientId, 'resend', first), 'CodeMismatchException');
        await t.confirm(clientId, 'resend', second);
        await rejects(idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'resend' })), 'InvalidParameterException', /already confirmed/);
      });

      it('GET /_dev/messages filters by recipient and lists the newest first', async () => {
        const email = uniqueEmail('order');
        const other = uniqueEmail('order');
        await t.signUp(clientId, 'order', { email });
        await t.signUp(clientId, 'order-other', { email: other });
        // Messages in the same millisecond must still come newest first.
        frozen = new Date();
        try {
          for (let i = 0; i < 3; i++) await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'order' }));
        } finally {
          frozen = undefined;
        }
        const messages = await t.mailbox(email);
        assert.equal(messages.length, 4);
        assert.ok(messages.every((m) => m.recipient === email));
        for (let i = 1; i < messages.length; i++) assert.ok(messages[i - 1].createdAt >= messages[i].createdAt);
        // Only the newest code is valid, so the first message listed must hold it.
        await t.confirm(clientId, 'order', codeIn(messages[0].body));
        assert.equal((await t.mailbox(email, '&limit=2')).length, 2);
        assert.equal((await t.mailbox(other)).length, 1);
        assert.equal((await t.mailbox(email, '&poolId=us-east-1_nothere00')).length, 0);
      });
    });

    describe('ForgotPassword and ConfirmForgotPassword', () => {
      const forgot = (username: string) => idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username }));
      const reset = (username: string, code: string, password = NEW_PASSWORD) =>
        idp.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: username, ConfirmationCode: code, Password: password }));

      it('resets the password with the emailed code; the old password then stops working', async () => {
        const email = uniqueEmail('forgot');
        await t.confirmedUser(clientId, 'forgot', email);
        const { CodeDeliveryDetails } = await forgot('forgot');
        assert.deepEqual(CodeDeliveryDetails, { Destination: 'f***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' });
        const code = await t.code(email);
        // Until the reset, the old password keeps working.
        assert.ok((await t.signIn(clientId, 'forgot', PASSWORD)).AuthenticationResult);

        await rejects(reset('forgot', code, 'weak'), 'InvalidPasswordException');
        await rejects(reset('forgot', otherThan(code)), 'CodeMismatchException');
        await reset('forgot', code);
        await rejects(t.signIn(clientId, 'forgot', PASSWORD), 'NotAuthorizedException', /Incorrect username or password/);
        assert.ok((await t.signIn(clientId, 'forgot', NEW_PASSWORD)).AuthenticationResult?.AccessToken);
        assert.equal((await t.user(poolId, 'forgot')).UserStatus, 'CONFIRMED');
        // Single use: with no outstanding code, Cognito answers ExpiredCodeException.
        await rejects(reset('forgot', code, 'An0ther-Passw0rd!'), 'ExpiredCodeException');
        assert.ok((await t.signIn(clientId, 'forgot', NEW_PASSWORD)).AuthenticationResult);
      });

      it('expires the reset code after an hour', async () => {
        const email = uniqueEmail('hour');
        await t.confirmedUser(clientId, 'hour', email);
        await forgot('hour');
        const stale = await t.code(email);
        await later(HOUR + 1000, () => rejects(reset('hour', stale), 'ExpiredCodeException'));
        await forgot('hour');
        const fresh = await t.code(email);
        await later(HOUR - 60_000, () => reset('hour', fresh));
        assert.ok((await t.signIn(clientId, 'hour', NEW_PASSWORD)).AuthenticationResult);
      });

      it('needs a verified email or phone number', async () => {
        const email = uniqueEmail('unverified');
        await t.signUp(clientId, 'unverified', { email });
        await rejects(forgot('unverified'), 'InvalidParameterException', /no registered\/verified email or phone_number/);
      });

      it('sends no code to an invited user still on a temporary password, nor does AdminResetUserPassword', async () => {
        const email = uniqueEmail('invited');
        await t.invitedUser(poolId, 'invited', email);
        const refused = /^User password cannot be reset in the current state\.$/;
        await rejects(forgot('invited'), 'NotAuthorizedException', refused);
        await rejects(idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'invited' })), 'NotAuthorizedException', refused);
        assert.equal((await t.user(poolId, 'invited')).UserStatus, 'FORCE_CHANGE_PASSWORD');
        assert.deepEqual(await t.mailbox(email), []);
      });

      it('AdminResetUserPassword requires a reset, completed with ConfirmForgotPassword', async () => {
        const email = uniqueEmail('adminreset');
        await t.confirmedUser(clientId, 'adminreset', email);
        await idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'adminreset' }));
        assert.equal((await t.user(poolId, 'adminreset')).UserStatus, 'RESET_REQUIRED');
        await rejects(t.signIn(clientId, 'adminreset', PASSWORD), 'PasswordResetRequiredException');
        await reset('adminreset', await t.code(email));
        assert.equal((await t.user(poolId, 'adminreset')).UserStatus, 'CONFIRMED');
        assert.ok((await t.signIn(clientId, 'adminreset', NEW_PASSWORD)).AuthenticationResult);
        await rejects(t.signIn(clientId, 'adminreset', PASSWORD), 'NotAuthorizedException');
      });
    });

    describe('PreventUserExistenceErrors', () => {
      let enabled: string;
      let legacy: string;
      before(async () => {
        ({ clientId: enabled } = await t.client(poolId, { PreventUserExistenceErrors: 'ENABLED' }));
        ({ clientId: legacy } = await t.client(poolId, { PreventUserExistenceErrors: 'LEGACY' }));
        await t.confirmedUser(enabled, 'real', uniqueEmail('real'));
        await t.confirmedUser(enabled, 'disabled', uniqueEmail('disabled'));
        await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'disabled' }));
        await t.signUp(enabled, 'pending', { email: uniqueEmail('pending') });
        await t.invitedUser(poolId, 'temporary', uniqueEmail('temporary'));
      });
      const forgot = (clientId: string, username: string) => idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username }));
      const resend = (clientId: string, username: string) => idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: username }));
      const reset = (clientId: string, username: string) =>
        idp.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: username, ConfirmationCode: '123456', Password: NEW_PASSWORD }));
      const shape = (details: object | undefined) => Object.keys(details ?? {}).sort();

      it('ENABLED: a missing user gets the answers an existing one gets', async () => {
        const real = await forgot(enabled, 'real');
        const ghost = await forgot(enabled, 'ghost');
        assert.deepEqual(shape(ghost.CodeDeliveryDetails), shape(real.CodeDeliveryDetails));
        assert.equal(ghost.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
        assert.match(ghost.CodeDeliveryDetails!.Destination!, /^\w\*\*\*@\w\*\*\*$/);

        const pending = await resend(enabled, 'pending');
        const ghostResend = await resend(enabled, 'ghost');
        assert.deepEqual(shape(ghostResend.CodeDeliveryDetails), shape(pending.CodeDeliveryDetails));

        await rejects(t.confirm(enabled, 'ghost', '123456'), 'CodeMismatchException');
        await rejects(t.confirm(enabled, 'pending', '123456'), 'CodeMismatchException');
        await rejects(reset(enabled, 'ghost'), 'CodeMismatchException');
        await rejects(reset(enabled, 'real'), 'CodeMismatchException');
        // A weak password is refused the same way whether the user exists or not.
        await rejects(idp.send(new ConfirmForgotPasswordCommand({ ClientId: enabled, Username: 'ghost', ConfirmationCode: '1', Password: 'weak' })), 'InvalidPasswordException');
      });

      it('ENABLED: a disabled user, one without a verified contact, or one on a temporary password looks the same to ForgotPassword', async () => {
        const real = await forgot(enabled, 'real');
        const disabled = await forgot(enabled, 'disabled');
        assert.deepEqual(shape(disabled.CodeDeliveryDetails), shape(real.CodeDeliveryDetails));
        const pending = await forgot(enabled, 'pending');
        assert.deepEqual(shape(pending.CodeDeliveryDetails), shape(real.CodeDeliveryDetails));
        const temporary = await forgot(enabled, 'temporary');
        assert.deepEqual(shape(temporary.CodeDeliveryDetails), shape(real.CodeDeliveryDetails));
        await rejects(reset(enabled, 'disabled'), 'CodeMismatchException');
      });

      it('LEGACY: a missing user is UserNotFoundException everywhere', async () => {
        await rejects(forgot(legacy, 'ghost'), 'UserNotFoundException');
        await rejects(resend(legacy, 'ghost'), 'UserNotFoundException');
        await rejects(t.confirm(legacy, 'ghost', '123456'), 'UserNotFoundException');
        await rejects(reset(legacy, 'ghost'), 'UserNotFoundException');
        await rejects(forgot(legacy, 'disabled'), 'NotAuthorizedException', /disabled/);
        await rejects(forgot(legacy, 'pending'), 'InvalidParameterException');
        await rejects(forgot(legacy, 'temporary'), 'NotAuthorizedException', /current state/);
        // Existing users are unaffected by the setting.
        assert.equal((await forgot(legacy, 'real')).CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
      });
    });

    describe('SECRET_HASH', () => {
      it('a client with a secret requires it on every unsigned operation', async () => {
        const { clientId, secret } = await t.client(poolId, { GenerateSecret: true });
        assert.ok(secret);
        const hash = (username: string) => secretHash(secret, username, clientId);
        const email = uniqueEmail('secret');

        await rejects(t.signUp(clientId, 'secret', { email }), 'NotAuthorizedException', /SECRET_HASH was not received/);
        await rejects(t.signUp(clientId, 'secret', { email }, { SecretHash: hash('someone-else') }), 'NotAuthorizedException', /Unable to verify secret hash/);
        await rejects(t.signUp(clientId, 'secret', { email }, { SecretHash: secretHash('wrong-secret', 'secret', clientId) }), 'NotAuthorizedException');
        assert.equal(await t.exists(poolId, 'secret'), false);
        await t.signUp(clientId, 'secret', { email }, { SecretHash: hash('secret') });

        await rejects(idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'secret' })), 'NotAuthorizedException');
        await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'secret', SecretHash: hash('secret') }));
        const code = await t.code(email);
        await rejects(idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'secret', ConfirmationCode: code })), 'NotAuthorizedException');
        await rejects(
          idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'secret', ConfirmationCode: code, SecretHash: hash('other') })),
          'NotAuthorizedException',
        );
        await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'secret', ConfirmationCode: code, SecretHash: hash('secret') }));

        await rejects(idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'secret' })), 'NotAuthorizedException');
        await idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'secret', SecretHash: hash('secret') }));
        const resetCode = await t.code(email);
        const confirmReset = (secretHashValue?: string) =>
          idp.send(
            new ConfirmForgotPasswordCommand({
              ClientId: clientId,
              Username: 'secret',
              ConfirmationCode: resetCode,
              Password: NEW_PASSWORD,
              ...(secretHashValue && { SecretHash: secretHashValue }),
            }),
          );
        await rejects(confirmReset(), 'NotAuthorizedException');
        await rejects(confirmReset(hash('other')), 'NotAuthorizedException');
        await confirmReset(hash('secret'));
      });
    });

    describe('races', () => {
      it('of 50 concurrent sign-ups for one username, exactly one succeeds', async () => {
        const email = uniqueEmail('racer');
        const results = await outcomes(Array.from({ length: 50 }, () => t.signUp(clientId, 'racer', { email })));
        assert.equal(count(results, 'ok'), 1, results.join());
        assert.equal(count(results, 'UsernameExistsException'), 49, results.join());
        assert.equal((await t.mailbox(email)).length, 1, 'one code, for the one user');
        const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "racer"' }));
        assert.equal(Users!.length, 1);
      });

      it('of concurrent sign-ups with one email in an email-as-username pool, exactly one succeeds', async () => {
        const email = uniqueEmail('same');
        const results = await outcomes(Array.from({ length: 20 }, (_, i) => t.signUp(emailClient, i % 2 ? email : email.toUpperCase())));
        assert.equal(count(results, 'ok'), 1, results.join());
        assert.equal(count(results, 'UsernameExistsException'), 19, results.join());
      });

      it('of administrators verifying one email for several users at once, one user gets the alias', async () => {
        const poolId = aliasPool;
        const names = ['r1', 'r2', 'r3', 'r4', 'r5'];
        for (const name of names) await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: name, MessageAction: 'SUPPRESS' }));
        const email = uniqueEmail('contested');
        const results = await outcomes(
          names.map((name) =>
            idp.send(
              new AdminUpdateUserAttributesCommand({
                UserPoolId: poolId,
                Username: name,
                UserAttributes: [
                  { Name: 'email', Value: email },
                  { Name: 'email_verified', Value: 'true' },
                ],
              }),
            ),
          ),
        );
        assert.equal(count(results, 'ok'), 1, results.join());
        assert.equal(count(results, 'AliasExistsException'), 4, results.join());
        await assertOneVerifiedHolder(poolId, email, names[results.indexOf('ok')]);
      });

      it('of two users confirming sign-ups with one email at once, one gets the alias', async () => {
        const [poolId, clientId] = [aliasPool, aliasClient];
        for (const force of [false, true]) {
          const email = uniqueEmail('twins');
          const [a, b] = force ? ['forced-a', 'forced-b'] : ['twin-a', 'twin-b'];
          await t.signUp(clientId, a, { email });
          const codeA = await t.code(email);
          await t.signUp(clientId, b, { email });
          const codeB = await t.code(email);
          const results = await outcomes([t.confirm(clientId, a, codeA, force), t.confirm(clientId, b, codeB, force)]);
          if (!force) assert.deepEqual([...results].sort(), ['AliasExistsException', 'ok'], results.join());
          const holder = (await t.user(poolId, email)).Username!;
          assert.ok([a, b].includes(holder));
          await assertOneVerifiedHolder(poolId, email, holder);
        }
      });

      async function assertOneVerifiedHolder(poolId: string, email: string, holder: string): Promise<void> {
        assert.equal((await t.user(poolId, email)).Username, holder, 'the email signs in the holder');
        const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: `email = "${email}"` }));
        const verified = Users!.filter((u) => attribute(u.Attributes, 'email_verified') === 'true').map((u) => u.Username);
        assert.deepEqual(verified, [holder]);
      }
    });
  });

  describe(`message delivery over SMTP and the SMS webhook (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let smtp: SMTPServer;
    let webhook: Server;
    const mails: { from: string; to: string[]; raw: string }[] = [];
    const texts: { to: string; message: string; poolId: string }[] = [];
    let webhookStatus = 200;
    const t = toolsFor(
      () => server,
      () => idp,
    );

    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        onRcptTo(address, _session, callback) {
          if (address.address.startsWith('bounce-')) return callback(new Error('mailbox unavailable'));
          callback();
        },
        onData(stream, session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            mails.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              raw: Buffer.concat(chunks).toString('utf8'),
            });
            callback();
          });
        },
      });
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      const smtpPort = (smtp.server.address() as AddressInfo).port;

      webhook = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          if (webhookStatus === 200) texts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as (typeof texts)[number]);
          response.writeHead(webhookStatus, { 'content-type': 'application/json' }).end('{}');
        });
      });
      await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
      const webhookPort = (webhook.address() as AddressInfo).port;

      server = await startServer(store.name, {
        ...FAST_HASHING,
        smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
        smsWebhookUrl: `http://127.0.0.1:${webhookPort}/sms`,
        emailFrom: 'gatehouse@example.org',
      });
      idp = server.idp();
    });
    after(async () => {
      await server?.close();
      await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
      await new Promise<void>((resolve) => (webhook ? webhook.close(() => resolve()) : resolve()));
    });

    function mailTo(address: string): { from: string; raw: string } {
      const found = mails.filter((m) => m.to.includes(address));
      assert.equal(found.length, 1, `one email to ${address}, got ${found.length}`);
      return found[0];
    }

    it('emails the sign-up code over SMTP with the VerificationMessageTemplate', async () => {
      const poolId = await t.pool({
        AutoVerifiedAttributes: ['email'],
        VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE', EmailSubject: 'Welcome aboard', EmailMessage: 'Hello, your code is {####}. Enjoy' },
      });
      const { clientId } = await t.client(poolId);
      const email = uniqueEmail('smtp');
      await t.signUp(clientId, 'smtp', { email });
      const mail = mailTo(email);
      assert.equal(mail.from, 'gatehouse@example.org');
      assert.match(mail.raw, /^Subject: Welcome aboard\r?$/m);
      const code = codeIn(/Hello, your code is (\d{6})\. Enjoy/.exec(mail.raw)?.[0] ?? '');
      // Development mode keeps a copy in the mailbox too: the same code.
      assert.equal(await t.code(email), code);
      await t.confirm(clientId, 'smtp', code);
      assert.equal((await t.user(poolId, 'smtp')).UserStatus, 'CONFIRMED');
      // A recipient the SMTP server refuses is CodeDeliveryFailureException.
      await rejects(t.signUp(clientId, 'bounced', { email: uniqueEmail('bounce') }), 'CodeDeliveryFailureException');
    });

    it('uses EmailVerificationMessage and EmailVerificationSubject, also for password resets', async () => {
      const poolId = await t.pool({
        AutoVerifiedAttributes: ['email'],
        EmailVerificationSubject: 'Your Gatehouse code',
        EmailVerificationMessage: 'Code {####} is yours',
      });
      const { clientId } = await t.client(poolId);
      const email = uniqueEmail('legacy-template');
      await t.signUp(clientId, 'legacy', { email });
      const signUpMail = mailTo(email);
      assert.match(signUpMail.raw, /^Subject: Your Gatehouse code\r?$/m);
      const code = /Code (\d{6}) is yours/.exec(signUpMail.raw)?.[1];
      assert.ok(code, signUpMail.raw);
      await t.confirm(clientId, 'legacy', code);
      await idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'legacy' }));
      const resetMails = mails.filter((m) => m.to.includes(email));
      assert.equal(resetMails.length, 2);
      assert.match(resetMails[1].raw, /Code \d{6} is yours/);
    });

    let smsPool: string;
    let smsClient: string;
    before(async () => {
      smsPool = await t.pool({ AutoVerifiedAttributes: ['phone_number'], SmsVerificationMessage: 'Your Gatehouse code: {####}' });
      ({ clientId: smsClient } = await t.client(smsPool));
    });

    it('sends SMS codes to the webhook for a pool that verifies phone numbers', async () => {
      const [poolId, clientId] = [smsPool, smsClient];
      const phone = uniquePhone();
      const { CodeDeliveryDetails } = await t.signUp(clientId, 'texter', { phone_number: phone });
      assert.deepEqual(CodeDeliveryDetails, { Destination: `+${'*'.repeat(phone.length - 5)}${phone.slice(-4)}`, DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
      const received = texts.filter((m) => m.to === phone);
      assert.equal(received.length, 1);
      assert.equal(received[0].poolId, poolId);
      assert.match(received[0].message, /^Your Gatehouse code: \d{6}$/);
      await t.confirm(clientId, 'texter', codeIn(received[0].message));
      const user = await t.user(poolId, 'texter');
      assert.equal(user.UserStatus, 'CONFIRMED');
      assert.equal(attribute(user.UserAttributes, 'phone_number_verified'), 'true');
    });

    it('a webhook answering 500 is CodeDeliveryFailureException; the user can ask again', async () => {
      const [poolId, clientId] = [smsPool, smsClient];
      const phone = uniquePhone();
      webhookStatus = 500;
      try {
        await rejects(t.signUp(clientId, 'unlucky', { phone_number: phone }), 'CodeDeliveryFailureException');
        await rejects(idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'unlucky' })), 'CodeDeliveryFailureException');
      } finally {
        webhookStatus = 200;
      }
      // As in Cognito, the account exists: the code can be sent again once delivery works.
      assert.equal((await t.user(poolId, 'unlucky')).UserStatus, 'UNCONFIRMED');
      await idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'unlucky' }));
      const received = texts.filter((m) => m.to === phone);
      assert.equal(received.length, 1);
      await t.confirm(clientId, 'unlucky', codeIn(received[0].message));
    });
  });

  describe(`message delivery in production mode (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    const t = toolsFor(
      () => server,
      () => idp,
    );
    before(async () => {
      // Production signs admin calls: the SDK client's credentials are the configured access key.
      server = await startServer(store.name, { ...FAST_HASHING, mode: 'production', secretsKey: 's'.repeat(32), accessKeys: [ANY_CREDENTIALS] });
      idp = server.idp();
    });
    after(() => server?.close());

    it('with nothing configured to send it, a code is CodeDeliveryFailureException, never dropped', async () => {
      const poolId = await t.pool({ AutoVerifiedAttributes: ['email', 'phone_number'] });
      const { clientId } = await t.client(poolId);
      await rejects(t.signUp(clientId, 'nomail', { email: uniqueEmail('nomail') }), 'CodeDeliveryFailureException', /No SMTP server/);
      await rejects(t.signUp(clientId, 'nosms', { phone_number: uniquePhone() }), 'CodeDeliveryFailureException', /No SMS webhook/);
      // A user with no contact to verify needs no message, and signs up fine.
      assert.equal((await t.signUp(clientId, 'nocontact')).UserConfirmed, false);
      assert.equal((await fetch(`${server.url}/_dev/messages`)).status, 404);
    });
  });
}
