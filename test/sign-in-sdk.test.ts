import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserAttributesCommand,
  DeleteUserPoolCommand,
  DeleteUserCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type AttributeType,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { attribute } from './helpers/assertions.js';

const NEW_PASSWORD = 'N3w-Staple-Horse-Battery';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ALL_FLOWS: CreateUserPoolClientRequest['ExplicitAuthFlows'] = [
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
];
const MINUTE = 60_000;

async function rejects(promise: Promise<unknown>, name: string, message?: RegExp | string): Promise<Error> {
  let caught: Error | undefined;
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught!;
}

function uniqueEmail(local: string): string {
  return `${local}-${randomBytes(4).toString('hex')}@example.com`;
}

function secretHash(secret: string, username: string, clientId: string): string {
  return createHmac('sha256', secret).update(`${username}${clientId}`).digest('base64');
}

for (const store of STORES) {
  describe(`sign-in and tokens through the AWS SDK (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    /** The server's clock runs this far ahead of the real one; tests move it and it is reset after each. */
    let skewMs = 0;
    const overrides = { now: () => new Date(Date.now() + skewMs) };
    before(async () => {
      server = await startServer(store.name, FAST_HASHING, overrides);
      idp = server.idp();
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(() => server?.close());

    async function createPool(settings: Omit<CreateUserPoolRequest, 'PoolName'> = {}): Promise<string> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'sign-in', ...settings }));
      return UserPool!.Id!;
    }

    async function createClient(poolId: string, settings: Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName'> = {}): Promise<{ clientId: string; secret?: string }> {
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ALL_FLOWS, ...settings }),
      );
      return { clientId: UserPoolClient!.ClientId!, secret: UserPoolClient!.ClientSecret };
    }

    /** A CONFIRMED user with a permanent password. */
    async function createUser(poolId: string, username: string, attributes: AttributeType[] = [], password = PASSWORD): Promise<void> {
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, UserAttributes: attributes, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: password, Permanent: true }));
    }

    async function signIn(clientId: string, username: string, password = PASSWORD): Promise<Required<Pick<AuthenticationResultType, 'AccessToken' | 'IdToken' | 'RefreshToken'>> & AuthenticationResultType> {
      const result = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));
      assert.equal(result.ChallengeName, undefined, `no challenge expected, got ${result.ChallengeName}`);
      const tokens = result.AuthenticationResult!;
      assert.ok(tokens.AccessToken && tokens.IdToken && tokens.RefreshToken);
      return tokens as never;
    }

    async function jwks(poolId: string, on: TestServer = server): Promise<JSONWebKeySet> {
      const response = await fetch(`${on.url}/${poolId}/.well-known/jwks.json`);
      assert.equal(response.status, 200);
      return (await response.json()) as JSONWebKeySet;
    }

    async function verify(token: string, poolId: string, on: TestServer = server): Promise<JWTPayload> {
      const { payload } = await jwtVerify(token, createLocalJWKSet(await jwks(poolId, on)), { algorithms: ['RS256'] });
      return payload;
    }

    async function mailbox(recipient: string): Promise<{ body: string }[]> {
      const response = await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(recipient)}`);
      assert.equal(response.status, 200);
      return ((await response.json()) as { messages: { body: string }[] }).messages;
    }

    function codeIn(body: string): string {
      const match = /\b(\d{6})\b/.exec(body);
      assert.ok(match, `no code in ${JSON.stringify(body)}`);
      return match[1];
    }

    it('USER_PASSWORD_AUTH returns ID, access and refresh tokens with Cognito claims', async () => {
      const poolId = await createPool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
      const { clientId } = await createClient(poolId, {
        IdTokenValidity: 30,
        AccessTokenValidity: 2,
        TokenValidityUnits: { IdToken: 'minutes', AccessToken: 'hours' },
      });
      const email = uniqueEmail('claims');
      await createUser(poolId, 'Claims', [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'name', Value: 'Claire Claims' },
        { Name: 'custom:tenant', Value: 'acme' },
      ]);
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', RoleArn: 'arn:aws:iam::000000000000:role/admins', Precedence: 5 }));
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'owners', RoleArn: 'arn:aws:iam::000000000000:role/owners', Precedence: 1 }));
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'readers' }));
      for (const group of ['admins', 'owners', 'readers']) {
        await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'Claims', GroupName: group }));
      }
      const sub = attribute((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Claims' }))).UserAttributes, 'sub');

      const before = Math.floor(Date.now() / 1000);
      const tokens = await signIn(clientId, 'Claims'); // API-created pools compare usernames case-sensitively
      assert.equal(tokens.TokenType, 'Bearer');
      assert.equal(tokens.ExpiresIn, 7200);
      assert.match(tokens.RefreshToken, /^[A-Za-z0-9-_=.]+$/);
      const issuer = `${server.url}/${poolId}`;

      const id = await verify(tokens.IdToken, poolId);
      assert.deepEqual(decodeProtectedHeader(tokens.IdToken).alg, 'RS256');
      assert.ok(decodeProtectedHeader(tokens.IdToken).kid);
      assert.equal(id.sub, sub);
      assert.equal(id.aud, clientId);
      assert.equal(id.iss, issuer);
      assert.equal(id.token_use, 'id');
      assert.equal(id['cognito:username'], 'Claims');
      assert.equal(id.email, email);
      assert.equal(id.email_verified, true);
      assert.equal(id.name, 'Claire Claims');
      assert.equal(id['custom:tenant'], 'acme');
      assert.deepEqual([...(id['cognito:groups'] as string[])].sort(), ['admins', 'owners', 'readers']);
      assert.deepEqual([...(id['cognito:roles'] as string[])].sort(), ['arn:aws:iam::000000000000:role/admins', 'arn:aws:iam::000000000000:role/owners']);
      assert.equal(id['cognito:preferred_role'], 'arn:aws:iam::000000000000:role/owners');
      assert.equal(id.exp! - id.iat!, 1800);
      assert.ok(typeof id.auth_time === 'number' && id.auth_time >= before - 1 && id.auth_time <= before + 5);
      assert.match(String(id.jti), UUID);
      assert.match(String(id.origin_jti), UUID);
      assert.match(String(id.event_id), UUID);

      const access = await verify(tokens.AccessToken, poolId);
      assert.equal(access.sub, sub);
      assert.equal(access.iss, issuer);
      assert.equal(access.client_id, clientId);
      assert.equal(access.username, 'Claims');
      assert.equal(access.scope, 'aws.cognito.signin.user.admin');
      assert.equal(access.token_use, 'access');
      assert.equal(access.aud, undefined, 'access tokens carry no aud');
      assert.equal(access.email, undefined, 'attributes are in the ID token only');
      assert.deepEqual([...(access['cognito:groups'] as string[])].sort(), ['admins', 'owners', 'readers']);
      assert.equal(access.exp! - access.iat!, 7200);
      assert.equal(access.auth_time, id.auth_time);
      assert.equal(access.origin_jti, id.origin_jti);
      assert.equal(access.event_id, id.event_id);
      assert.notEqual(access.jti, id.jti);
    });

    it('AdminInitiateAuth signs in with ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'admin-flow');
      for (const flow of ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] as const) {
        const result = await idp.send(
          new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: flow, AuthParameters: { USERNAME: 'admin-flow', PASSWORD: PASSWORD } }),
        );
        const claims = decodeJwt(result.AuthenticationResult!.AccessToken!);
        assert.equal(claims.username, 'admin-flow', flow);
        assert.ok(result.AuthenticationResult!.RefreshToken, flow);
        await rejects(
          idp.send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: flow, AuthParameters: { USERNAME: 'admin-flow', PASSWORD: 'wrong' } })),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
      }
      // The password flows of one side are not accepted by the other.
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'admin-flow', PASSWORD: PASSWORD } })),
        'InvalidParameterException',
      );
    });

    it('REFRESH_TOKEN_AUTH and REFRESH_TOKEN renew the tokens and keep auth_time and origin_jti', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'refresher');
      const first = await signIn(clientId, 'refresher');
      const original = decodeJwt(first.IdToken);
      skewMs = 90_000;
      for (const flow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'] as const) {
        const { AuthenticationResult } = await idp.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: flow, AuthParameters: { REFRESH_TOKEN: first.RefreshToken } }),
        );
        assert.equal(AuthenticationResult!.RefreshToken, undefined, 'no new refresh token without rotation');
        const id = await verify(AuthenticationResult!.IdToken!, poolId);
        const access = await verify(AuthenticationResult!.AccessToken!, poolId);
        assert.ok(id.iat! >= original.iat! + 89, `${flow}: new iat`);
        assert.equal(id.auth_time, original.auth_time, `${flow}: auth_time unchanged`);
        assert.equal(access.auth_time, original.auth_time);
        assert.equal(id.origin_jti, original.origin_jti);
        assert.notEqual(id.jti, original.jti);
        assert.equal((await idp.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken }))).Username, 'refresher');
      }
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: 'not-a-token' } })),
        'NotAuthorizedException',
      );
      const other = await createClient(poolId);
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: other.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken } })),
        'NotAuthorizedException',
        /Invalid Refresh Token/,
      );
    });

    it('GetTokensFromRefreshToken renews tokens, and rotates the refresh token when the client asks for it', async () => {
      const poolId = await createPool();
      const plain = await createClient(poolId);
      // As AWS advises for rotation: ALLOW_REFRESH_TOKEN_AUTH off.
      const rotating = await createClient(poolId, {
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH'],
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
      });
      await createUser(poolId, 'rotor');

      const plainTokens = await signIn(plain.clientId, 'rotor');
      for (let i = 0; i < 2; i++) {
        const { AuthenticationResult } = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: plain.clientId, RefreshToken: plainTokens.RefreshToken }));
        assert.equal(AuthenticationResult!.RefreshToken, undefined);
        assert.equal(decodeJwt(AuthenticationResult!.IdToken!).origin_jti, decodeJwt(plainTokens.IdToken).origin_jti);
      }

      const first = await signIn(rotating.clientId, 'rotor');
      const { AuthenticationResult: second } = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.clientId, RefreshToken: first.RefreshToken }));
      assert.ok(second!.RefreshToken, 'a new refresh token');
      assert.notEqual(second!.RefreshToken, first.RefreshToken);
      assert.equal(decodeJwt(second!.IdToken!).auth_time, decodeJwt(first.IdToken).auth_time);
      await rejects(
        idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.clientId, RefreshToken: first.RefreshToken })),
        'NotAuthorizedException',
      );
      const { AuthenticationResult: third } = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.clientId, RefreshToken: second!.RefreshToken }));
      assert.ok(third!.RefreshToken);
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: rotating.clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: third!.RefreshToken! } })),
        'InvalidParameterException',
      );
      // The access tokens of the rotated sign-in still work (same origin_jti, not revoked).
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: third!.AccessToken }))).Username, 'rotor');
    });

    it('rotation: the old token works through the grace period, and rotation never outlives the first expiry', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId, {
        RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 30 },
        RefreshTokenValidity: 60,
        AccessTokenValidity: 15,
        IdTokenValidity: 15,
        TokenValidityUnits: { RefreshToken: 'minutes', AccessToken: 'minutes', IdToken: 'minutes' },
      });
      await createUser(poolId, 'graceful');
      const first = await signIn(clientId, 'graceful');
      // Rotation must go through GetTokensFromRefreshToken, even where the client allows REFRESH_TOKEN_AUTH:
      // that flow does not rotate, so it would keep the old token alive.
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken } })),
        'InvalidParameterException',
        /GetTokensFromRefreshToken/,
      );
      const rotate = (token: string) => idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: token }));
      const second = (await rotate(first.RefreshToken)).AuthenticationResult!.RefreshToken!;
      skewMs = 20_000;
      assert.ok((await rotate(first.RefreshToken)).AuthenticationResult!.RefreshToken, 'a retry within the grace period');
      skewMs = 31_000;
      await rejects(rotate(first.RefreshToken), 'NotAuthorizedException');
      skewMs = 50 * MINUTE;
      const third = (await rotate(second)).AuthenticationResult!.RefreshToken!;
      skewMs = 61 * MINUTE;
      await rejects(rotate(third), 'NotAuthorizedException', /expired/);
    });

    it('NEW_PASSWORD_REQUIRED after AdminCreateUser asks for missing required attributes and completes', async () => {
      const poolId = await createPool({ Schema: [{ Name: 'name', Required: true, Mutable: true }] });
      const { clientId } = await createClient(poolId);
      const email = uniqueEmail('invited');
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'invited',
          TemporaryPassword: 'Temp0rary!Pass',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'name', Value: 'placeholder' },
          ],
        }),
      );
      // Cognito refuses AdminCreateUser without a required attribute; a user can still lack one (imported
      // before, or written around the API), and the challenge must ask for it.
      await server.gatehouse.services.repos.users.update(poolId, 'invited', new Date(), (u) => {
        const { name: _dropped, ...attributes } = u.attributes;
        return { ...u, attributes };
      });
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'invited', PASSWORD: 'Temp0rary!Pass' } }),
      );
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.ok(challenge.Session);
      assert.equal(challenge.AuthenticationResult, undefined);
      assert.deepEqual(JSON.parse(challenge.ChallengeParameters!.requiredAttributes!), ['userAttributes.name']);
      const shown = JSON.parse(challenge.ChallengeParameters!.userAttributes!) as Record<string, string>;
      assert.equal(shown.email, email);
      assert.equal(challenge.ChallengeParameters!.USER_ID_FOR_SRP, 'invited');

      // Without the attribute the answer is refused (in Cognito's words); a new sign-in gives a new session.
      await rejects(
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: 'invited', NEW_PASSWORD: NEW_PASSWORD },
          }),
        ),
        'InvalidParameterException',
        'Invalid attributes given, name is missing',
      );
      const again = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'invited', PASSWORD: 'Temp0rary!Pass' } }),
      );
      const answered = await idp.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: again.Session,
          ChallengeResponses: { USERNAME: 'invited', NEW_PASSWORD: NEW_PASSWORD, 'userAttributes.name': 'Ivy Invited' },
        }),
      );
      assert.ok(answered.AuthenticationResult?.AccessToken);
      assert.equal(decodeJwt(answered.AuthenticationResult!.IdToken!).name, 'Ivy Invited');
      const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'invited' }));
      assert.equal(user.UserStatus, 'CONFIRMED');
      assert.equal(attribute(user.UserAttributes, 'name'), 'Ivy Invited');

      // The session answered once; a replay is refused.
      await rejects(
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: again.Session,
            ChallengeResponses: { USERNAME: 'invited', NEW_PASSWORD: 'Y3t-Another-Password', 'userAttributes.name': 'Mallory' },
          }),
        ),
        'NotAuthorizedException',
        /Invalid session/,
      );
      await rejects(signIn(clientId, 'invited', 'Temp0rary!Pass'), 'NotAuthorizedException', 'Incorrect username or password.');
      await signIn(clientId, 'invited', NEW_PASSWORD);
    });

    it('two answers sent at once with the same session: one is taken, the other refused', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'racer', TemporaryPassword: 'Temp0rary!Pass', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: uniqueEmail('racer') }] }),
      );
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'racer', PASSWORD: 'Temp0rary!Pass' } }),
      );
      const answer = (password: string) =>
        idp.send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenge.Session, ChallengeResponses: { USERNAME: 'racer', NEW_PASSWORD: password } }));
      const outcomes = await Promise.allSettled([answer('F1rst-Racer-Pass'), answer('S3cond-Racer-Pass')]);
      const won = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
      assert.equal(won.length, 1, 'exactly one answer is taken');
      const lost = outcomes[1 - won[0]!] as PromiseRejectedResult;
      assert.equal((lost.reason as Error).name, 'NotAuthorizedException');
      assert.match((lost.reason as Error).message, /Invalid session/);
      // The password set is the winner's.
      await signIn(clientId, 'racer', won[0] === 0 ? 'F1rst-Racer-Pass' : 'S3cond-Racer-Pass');
    });

    it('a challenge session expires after the client AuthSessionValidity', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId, { AuthSessionValidity: 5 });
      const start = async (username: string) => {
        await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, TemporaryPassword: 'Temp0rary!Pass', MessageAction: 'SUPPRESS' }));
        const challenge = await idp.send(
          new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: 'Temp0rary!Pass' } }),
        );
        assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        return challenge.Session!;
      };
      const answer = (username: string, session: string) =>
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: session,
            ChallengeResponses: { USERNAME: username, NEW_PASSWORD: NEW_PASSWORD },
          }),
        );
      const fresh = await start('in-time');
      const stale = await start('too-late');
      skewMs = 4 * MINUTE;
      assert.ok((await answer('in-time', fresh)).AuthenticationResult);
      skewMs = 6 * MINUTE;
      await rejects(answer('too-late', stale), 'NotAuthorizedException', /session is expired/);
    });

    it('refuses RevokeToken for a client with EnableTokenRevocation off, and the token stays usable', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId, { EnableTokenRevocation: false });
      await createUser(poolId, 'keeper');
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'keeper', PASSWORD } }),
      );
      await rejects(idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: AuthenticationResult!.RefreshToken! })), 'UnsupportedOperationException');
      const refreshed = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: AuthenticationResult!.RefreshToken! } }),
      );
      assert.ok(refreshed.AuthenticationResult?.AccessToken);
    });

    it('refuses to finish NEW_PASSWORD_REQUIRED for a user disabled since the challenge', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'revoked', TemporaryPassword: 'Temp0rary!Pass', MessageAction: 'SUPPRESS' }));
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'revoked', PASSWORD: 'Temp0rary!Pass' } }),
      );
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'revoked' }));
      await rejects(
        idp.send(
          new RespondToAuthChallengeCommand({
            ClientId: clientId,
            ChallengeName: 'NEW_PASSWORD_REQUIRED',
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: 'revoked', NEW_PASSWORD: NEW_PASSWORD },
          }),
        ),
        'NotAuthorizedException',
        /User is disabled/,
      );
      const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'revoked' }));
      assert.equal(user.UserStatus, 'FORCE_CHANGE_PASSWORD', 'the new password was not set');
    });

    it('refuses sign-in by user state: reset required, unconfirmed, disabled, wrong password', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'reset-me', [{ Name: 'email', Value: uniqueEmail('reset'), }, { Name: 'email_verified', Value: 'true' }]);
      await idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset-me' }));
      await rejects(signIn(clientId, 'reset-me'), 'PasswordResetRequiredException', 'Password reset required for the user');

      await idp.send(new SignUpCommand({ ClientId: clientId, Username: 'pending', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: uniqueEmail('pending') }] }));
      await rejects(signIn(clientId, 'pending'), 'UserNotConfirmedException', 'User is not confirmed.');

      await createUser(poolId, 'disabled');
      await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'disabled' }));
      await rejects(signIn(clientId, 'disabled'), 'NotAuthorizedException', 'User is disabled.');

      await createUser(poolId, 'typo');
      await rejects(signIn(clientId, 'typo', 'not-the-password'), 'NotAuthorizedException', 'Incorrect username or password.');
    });

    it('an unknown user: UserNotFoundException (LEGACY), or exactly a wrong password (PreventUserExistenceErrors ENABLED)', async () => {
      const poolId = await createPool();
      const legacy = await createClient(poolId, { PreventUserExistenceErrors: 'LEGACY' });
      const hiding = await createClient(poolId, { PreventUserExistenceErrors: 'ENABLED' });
      await createUser(poolId, 'exists');
      await rejects(signIn(legacy.clientId, 'nobody'), 'UserNotFoundException', 'User does not exist.');
      const missing = await rejects(signIn(hiding.clientId, 'nobody'), 'NotAuthorizedException');
      const wrong = await rejects(signIn(hiding.clientId, 'exists', 'not-the-password'), 'NotAuthorizedException');
      assert.equal(missing.message, wrong.message);
      assert.equal(missing.message, 'Incorrect username or password.');
      // SRP's first step must not tell either: it answers a challenge for anyone.
      const srp = await idp.send(
        new InitiateAuthCommand({ ClientId: hiding.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'nobody', SRP_A: 'ab'.repeat(96) } }),
      );
      assert.equal(srp.ChallengeName, 'PASSWORD_VERIFIER');
      await rejects(
        idp.send(new InitiateAuthCommand({ ClientId: legacy.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'nobody', SRP_A: 'ab'.repeat(96) } })),
        'UserNotFoundException',
      );
      // A bad SRP_A (A ≡ 0 mod N) is refused before any secret is derived, as a wrong password, user or not.
      for (const username of ['exists', 'nobody']) {
        const badA = await rejects(
          idp.send(new InitiateAuthCommand({ ClientId: hiding.clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: '0' } })),
          'NotAuthorizedException',
        );
        assert.equal(badA.message, 'Incorrect username or password.');
      }
    });

    it('ExplicitAuthFlows decides which flows a client may start', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      await createUser(poolId, 'srp-only');
      await rejects(signIn(clientId, 'srp-only'), 'InvalidParameterException', /USER_PASSWORD_AUTH flow not enabled for this client/);
      await rejects(
        idp.send(
          new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'srp-only', PASSWORD: PASSWORD } }),
        ),
        'InvalidParameterException',
        /flow not enabled for this client/,
      );
      const srp = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'srp-only', SRP_A: 'ab'.repeat(96) } }),
      );
      assert.equal(srp.ChallengeName, 'PASSWORD_VERIFIER');
    });

    it('a client with a secret requires SECRET_HASH and verifies it', async () => {
      const poolId = await createPool();
      const { clientId, secret } = await createClient(poolId, { GenerateSecret: true });
      assert.ok(secret);
      await createUser(poolId, 'secretive');
      const attempt = (hash?: string) =>
        idp.send(
          new InitiateAuthCommand({
            ClientId: clientId,
            AuthFlow: 'USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'secretive', PASSWORD: PASSWORD, ...(hash !== undefined && { SECRET_HASH: hash }) },
          }),
        );
      await rejects(attempt(), 'NotAuthorizedException', /SECRET_HASH was not received/);
      await rejects(attempt(secretHash('wrong-secret', 'secretive', clientId)), 'NotAuthorizedException', `Unable to verify secret hash for client ${clientId}`);
      await rejects(attempt(secretHash(secret, 'someone-else', clientId)), 'NotAuthorizedException', /Unable to verify secret hash/);
      const { AuthenticationResult } = await attempt(secretHash(secret, 'secretive', clientId));
      assert.ok(AuthenticationResult?.RefreshToken);

      const refreshed = await idp.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: AuthenticationResult.RefreshToken, SECRET_HASH: secretHash(secret, 'secretive', clientId) },
        }),
      );
      assert.ok(refreshed.AuthenticationResult?.AccessToken);
      await rejects(
        idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: AuthenticationResult.RefreshToken })),
        'NotAuthorizedException',
      );
      const viaSecret = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, ClientSecret: secret, RefreshToken: AuthenticationResult.RefreshToken }));
      assert.ok(viaSecret.AuthenticationResult?.IdToken);
    });

    it('locks the account after five failed sign-ins, even for the right password, until the lock passes', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'guesser');
      for (let i = 0; i < 5; i++) {
        await rejects(signIn(clientId, 'guesser', `wrong-${i}`), 'NotAuthorizedException', 'Incorrect username or password.');
      }
      await rejects(signIn(clientId, 'guesser'), 'NotAuthorizedException', 'Password attempts exceeded');
      await rejects(signIn(clientId, 'guesser', 'wrong-again'), 'NotAuthorizedException', 'Password attempts exceeded');
      skewMs = 2_000;
      await signIn(clientId, 'guesser');
      // A success clears the count: one more failure does not lock.
      await rejects(signIn(clientId, 'guesser', 'wrong-after'), 'NotAuthorizedException', 'Incorrect username or password.');
      await signIn(clientId, 'guesser');
    });

    it('does not clear the failed-sign-in count for a temporary password, only once the new password completes the sign-in', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'newcomer', TemporaryPassword: 'Temp0rary!Pass', MessageAction: 'SUPPRESS' }));
      for (let i = 0; i < 4; i++) {
        await rejects(signIn(clientId, 'newcomer', `wrong-${i}`), 'NotAuthorizedException', 'Incorrect username or password.');
      }
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'newcomer', PASSWORD: 'Temp0rary!Pass' } }),
      );
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      // The fifth failure still counts against the four before the temporary password: locked.
      await rejects(signIn(clientId, 'newcomer', 'wrong-4'), 'NotAuthorizedException', 'Incorrect username or password.');
      await rejects(signIn(clientId, 'newcomer', 'Temp0rary!Pass'), 'NotAuthorizedException', 'Password attempts exceeded');
    });

    it('a temporary password expires after TemporaryPasswordValidityDays', async () => {
      const poolId = await createPool({ Policies: { PasswordPolicy: { MinimumLength: 8, TemporaryPasswordValidityDays: 1 } } });
      const { clientId } = await createClient(poolId);
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'late', TemporaryPassword: 'Temp0rary!Pass', MessageAction: 'SUPPRESS' }));
      skewMs = 23 * 60 * MINUTE;
      const challenge = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'late', PASSWORD: 'Temp0rary!Pass' } }),
      );
      assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      skewMs = 25 * 60 * MINUTE;
      await rejects(signIn(clientId, 'late', 'Temp0rary!Pass'), 'NotAuthorizedException', /Temporary password has expired/);
    });

    describe('operations that take an access token', () => {
      let poolId: string;
      let clientId: string;
      before(async () => {
        poolId = await createPool({ AutoVerifiedAttributes: ['email'] });
        clientId = (await createClient(poolId)).clientId;
      });

      async function freshUser(username: string): Promise<{ email: string; tokens: Awaited<ReturnType<typeof signIn>> }> {
        const email = uniqueEmail(username);
        await createUser(poolId, username, [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'name', Value: 'Original' },
        ]);
        return { email, tokens: await signIn(clientId, username) };
      }

      /** Every operation that takes an access token, with arguments that would otherwise succeed. */
      function everyOperation(email: string): [string, (token: string) => Promise<unknown>][] {
        const operations: [string, (token: string) => Promise<unknown>][] = [
          ['GetUser', (t) => idp.send(new GetUserCommand({ AccessToken: t }))],
          ['ChangePassword', (t) => idp.send(new ChangePasswordCommand({ AccessToken: t, PreviousPassword: PASSWORD, ProposedPassword: NEW_PASSWORD }))],
          ['UpdateUserAttributes', (t) => idp.send(new UpdateUserAttributesCommand({ AccessToken: t, UserAttributes: [{ Name: 'name', Value: 'Changed' }] }))],
          ['DeleteUserAttributes', (t) => idp.send(new DeleteUserAttributesCommand({ AccessToken: t, UserAttributeNames: ['name'] }))],
          ['GetUserAttributeVerificationCode', (t) => idp.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: t, AttributeName: 'email' }))],
          ['VerifyUserAttribute', (t) => idp.send(new VerifyUserAttributeCommand({ AccessToken: t, AttributeName: 'email', Code: '123456' }))],
          ['GlobalSignOut', (t) => idp.send(new GlobalSignOutCommand({ AccessToken: t }))],
          ['DeleteUser', (t) => idp.send(new DeleteUserCommand({ AccessToken: t }))],
        ];
        return operations.map(([name, op]) => [`${name} (${email})`, op]);
      }

      async function refusedEverywhere(email: string, token: string, message?: RegExp): Promise<void> {
        for (const [name, op] of everyOperation(email)) {
          await assert.rejects(op(token), (error: Error) => {
            assert.equal(error.name, 'NotAuthorizedException', `${name}: got ${error.name}: ${error.message}`);
            if (message) assert.match(error.message, message, name);
            return true;
          });
        }
      }

      it('work with a valid access token', async () => {
        const { email, tokens } = await freshUser('self-service');
        const user = await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
        assert.equal(user.Username, 'self-service');
        assert.equal(attribute(user.UserAttributes, 'email'), email);
        assert.match(attribute(user.UserAttributes, 'sub')!, UUID);

        await idp.send(new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'name', Value: 'Renamed' }] }));
        assert.equal(attribute((await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).UserAttributes, 'name'), 'Renamed');
        await idp.send(new DeleteUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributeNames: ['name'] }));
        assert.equal(attribute((await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).UserAttributes, 'name'), undefined);

        const sent = await idp.send(new GetUserAttributeVerificationCodeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email' }));
        assert.equal(sent.CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
        const code = codeIn((await mailbox(email))[0].body);
        await rejects(
          idp.send(new VerifyUserAttributeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email', Code: code === '000000' ? '111111' : '000000' })),
          'CodeMismatchException',
        );
        await idp.send(new VerifyUserAttributeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email', Code: code }));
        assert.equal(attribute((await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).UserAttributes, 'email_verified'), 'true');

        await rejects(
          idp.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: 'not-it', ProposedPassword: NEW_PASSWORD })),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
        await idp.send(new ChangePasswordCommand({ AccessToken: tokens.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: NEW_PASSWORD }));
        await rejects(signIn(clientId, 'self-service'), 'NotAuthorizedException', 'Incorrect username or password.');
        await signIn(clientId, 'self-service', NEW_PASSWORD);

        const other = await signIn(clientId, 'self-service', NEW_PASSWORD);
        await idp.send(new GlobalSignOutCommand({ AccessToken: other.AccessToken }));
        await rejects(idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken })), 'NotAuthorizedException', /revoked/);

        const last = await signIn(clientId, 'self-service', NEW_PASSWORD);
        await idp.send(new DeleteUserCommand({ AccessToken: last.AccessToken }));
        await rejects(signIn(clientId, 'self-service', NEW_PASSWORD), 'UserNotFoundException');
      });

      it('refuse a token revoked by RevokeToken, GlobalSignOut or AdminUserGlobalSignOut', async () => {
        const { email, tokens } = await freshUser('revoked');
        const unrelated = await signIn(clientId, 'revoked');
        await idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens.RefreshToken }));
        await refusedEverywhere(email, tokens.AccessToken, /revoked/);
        await rejects(
          idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } })),
          'NotAuthorizedException',
        );
        // RevokeToken ends one sign-in only.
        assert.equal((await idp.send(new GetUserCommand({ AccessToken: unrelated.AccessToken }))).Username, 'revoked');
        // Revoking again, or revoking nonsense, is not an error; an access token is not a refresh token.
        await idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens.RefreshToken }));
        await rejects(idp.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens.AccessToken })), 'UnsupportedTokenTypeException');

        await idp.send(new GlobalSignOutCommand({ AccessToken: unrelated.AccessToken }));
        await refusedEverywhere(email, unrelated.AccessToken, /revoked/);
        await rejects(idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: unrelated.RefreshToken })), 'NotAuthorizedException');

        const third = await signIn(clientId, 'revoked');
        await idp.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'revoked' }));
        await refusedEverywhere(email, third.AccessToken, /revoked/);
        await rejects(idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: third.RefreshToken })), 'NotAuthorizedException');
        // Signing in again works.
        const fourth = await signIn(clientId, 'revoked');
        assert.equal((await idp.send(new GetUserCommand({ AccessToken: fourth.AccessToken }))).Username, 'revoked');
      });

      it('refuse an ID token, a deleted user token and an expired token', async () => {
        const { email, tokens } = await freshUser('misused');
        await refusedEverywhere(email, tokens.IdToken);
        await refusedEverywhere(email, 'not.a.token');
        await refusedEverywhere(email, `${tokens.AccessToken.slice(0, -4)}AAAA`);

        skewMs = 61 * MINUTE; // the client's access tokens last an hour
        await refusedEverywhere(email, tokens.AccessToken, /expired/);
        skewMs = 0;
        assert.equal((await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).Username, 'misused');

        await idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'misused' }));
        await refusedEverywhere(email, tokens.AccessToken);
        // A new user of the same name is not the old token's user.
        await freshUser('misused');
        await refusedEverywhere(email, tokens.AccessToken);
      });

      it('refuse a token verified before (and remembered) exactly when they would refuse it fresh', async () => {
        const { email, tokens } = await freshUser('remembered');
        const getUser = (token: string) => idp.send(new GetUserCommand({ AccessToken: token }));
        assert.equal((await getUser(tokens.AccessToken)).Username, 'remembered');
        assert.equal((await getUser(tokens.AccessToken)).Username, 'remembered');
        skewMs = 61 * MINUTE;
        await refusedEverywhere(email, tokens.AccessToken, /expired/);
        skewMs = 0;
        assert.equal((await getUser(tokens.AccessToken)).Username, 'remembered');
        // An ID token whose signature held is still no access token, the second time as the first.
        await refusedEverywhere(email, tokens.IdToken);
        await refusedEverywhere(email, tokens.IdToken);
        // Another text is verified afresh: a changed claim no longer matches the signature.
        const [header, payload, signature] = tokens.AccessToken.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
        const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, username: 'someone-else' })).toString('base64url')}.${signature}`;
        await refusedEverywhere(email, forged);
        assert.equal((await getUser(tokens.AccessToken)).Username, 'remembered');
      });

      it('refuse a token remembered from a pool that has since been deleted, with its keys', async () => {
        const gonePoolId = await createPool();
        const { clientId: goneClient } = await createClient(gonePoolId);
        await createUser(gonePoolId, 'ephemeral');
        const tokens = await signIn(goneClient, 'ephemeral');
        // Twice: a token is remembered on its second verification.
        for (let i = 0; i < 2; i++) assert.equal((await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }))).Username, 'ephemeral');
        await idp.send(new DeleteUserPoolCommand({ UserPoolId: gonePoolId }));
        await rejects(idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken })), 'NotAuthorizedException', /Invalid Access Token/);
      });

      it('refuse a disabled user token, and still do once the user is enabled again (AdminDisableUser revokes them)', async () => {
        const { email, tokens } = await freshUser('disabled-later');
        await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'disabled-later' }));
        await refusedEverywhere(email, tokens.AccessToken);
        const refresh = () => idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken }));
        await rejects(refresh(), 'NotAuthorizedException', 'Refresh Token has been revoked');
        await idp.send(new AdminEnableUserCommand({ UserPoolId: poolId, Username: 'disabled-later' }));
        await rejects(idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken })), 'NotAuthorizedException', 'Access Token has been revoked');
        await rejects(refresh(), 'NotAuthorizedException', 'Refresh Token has been revoked');
        assert.ok((await signIn(clientId, 'disabled-later')).AccessToken, 'a new sign-in works');
      });
    });

    it('UpdateUserAttributes keeps the old email until the new one is verified (UserAttributeUpdateSettings)', async () => {
      const poolId = await createPool({
        AutoVerifiedAttributes: ['email'],
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      });
      const { clientId } = await createClient(poolId);
      const oldEmail = uniqueEmail('old');
      const newEmail = uniqueEmail('new');
      await createUser(poolId, 'mover', [
        { Name: 'email', Value: oldEmail },
        { Name: 'email_verified', Value: 'true' },
      ]);
      const tokens = await signIn(clientId, 'mover');
      const { CodeDeliveryDetailsList } = await idp.send(
        new UpdateUserAttributesCommand({ AccessToken: tokens.AccessToken, UserAttributes: [{ Name: 'email', Value: newEmail }] }),
      );
      assert.equal(CodeDeliveryDetailsList?.length, 1);
      assert.equal(CodeDeliveryDetailsList![0].AttributeName, 'email');
      const pending = await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
      assert.equal(attribute(pending.UserAttributes, 'email'), oldEmail, 'the old email stays until the new one is verified');
      assert.equal(attribute(pending.UserAttributes, 'email_verified'), 'true');
      assert.equal((await mailbox(oldEmail)).length, 0);
      const messages = await mailbox(newEmail);
      assert.equal(messages.length, 1, 'the code goes to the new address');

      await idp.send(new VerifyUserAttributeCommand({ AccessToken: tokens.AccessToken, AttributeName: 'email', Code: codeIn(messages[0].body) }));
      const moved = await idp.send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
      assert.equal(attribute(moved.UserAttributes, 'email'), newEmail);
      assert.equal(attribute(moved.UserAttributes, 'email_verified'), 'true');
      const after = await signIn(clientId, 'mover');
      assert.equal(decodeJwt(after.IdToken).email, newEmail);
    });

    it('key rotation: old tokens still verify and work, new tokens use the new key', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'rotated');
      const before = await signIn(clientId, 'rotated');
      const oldKid = decodeProtectedHeader(before.IdToken).kid;
      assert.deepEqual((await jwks(poolId)).keys.map((k) => k.kid), [oldKid]);

      const newKid = await server.gatehouse.services.keys.rotate(poolId);
      assert.notEqual(newKid, oldKid);
      const keys = (await jwks(poolId)).keys.map((k) => k.kid).sort();
      assert.deepEqual(keys, [oldKid, newKid].sort());
      await verify(before.IdToken, poolId);
      await verify(before.AccessToken, poolId);
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: before.AccessToken }))).Username, 'rotated');

      // The new key is published at once, but signs only once verifiers' cached JWKS (5 minutes) have it.
      const stillOld = await signIn(clientId, 'rotated');
      assert.equal(decodeProtectedHeader(stillOld.IdToken).kid, oldKid);
      skewMs = 6 * 60_000;
      const after = await signIn(clientId, 'rotated');
      assert.equal(decodeProtectedHeader(after.IdToken).kid, newKid);
      assert.equal(decodeProtectedHeader(after.AccessToken).kid, newKid);
      await verify(after.IdToken, poolId);
      const refreshed = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: before.RefreshToken }));
      assert.equal(decodeProtectedHeader(refreshed.AuthenticationResult!.AccessToken!).kid, newKid);
    });

    // Last: it replaces the server the other tests use.
    it('a restarted server keeps refresh tokens and signing keys', async () => {
      const poolId = await createPool();
      const { clientId } = await createClient(poolId);
      await createUser(poolId, 'survivor');
      const tokens = await signIn(clientId, 'survivor');
      const previous = server;
      await previous.stop();
      server = await startServer(store.name, FAST_HASHING, overrides, previous.store);
      idp = server.idp();
      assert.notEqual(server.url, previous.url);

      const id = await verify(tokens.IdToken, poolId, server);
      assert.equal(id['cognito:username'], 'survivor');
      await verify(tokens.AccessToken, poolId, server);
      const { AuthenticationResult } = await idp.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: tokens.RefreshToken }));
      assert.equal(decodeProtectedHeader(AuthenticationResult!.IdToken!).kid, decodeProtectedHeader(tokens.IdToken).kid, 'the same key signs');
      assert.equal(decodeJwt(AuthenticationResult!.IdToken!).iss, `${server.url}/${poolId}`);
      assert.equal((await idp.send(new GetUserCommand({ AccessToken: AuthenticationResult!.AccessToken }))).Username, 'survivor');
      const refreshed = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } }));
      assert.ok(refreshed.AuthenticationResult?.AccessToken);
      await signIn(clientId, 'survivor');
    });
  });
}
