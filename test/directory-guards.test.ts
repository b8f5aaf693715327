import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { attribute, rejects, uniqueEmail } from './helpers/assertions.js';
import { latestCode } from './helpers/mailbox.js';

const NEW_PASSWORD = 'N3w-Corr3ct-Horse!';

for (const store of STORES) {
  describe(`user directory guards (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
    });
    after(() => server?.close());

    async function poolAndClient(settings: Omit<CreateUserPoolRequest, 'PoolName'>): Promise<{ poolId: string; clientId: string }> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'directory-guards', ...settings }));
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
    }

    function signIn(clientId: string, USERNAME: string, PASSWORD: string) {
      return idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));
    }

    it('NEW_PASSWORD_REQUIRED: a user cannot swap in an address they do not own and keep email_verified (nor sign in with it as an alias)', async () => {
      const { poolId, clientId } = await poolAndClient({ AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] });
      const own = uniqueEmail('invited');
      const victim = uniqueEmail('victim');
      // The usual invitation: an administrator vouches for the address it created the user with.
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'invited',
          TemporaryPassword: PASSWORD,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: own },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      const challenge = await signIn(clientId, 'invited', PASSWORD);
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      // email is optional here, so the change is taken: like any other change of email, unverified.
      const answer = await idp.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: 'invited', NEW_PASSWORD, 'userAttributes.email': victim },
        }),
      );
      const claims = decodeJwt(answer.AuthenticationResult!.IdToken!);
      assert.deepEqual([claims.email, claims.email_verified], [victim, false], 'the ID token does not vouch for an address nobody verified');
      const { UserAttributes } = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'invited' }));
      assert.deepEqual([attribute(UserAttributes, 'email'), attribute(UserAttributes, 'email_verified')], [victim, 'false']);
      // The pool auto-verifies email: a code went to the new address, to prove it.
      assert.ok(await latestCode(server.url, victim));
      // Nor does the unproven address sign anyone in.
      await assert.rejects(signIn(clientId, victim, NEW_PASSWORD));
    });

    it('VerifyUserAttribute: a code sent to the old address does not verify the new one', async () => {
      // Email is an alias but not auto-verified: changing it sends no code, so nothing replaces the old one.
      const { poolId, clientId } = await poolAndClient({ AliasAttributes: ['email'], AutoVerifiedAttributes: [] });
      const own = uniqueEmail('mallory');
      const victim = uniqueEmail('victim');
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'mallory', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: own }] }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'mallory', Password: PASSWORD, Permanent: true }));
      const AccessToken = (await signIn(clientId, 'mallory', PASSWORD)).AuthenticationResult!.AccessToken!;
      // A code to the address the user owns...
      await idp.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' }));
      const code = await latestCode(server.url, own);
      // ...then the address changes to someone else's...
      await idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: victim }] }));
      // ...and the old code must not prove the new address.
      await rejects(idp.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: code })), 'CodeMismatchException');
      const { UserAttributes } = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'mallory' }));
      assert.equal(attribute(UserAttributes, 'email'), victim);
      assert.notEqual(attribute(UserAttributes, 'email_verified'), 'true');
      await assert.rejects(signIn(clientId, victim, PASSWORD));
    });
    it('SignUp: an unconfirmed account cannot claim a preferred_username alias', async () => {
      // Cognito: "Preferred username cannot be provided for unconfirmed account, since user pool is
      // configured for preferred username alias." Otherwise anyone can squat sign-in names without ever
      // confirming, and a sign-in under that name reaches the squatter.
      const { clientId } = await poolAndClient({ AliasAttributes: ['preferred_username'] });
      await rejects(
        idp.send(new SignUpCommand({ ClientId: clientId, Username: 'squatter', Password: PASSWORD, UserAttributes: [{ Name: 'preferred_username', Value: 'ceo' }] })),
        'InvalidParameterException',
      );
    });

    it("a user's preferred_username does not capture another user's verified email as a sign-in name", async () => {
      const { poolId, clientId } = await poolAndClient({ AliasAttributes: ['preferred_username', 'email'] });
      const bobEmail = uniqueEmail('bob');
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'bob',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: bobEmail },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'bob', Password: PASSWORD, Permanent: true }));
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'eve', MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'eve', Password: NEW_PASSWORD, Permanent: true }));
      const AccessToken = (await signIn(clientId, 'eve', NEW_PASSWORD)).AuthenticationResult!.AccessToken!;
      // Eve names herself after Bob's verified address (Cognito refuses this, or at least never lets it win).
      await idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'preferred_username', Value: bobEmail }] })).catch(() => undefined);
      // Bob's verified email never signs Eve in...
      await assert.rejects(signIn(clientId, bobEmail, NEW_PASSWORD), 'Bob\'s verified email signed Eve in');
      // ...and still signs Bob in.
      const bob = await signIn(clientId, bobEmail, PASSWORD);
      assert.ok(bob.AuthenticationResult?.AccessToken, 'Bob signs in with his verified email');
    });

    it('ListUsers ^= finds every value that starts with the prefix, characters beyond U+FFFF included', async () => {
      const { poolId } = await poolAndClient({});
      // The stores compare UTF-8 bytes: the range [prefix, prefix + U+FFFF) leaves out 4-byte characters.
      for (const [Username, value] of [['plain', 'Zoe'], ['emoji', 'Zo\u{1F600}']]) {
        await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'given_name', Value: value }] }));
      }
      const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'given_name ^= "Zo"' }));
      assert.deepEqual(Users?.map((u) => u.Username).sort(), ['emoji', 'plain']);
    });
  });
}
