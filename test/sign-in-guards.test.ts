import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { attribute, uniqueEmail } from './helpers/assertions.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const TEMPORARY = 'Temp0rary!Pass';
const NEW_PASSWORD = 'N3w-Staple-Horse-Battery';
const FLOWS: CreateUserPoolClientRequest['ExplicitAuthFlows'] = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/** The error a call fails with (the test fails if it succeeds). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  assert.fail('expected the call to fail');
}

for (const store of STORES) {
  describe(`sign-in guards (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
    });
    after(() => server?.close());

    async function createPool(settings: Omit<CreateUserPoolRequest, 'PoolName'> = {}): Promise<string> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'guards', ...settings }));
      return UserPool!.Id!;
    }

    async function createClient(poolId: string, settings: Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName'> = {}): Promise<string> {
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS, ...settings }));
      return UserPoolClient!.ClientId!;
    }

    async function createUser(poolId: string, username: string): Promise<void> {
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }

    async function newPasswordChallenge(clientId: string, username: string): Promise<string> {
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: TEMPORARY } }),
      );
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      return challenge.Session!;
    }

    it('ConfirmForgotPassword without a valid code tells nothing about the password (no password-history oracle)', async () => {
      // With a password history, a guess of the current password must not be told apart from a wrong guess
      // before the code is checked: that would be a password oracle that needs no code and never locks.
      const poolId = await createPool({ Policies: { PasswordPolicy: { MinimumLength: 8, PasswordHistorySize: 3 } } });
      const clientId = await createClient(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      await createUser(poolId, 'victim');
      const confirm = (password: string) =>
        idp.send(new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'victim', ConfirmationCode: '123456', Password: password }));
      const wrongGuess = await failure(confirm('Wr0ng-Guess-Horse-Battery'));
      const rightGuess = await failure(confirm(PASSWORD));
      assert.notEqual(rightGuess.name, 'PasswordHistoryPolicyViolationException', 'the current password was confirmed without any code');
      assert.equal(rightGuess.name, wrongGuess.name);
    });

    it('NEW_PASSWORD_REQUIRED cannot modify a required attribute that already has a value', async () => {
      // RespondToAuthChallenge: "In a NEW_PASSWORD_REQUIRED challenge response, you can't modify a required
      // attribute that already has a value."
      const poolId = await createPool({ Schema: [{ Name: 'name', Required: true, Mutable: true }] });
      const clientId = await createClient(poolId);
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'named',
          TemporaryPassword: TEMPORARY,
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'name', Value: 'Alice Admin-Given' }],
        }),
      );
      const session = await newPasswordChallenge(clientId, 'named');
      await assert.rejects(
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: session,
            ChallengeResponses: { USERNAME: 'named', NEW_PASSWORD: NEW_PASSWORD, 'userAttributes.name': 'Mallory' },
          }),
        ),
      );
      const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'named' }));
      assert.equal(attribute(user.UserAttributes, 'name'), 'Alice Admin-Given');
    });

    it('with PreventUserExistenceErrors, USER_SRP_AUTH gives an unknown user a stable SALT, as a real user has', async () => {
      const poolId = await createPool();
      const clientId = await createClient(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      await createUser(poolId, 'exists');
      const salt = async (username: string) => {
        const challenge = await idp.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: 'ab'.repeat(96) } }),
        );
        assert.equal(challenge.ChallengeName, 'PASSWORD_VERIFIER');
        return challenge.ChallengeParameters!.SALT;
      };
      // A real user's SALT is the one stored with the verifier: the same on every attempt.
      assert.equal(await salt('exists'), await salt('exists'));
      // An unknown name must answer the same way, or two requests tell whether the account exists.
      assert.equal(await salt('nobody'), await salt('nobody'), 'a SALT that changes on every attempt marks the user as nonexistent');
    });

    it('with PreventUserExistenceErrors, USER_SRP_AUTH by email gives an unknown user a UUID USER_ID_FOR_SRP, as a real user has', async () => {
      // "Amazon Cognito returns the same 'salt' and internal user id in UUID format for the same user name
      // and user pool combination" (Managing user existence error responses).
      const poolId = await createPool({ UsernameAttributes: ['email'] });
      const clientId = await createClient(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      const known = uniqueEmail('known');
      await createUser(poolId, known);
      const userIdForSrp = async (email: string) => {
        const challenge = await idp.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: email, SRP_A: 'ab'.repeat(96) } }),
        );
        assert.equal(challenge.ChallengeName, 'PASSWORD_VERIFIER');
        return challenge.ChallengeParameters!.USER_ID_FOR_SRP;
      };
      const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
      assert.match(await userIdForSrp(known), UUID, 'a real user answers with its internal username');
      const unknown = uniqueEmail('unknown');
      const first = await userIdForSrp(unknown);
      assert.match(first, UUID, 'echoing the typed email back tells that no such user exists');
      assert.equal(await userIdForSrp(unknown), first);
    });
  });
}
