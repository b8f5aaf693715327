import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserAttributesCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
  CreateUserPoolCommand,
  type AdminGetUserResponse,
  type AttributeType,
  type CognitoIdentityProviderClient,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { verifyPassword, type PasswordCredentials } from '../src/userpools/users/password-store.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { attribute, rejects, uniqueEmail, uniquePhone } from './helpers/assertions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MISSING_POOL = 'us-east-1_missing00';
const STRICT_POLICY = { MinimumLength: 16, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: true };

/** The temporary password in Cognito's default invitation text. */
function temporaryPasswordIn(body: string): string {
  const match = /temporary password is (.+)\.$/.exec(body);
  assert.ok(match, `no temporary password in ${JSON.stringify(body)}`);
  return match[1];
}

for (const store of STORES) {
  describe(`admin user operations (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
    });
    after(() => server?.close());

    async function createPool(settings: Omit<CreateUserPoolRequest, 'PoolName'> = {}): Promise<string> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'admin-users', ...settings }));
      return UserPool!.Id!;
    }

    async function mailbox(recipient: string): Promise<{ subject?: string; body: string; recipient: string; medium: string }[]> {
      const response = await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(recipient)}`);
      assert.equal(response.status, 200);
      return ((await response.json()) as { messages: { subject?: string; body: string; recipient: string; medium: string }[] }).messages;
    }

    /** AdminGetUser's answer without the SDK's per-request metadata, so two reads compare equal. */
    async function getUser(poolId: string, username: string): Promise<Omit<AdminGetUserResponse, '$metadata'>> {
      const { $metadata, ...user } = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
      return user;
    }

    async function storedCredentials(poolId: string, usernameKey: string): Promise<PasswordCredentials> {
      const user = await server.gatehouse.services.repos.users.get(poolId, usernameKey);
      assert.ok(user, `user ${usernameKey} is stored`);
      return user.credentials as PasswordCredentials;
    }

    it('AdminCreateUser generates a temporary password that satisfies the policy and invites by email', async () => {
      const poolId = await createPool({ Policies: { PasswordPolicy: STRICT_POLICY } });
      const email = uniqueEmail('alice');
      const { User } = await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', UserAttributes: [{ Name: 'email', Value: email }], DesiredDeliveryMediums: ['EMAIL'] }),
      );
      assert.equal(User!.Username, 'alice');
      assert.equal(User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(User!.Enabled, true);
      assert.match(attribute(User!.Attributes, 'sub')!, UUID);
      assert.equal(attribute(User!.Attributes, 'email'), email);

      const messages = await mailbox(email);
      assert.equal(messages.length, 1);
      assert.equal(messages[0].medium, 'EMAIL');
      assert.equal(messages[0].subject, 'Your temporary password');
      assert.match(messages[0].body, /username is alice\b/);
      const password = temporaryPasswordIn(messages[0].body);
      assert.ok(password.length >= 16, `${password} is long enough`);
      assert.match(password, /\p{Ll}/u);
      assert.match(password, /\p{Lu}/u);
      assert.match(password, /[0-9]/);
      assert.match(password, /[\^$*.[\]{}()?"!@#%&/\\,><':;|_~`=+\- ]/);
      assert.equal(await verifyPassword(await storedCredentials(poolId, 'alice'), password), true);

      const got = await getUser(poolId, 'alice');
      assert.equal(got.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(attribute(got.UserAttributes, 'sub'), attribute(User!.Attributes, 'sub'));
    });

    it('AdminCreateUser checks a given TemporaryPassword against the policy', async () => {
      const poolId = await createPool({ Policies: { PasswordPolicy: STRICT_POLICY } });
      const create = (TemporaryPassword: string) =>
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'bob', TemporaryPassword, MessageAction: 'SUPPRESS' }));
      await rejects(create('Sh0rt!'), 'InvalidPasswordException', /^Password did not conform with policy: Password not long enough$/);
      await rejects(create('no-upper-case-1234'), 'InvalidPasswordException', /^Password did not conform with policy: Password must have uppercase characters$/);
      await rejects(create('NO-LOWER-CASE-1234'), 'InvalidPasswordException', /^Password did not conform with policy: Password must have lowercase characters$/);
      await rejects(create('No-Numbers-At-All!'), 'InvalidPasswordException', /^Password did not conform with policy: Password must have numeric characters$/);
      await rejects(create('NoSymbolsAtAll1234'), 'InvalidPasswordException', /^Password did not conform with policy: Password must have symbol characters$/);
      await rejects(getUser(poolId, 'bob'), 'UserNotFoundException');

      const { User } = await create('Good-Temporary-1234');
      assert.equal(User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
      assert.equal(await verifyPassword(await storedCredentials(poolId, 'bob'), 'Good-Temporary-1234'), true);
    });

    it('MessageAction SUPPRESS sends nothing; without DesiredDeliveryMediums the invitation goes by SMS', async () => {
      const poolId = await createPool();
      const quietEmail = uniqueEmail('quiet');
      const quietPhone = uniquePhone();
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'quiet',
          UserAttributes: [
            { Name: 'email', Value: quietEmail },
            { Name: 'phone_number', Value: quietPhone },
          ],
          DesiredDeliveryMediums: ['EMAIL', 'SMS'],
          MessageAction: 'SUPPRESS',
        }),
      );
      assert.deepEqual(await mailbox(quietEmail), []);
      assert.deepEqual(await mailbox(quietPhone), []);

      // Cognito's default DesiredDeliveryMediums is SMS.
      const email = uniqueEmail('texted');
      const phone = uniquePhone();
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'texted',
          TemporaryPassword: 'Given-Temp-Pass-1!',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'phone_number', Value: phone },
          ],
        }),
      );
      const texts = await mailbox(phone);
      assert.equal(texts.length, 1);
      assert.equal(texts[0].medium, 'SMS');
      assert.equal(texts[0].body, 'Your username is texted and temporary password is Given-Temp-Pass-1!.');
      assert.deepEqual(await mailbox(email), []);
    });

    it('MessageAction RESEND sends a new temporary password, only to a FORCE_CHANGE_PASSWORD user', async () => {
      const poolId = await createPool();
      const email = uniqueEmail('resent');
      const create = (MessageAction?: 'RESEND') =>
        idp.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: 'resent',
            UserAttributes: [{ Name: 'email', Value: email }],
            DesiredDeliveryMediums: ['EMAIL'],
            MessageAction,
          }),
        );
      await create();
      const first = temporaryPasswordIn((await mailbox(email))[0].body);
      const { User } = await create('RESEND');
      assert.equal(User!.Username, 'resent');
      assert.equal(User!.UserStatus, 'FORCE_CHANGE_PASSWORD');
      const messages = await mailbox(email);
      assert.equal(messages.length, 2);
      const second = temporaryPasswordIn(messages[0].body);
      assert.notEqual(second, first);
      const credentials = await storedCredentials(poolId, 'resent');
      assert.equal(await verifyPassword(credentials, second), true);
      assert.equal(await verifyPassword(credentials, first), false, 'the earlier temporary password stops working');

      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'resent', Password: 'Permanent-Pass-1!', Permanent: true }));
      await rejects(create('RESEND'), 'UnsupportedUserStateException');
      assert.equal((await mailbox(email)).length, 2, 'nothing is sent to a confirmed user');
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'nobody', MessageAction: 'RESEND' })),
        'UserNotFoundException',
      );
    });

    it('stores passwords only as argon2id hashes', async () => {
      const poolId = await createPool({ Policies: { PasswordPolicy: { MinimumLength: 8, PasswordHistorySize: 3 } } });
      const temporary = 'Temporary-Plaintext-41';
      const permanent = 'Permanent-Plaintext-42';
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'hashed', TemporaryPassword: temporary, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'hashed', Password: permanent, Permanent: true }));
      const user = await server.gatehouse.services.repos.users.get(poolId, 'hashed');
      const credentials = user!.credentials as PasswordCredentials;
      assert.ok(credentials.hash.startsWith('$argon2id$'), credentials.hash);
      assert.ok(credentials.history?.length, 'the history keeps the earlier password');
      for (const earlier of credentials.history!) assert.ok(earlier.startsWith('$argon2id$'));
      const row = JSON.stringify(user);
      assert.ok(!row.includes(temporary) && !row.includes(permanent), 'no plaintext password in the stored row');
      assert.equal(await verifyPassword(credentials, permanent), true);
    });

    it('UsernameAttributes [email]: the username is a UUID and the email names the user', async () => {
      const poolId = await createPool({ UsernameAttributes: ['email'] });
      const email = uniqueEmail('Jane.Doe');
      const { User } = await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email, MessageAction: 'SUPPRESS' }));
      assert.match(User!.Username!, UUID);
      assert.equal(attribute(User!.Attributes, 'email'), email);
      assert.match(attribute(User!.Attributes, 'sub')!, UUID);

      for (const name of [email, email.toLowerCase(), User!.Username!]) {
        const got = await getUser(poolId, name);
        assert.equal(got.Username, User!.Username, `AdminGetUser by ${name}`);
      }
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: email.toUpperCase(), MessageAction: 'SUPPRESS' })),
        'UsernameExistsException',
        /email already exists/,
      );
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'jane', MessageAction: 'SUPPRESS' })),
        'InvalidParameterException',
        /^Username should be an email\.$/,
      );
    });

    it('AliasAttributes [email]: a verified email is a unique alias', async () => {
      const poolId = await createPool({ AliasAttributes: ['email'] });
      const email = uniqueEmail('shared');
      const create = (Username: string, verified: boolean) =>
        idp.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: String(verified) },
            ],
          }),
        );
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: uniqueEmail('as-username'), MessageAction: 'SUPPRESS' })),
        'InvalidParameterException',
        /email format/,
      );

      await create('holder', true);
      assert.equal((await getUser(poolId, email)).Username, 'holder');
      assert.equal((await getUser(poolId, email.toUpperCase())).Username, 'holder', 'emails match regardless of case');

      // An unverified copy of the email is allowed, but it is no alias.
      await create('unverified', false);
      assert.equal((await getUser(poolId, email)).Username, 'holder');
      await rejects(create('second', true), 'AliasExistsException');
      await rejects(getUser(poolId, 'second'), 'UserNotFoundException');

      const before = await getUser(poolId, 'unverified');
      await rejects(
        idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'unverified', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] })),
        'AliasExistsException',
      );
      assert.deepEqual(await getUser(poolId, 'unverified'), before, 'nothing written by the refused update');

      // Once the holder lets the email go, another user can verify it.
      await idp.send(new AdminDeleteUserAttributesCommand({ UserPoolId: poolId, Username: 'holder', UserAttributeNames: ['email'] }));
      await idp.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'unverified', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }),
      );
      assert.equal((await getUser(poolId, email)).Username, 'unverified');
      const unaliased = uniqueEmail('nobody');
      await idp.send(
        new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'holder', UserAttributes: [{ Name: 'email', Value: unaliased }] }),
      );
      await rejects(getUser(poolId, unaliased), 'UserNotFoundException');
    });

    it('of 10 concurrent claims of one verified email, at most one succeeds', async () => {
      const poolId = await createPool({ AliasAttributes: ['email'] });
      const names = Array.from({ length: 10 }, (_, i) => `racer-${i}`);
      await Promise.all(names.map((Username) => idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }))));
      const email = uniqueEmail('contested');
      const results = await Promise.allSettled(
        names.map((Username) =>
          idp.send(
            new AdminUpdateUserAttributesCommand({
              UserPoolId: poolId,
              Username,
              UserAttributes: [
                { Name: 'email', Value: email },
                { Name: 'email_verified', Value: 'true' },
              ],
            }),
          ),
        ),
      );
      const winners = names.filter((_, i) => results[i].status === 'fulfilled');
      assert.equal(winners.length, 1, `one winner, got ${winners.join(', ')}`);
      for (const result of results) {
        if (result.status === 'rejected') assert.equal((result.reason as Error).name, 'AliasExistsException', (result.reason as Error).message);
      }
      assert.equal((await getUser(poolId, email)).Username, winners[0]);
      for (const name of names) {
        const { UserAttributes } = await getUser(poolId, name);
        assert.equal(attribute(UserAttributes, 'email') === email, name === winners[0], `${name} holds the email only if it won`);
      }
    });

    it('an alias claimed while its user is deleted is released with the user', async () => {
      const poolId = await createPool({ AliasAttributes: ['email'] });
      for (let i = 0; i < 10; i++) {
        const email = uniqueEmail(`released-${i}`);
        const verifiedEmail = [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ];
        await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: `leaving-${i}`, MessageAction: 'SUPPRESS' }));
        await Promise.allSettled([
          idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: `leaving-${i}`, UserAttributes: verifiedEmail })),
          idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: `leaving-${i}` })),
        ]);
        await rejects(getUser(poolId, `leaving-${i}`), 'UserNotFoundException');
        // The email is free: no alias row outlives its user.
        await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: `arriving-${i}`, MessageAction: 'SUPPRESS', UserAttributes: verifiedEmail }));
        assert.equal((await getUser(poolId, email)).Username, `arriving-${i}`);
      }
    });

    it('UsernameConfiguration CaseSensitive false matches usernames in any case; the default is case sensitive', async () => {
      const insensitive = await createPool({ UsernameConfiguration: { CaseSensitive: false } });
      await idp.send(new AdminCreateUserCommand({ UserPoolId: insensitive, Username: 'MixedCase', MessageAction: 'SUPPRESS' }));
      assert.equal((await getUser(insensitive, 'mixedcase')).Username!.toLowerCase(), 'mixedcase');
      assert.equal((await getUser(insensitive, 'MIXEDCASE')).Username!.toLowerCase(), 'mixedcase');
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: insensitive, Username: 'mixedCASE', MessageAction: 'SUPPRESS' })),
        'UsernameExistsException',
      );

      const sensitive = await createPool();
      await idp.send(new AdminCreateUserCommand({ UserPoolId: sensitive, Username: 'MixedCase', MessageAction: 'SUPPRESS' }));
      await rejects(getUser(sensitive, 'mixedcase'), 'UserNotFoundException');
      await idp.send(new AdminCreateUserCommand({ UserPoolId: sensitive, Username: 'mixedcase', MessageAction: 'SUPPRESS' }));
      assert.equal((await getUser(sensitive, 'MixedCase')).Username, 'MixedCase');
      assert.equal((await getUser(sensitive, 'mixedcase')).Username, 'mixedcase');
    });

    it('AdminGetUser, AdminDisableUser, AdminEnableUser and AdminDeleteUser', async () => {
      const poolId = await createPool();
      const email = uniqueEmail('lifecycle');
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'lifecycle', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }),
      );
      const got = await getUser(poolId, 'lifecycle');
      assert.equal(got.Username, 'lifecycle');
      assert.equal(got.Enabled, true);
      assert.equal(attribute(got.UserAttributes, 'email'), email);
      assert.ok(got.UserCreateDate instanceof Date && got.UserLastModifiedDate instanceof Date);

      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'lifecycle' }));
      assert.equal((await getUser(poolId, 'lifecycle')).Enabled, false);
      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'lifecycle' }));
      assert.equal((await getUser(poolId, 'lifecycle')).Enabled, false);
      await idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'lifecycle' }));
      assert.equal((await getUser(poolId, 'lifecycle')).Enabled, true);

      await idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'lifecycle' }));
      await rejects(getUser(poolId, 'lifecycle'), 'UserNotFoundException', /User does not exist/);
      await rejects(idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'lifecycle' })), 'UserNotFoundException');
      // The username is free again.
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'lifecycle', MessageAction: 'SUPPRESS' }));
    });

    it('AdminConfirmSignUp confirms UNCONFIRMED users only', async () => {
      const poolId = await createPool();
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'pending', MessageAction: 'SUPPRESS' }));
      await rejects(
        idp.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'pending' })),
        'NotAuthorizedException',
        /Current status is FORCE_CHANGE_PASSWORD/,
      );
      // What SignUp leaves behind, without going through it.
      await server.gatehouse.services.repos.users.update(poolId, 'pending', new Date(), (u) => ({ ...u, status: 'UNCONFIRMED' }));
      await idp.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'pending' }));
      assert.equal((await getUser(poolId, 'pending')).UserStatus, 'CONFIRMED');
      await rejects(
        idp.send(new AdminConfirmSignUpCommand({ UserPoolId: poolId, Username: 'pending' })),
        'NotAuthorizedException',
        /Current status is CONFIRMED/,
      );
    });

    it('AdminSetUserPassword sets a permanent or temporary password under the policy and the history', async () => {
      const poolId = await createPool({ Policies: { PasswordPolicy: { ...STRICT_POLICY, MinimumLength: 10, PasswordHistorySize: 2 } } });
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'setter', MessageAction: 'SUPPRESS' }));
      const set = (Password: string, Permanent: boolean) =>
        idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'setter', Password, Permanent }));

      await rejects(set('short-1A!', true), 'InvalidPasswordException', /^Password did not conform with policy: Password not long enough$/);
      await rejects(set('nouppercase-1!', true), 'InvalidPasswordException', /uppercase/);
      assert.equal((await getUser(poolId, 'setter')).UserStatus, 'FORCE_CHANGE_PASSWORD');

      await set('First-Password-1', true);
      assert.equal((await getUser(poolId, 'setter')).UserStatus, 'CONFIRMED');
      assert.equal(await verifyPassword(await storedCredentials(poolId, 'setter'), 'First-Password-1'), true);
      assert.equal((await storedCredentials(poolId, 'setter')).temporary, false);

      await set('Second-Password-2', true);
      // With a history of 2, neither the current password nor the one before it may be used again.
      await rejects(set('First-Password-1', true), 'PasswordHistoryPolicyViolationException');
      await rejects(set('Second-Password-2', true), 'PasswordHistoryPolicyViolationException');
      await set('Third-Password-3', true);
      await set('First-Password-1', true);
      assert.equal(await verifyPassword(await storedCredentials(poolId, 'setter'), 'First-Password-1'), true);

      await set('Temporary-Password-4', false);
      assert.equal((await getUser(poolId, 'setter')).UserStatus, 'FORCE_CHANGE_PASSWORD');
      const credentials = await storedCredentials(poolId, 'setter');
      assert.equal(credentials.temporary, true);
      assert.ok(credentials.expiresAt! > Date.now());
    });

    it('AdminResetUserPassword needs a verified email or phone number and mails a code', async () => {
      const poolId = await createPool();
      const email = uniqueEmail('reset');
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'reset', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: email }] }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset', Password: 'Reset-Password-1!', Permanent: true }));
      await rejects(
        idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset' })),
        'InvalidParameterException',
        /no registered\/verified email or phone_number/,
      );
      assert.equal((await getUser(poolId, 'reset')).UserStatus, 'CONFIRMED');
      assert.deepEqual(await mailbox(email), []);

      await idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'reset', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }));
      await idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset' }));
      assert.equal((await getUser(poolId, 'reset')).UserStatus, 'RESET_REQUIRED');
      const messages = await mailbox(email);
      assert.equal(messages.length, 1);
      assert.equal(messages[0].medium, 'EMAIL');
      assert.match(messages[0].body, /^Your verification code is \d{6}\.$/);
      assert.ok(await server.gatehouse.services.repos.codes.get(poolId, 'reset', 'forgot-password'), 'a reset code is stored');
    });

    it('AdminUpdateUserAttributes and AdminDeleteUserAttributes follow the schema and write all or nothing', async () => {
      const poolId = await createPool({
        Schema: [
          { Name: 'email', Required: true, Mutable: true },
          { Name: 'tenant', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '1', MaxLength: '8' } },
          { Name: 'level', AttributeDataType: 'Number', Mutable: false },
          { Name: 'badge', AttributeDataType: 'String', Mutable: false },
        ],
      });
      const email = uniqueEmail('schema');
      await rejects(
        idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'noemail', MessageAction: 'SUPPRESS' })),
        'InvalidParameterException',
        /email/,
      );
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'schema',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: 'Original Name' },
            { Name: 'custom:level', Value: '3' },
          ],
        }),
      );
      const original = await getUser(poolId, 'schema');
      assert.equal(attribute(original.UserAttributes, 'custom:level'), '3', 'an immutable attribute can be set at creation');

      const update = (UserAttributes: AttributeType[]) => idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId: poolId, Username: 'schema', UserAttributes }));
      const remove = (UserAttributeNames: string[]) => idp.send(new AdminDeleteUserAttributesCommand({ UserPoolId: poolId, Username: 'schema', UserAttributeNames }));
      const refusals: [string, () => Promise<unknown>][] = [
        ['unknown attribute', () => update([{ Name: 'favourite_colour', Value: 'blue' }])],
        ['unknown custom attribute', () => update([{ Name: 'custom:missing', Value: 'x' }])],
        ['sub', () => update([{ Name: 'sub', Value: '00000000-0000-4000-8000-000000000000' }])],
        ['immutable attribute changed', () => update([{ Name: 'custom:level', Value: '4' }])],
        ['immutable attribute set after creation', () => update([{ Name: 'custom:badge', Value: 'gold' }])],
        ['over-long value', () => update([{ Name: 'custom:tenant', Value: 'much-too-long' }])],
        ['good and bad together', () => update([{ Name: 'name', Value: 'Changed' }, { Name: 'custom:tenant', Value: 'much-too-long' }])],
        ['bad email', () => update([{ Name: 'name', Value: 'Changed' }, { Name: 'email', Value: 'not-an-email' }])],
        ['required attribute emptied', () => update([{ Name: 'email', Value: '' }])],
        ['required attribute deleted', () => remove(['email'])],
        ['required attribute deleted with another', () => remove(['name', 'email'])],
        ['immutable attribute deleted', () => remove(['custom:level'])],
        ['sub deleted', () => remove(['sub'])],
        ['unknown attribute deleted', () => remove(['name', 'favourite_colour'])],
      ];
      for (const [what, refuse] of refusals) {
        await assert.rejects(refuse(), (error: Error) => {
          assert.equal(error.name, 'InvalidParameterException', `${what}: got ${error.name}: ${error.message}`);
          return true;
        }, `${what} is refused`);
      }
      assert.deepEqual(await getUser(poolId, 'schema'), original, 'no refused request wrote anything');

      await update([
        { Name: 'name', Value: 'New Name' },
        { Name: 'custom:tenant', Value: 'acme' },
      ]);
      let got = await getUser(poolId, 'schema');
      assert.equal(attribute(got.UserAttributes, 'name'), 'New Name');
      assert.equal(attribute(got.UserAttributes, 'custom:tenant'), 'acme');
      assert.equal(attribute(got.UserAttributes, 'email_verified'), 'true');
      assert.equal(attribute(got.UserAttributes, 'sub'), attribute(original.UserAttributes, 'sub'));

      // A new email is not verified unless the request says so.
      const newEmail = uniqueEmail('schema-new');
      await update([{ Name: 'email', Value: newEmail }]);
      got = await getUser(poolId, 'schema');
      assert.equal(attribute(got.UserAttributes, 'email'), newEmail);
      assert.notEqual(attribute(got.UserAttributes, 'email_verified'), 'true');

      await remove(['name', 'custom:tenant']);
      got = await getUser(poolId, 'schema');
      assert.equal(attribute(got.UserAttributes, 'name'), undefined);
      assert.equal(attribute(got.UserAttributes, 'custom:tenant'), undefined);
      assert.equal(attribute(got.UserAttributes, 'custom:level'), '3');
    });

    it('every operation answers UserNotFoundException for a missing user and ResourceNotFoundException for a missing pool', async () => {
      const poolId = await createPool();
      const operations: [string, (UserPoolId: string, Username: string) => Promise<unknown>][] = [
        ['AdminGetUser', (UserPoolId, Username) => idp.send(new AdminGetUserCommand({ UserPoolId, Username }))],
        ['AdminDeleteUser', (UserPoolId, Username) => idp.send(new AdminDeleteUserCommand({ UserPoolId, Username }))],
        ['AdminEnableUser', (UserPoolId, Username) => idp.send(new AdminEnableUserCommand({ UserPoolId, Username }))],
        ['AdminDisableUser', (UserPoolId, Username) => idp.send(new AdminDisableUserCommand({ UserPoolId, Username }))],
        ['AdminConfirmSignUp', (UserPoolId, Username) => idp.send(new AdminConfirmSignUpCommand({ UserPoolId, Username }))],
        [
          'AdminSetUserPassword',
          (UserPoolId, Username) => idp.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: 'Some-Password-1!', Permanent: true })),
        ],
        ['AdminResetUserPassword', (UserPoolId, Username) => idp.send(new AdminResetUserPasswordCommand({ UserPoolId, Username }))],
        [
          'AdminUpdateUserAttributes',
          (UserPoolId, Username) => idp.send(new AdminUpdateUserAttributesCommand({ UserPoolId, Username, UserAttributes: [{ Name: 'name', Value: 'x' }] })),
        ],
        [
          'AdminDeleteUserAttributes',
          (UserPoolId, Username) => idp.send(new AdminDeleteUserAttributesCommand({ UserPoolId, Username, UserAttributeNames: ['name'] })),
        ],
        ['AdminCreateUser RESEND', (UserPoolId, Username) => idp.send(new AdminCreateUserCommand({ UserPoolId, Username, MessageAction: 'RESEND' }))],
      ];
      for (const [name, call] of operations) {
        await rejects(call(poolId, 'ghost'), 'UserNotFoundException').catch((error: Error) => assert.fail(`${name}: ${error.message}`));
        await rejects(call(MISSING_POOL, 'ghost'), 'ResourceNotFoundException').catch((error: Error) => assert.fail(`${name}: ${error.message}`));
      }
      await rejects(idp.send(new AdminCreateUserCommand({ UserPoolId: MISSING_POOL, Username: 'ghost', MessageAction: 'SUPPRESS' })), 'ResourceNotFoundException');
    });

    it('of 50 concurrent AdminCreateUser of one username, exactly one succeeds', async () => {
      const poolId = await createPool();
      const results = await Promise.allSettled(
        Array.from({ length: 50 }, () => idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'popular', MessageAction: 'SUPPRESS' }))),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as Error);
      assert.equal(results.length - failures.length, 1);
      assert.deepEqual(
        [...new Set(failures.map((e) => `${e.name}: ${e.message}`))],
        ['UsernameExistsException: User account already exists'],
      );
      assert.equal(await server.gatehouse.services.repos.users.count(poolId), 1);
    });
  });
}
