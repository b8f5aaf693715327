import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DescribeIdentityCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  LookupDeveloperIdentityCommand,
  SetIdentityPoolRolesCommand,
  type CreateIdentityPoolInput,
} from '@aws-sdk/client-cognito-identity';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';
import { cognitoTrust } from './helpers/trust-policies.js';

const DEVELOPER = 'login.gatehouse.guards';

for (const store of STORES) {
  describe(`identity pools guard identities, developer users and roles (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let identity: CognitoIdentityClient;
    let iam: IAMClient;
    let counter = 0;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      identity = new CognitoIdentityClient({ endpoint: server.url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
      iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
    });
    after(() => server?.close());

    async function userPool(): Promise<{ userPoolId: string; clientId: string; providerName: string }> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'guards' }));
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return { userPoolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId!, providerName: `cognito-idp.us-east-1.amazonaws.com/${UserPool!.Id!}` };
    }

    async function user(up: { userPoolId: string; clientId: string }): Promise<string> {
      const username = `guarded${++counter}`;
      await idp.send(new AdminCreateUserCommand({ UserPoolId: up.userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: up.userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: up.clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      return AuthenticationResult!.IdToken!;
    }

    async function identityPool(settings: Partial<CreateIdentityPoolInput>): Promise<string> {
      const pool = await identity.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'guards', AllowUnauthenticatedIdentities: false, ...settings }));
      return pool.IdentityPoolId!;
    }

    async function withAuthenticatedRole(poolId: string): Promise<void> {
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: `guarded-${++counter}`, AssumeRolePolicyDocument: cognitoTrust(poolId) }));
      await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: Role!.Arn! } }));
    }

    async function getId(poolId: string, logins: Record<string, string>): Promise<string> {
      return (await identity.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }))).IdentityId!;
    }

    describe('an identity id presented with the logins of another user', () => {
      it('GetCredentialsForIdentity refuses them (Logins don\'t match) instead of handing out credentials for the other identity', async () => {
        const up = await userPool();
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: up.providerName }] });
        await withAuthenticatedRole(poolId);
        const aliceToken = await user(up);
        const bobToken = await user(up);
        const alice = await getId(poolId, { [up.providerName]: aliceToken });
        const bob = await getId(poolId, { [up.providerName]: bobToken });
        assert.notEqual(alice, bob);

        // Alice knows Bob's identity id (ids are not secrets: they show up in S3 keys, logs, shared links).
        await rejects(
          identity.send(new GetCredentialsForIdentityCommand({ IdentityId: bob, Logins: { [up.providerName]: aliceToken } })),
          'NotAuthorizedException',
        );
        // Nothing changed: both identities are still there, each with its own login.
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: alice }))).Logins, [up.providerName]);
        assert.equal(await getId(poolId, { [up.providerName]: bobToken }), bob);
        assert.equal(await getId(poolId, { [up.providerName]: aliceToken }), alice);
      });

      it('GetOpenIdToken does not link a login of another provider to someone else\'s authenticated identity', async () => {
        const first = await userPool();
        const second = await userPool();
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: first.providerName }, { ProviderName: second.providerName }] });
        const bob = await getId(poolId, { [first.providerName]: await user(first) });
        // Mallory signs up at the second user pool and presents her token with Bob's identity id.
        const malloryToken = await user(second);
        await rejects(
          identity.send(new GetOpenIdTokenCommand({ IdentityId: bob, Logins: { [second.providerName]: malloryToken } })),
          'NotAuthorizedException',
        );
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: bob }))).Logins, [first.providerName]);
        assert.notEqual(await getId(poolId, { [second.providerName]: malloryToken }), bob);
      });
    });

    describe('LookupDeveloperIdentity', () => {
      it('given both IdentityId and a DeveloperUserIdentifier that does not belong to it: ResourceConflictException', async () => {
        const poolId = await identityPool({ DeveloperProviderName: DEVELOPER });
        const alice = await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER]: 'alice' } }));
        await identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { [DEVELOPER]: 'bob' } }));
        await rejects(
          identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: alice.IdentityId, DeveloperUserIdentifier: 'bob' })),
          'ResourceConflictException',
        );
      });
    });

    describe('role mappings of OpenID Connect providers', () => {
      it('SetIdentityPoolRoles takes a role mapping keyed by a listed OIDC provider\'s name', async () => {
        const host = `oidc-guarded-${++counter}.example.com`;
        const { OpenIDConnectProviderArn } = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://${host}`, ClientIDList: ['app'] }));
        const poolId = await identityPool({ OpenIdConnectProviderARNs: [OpenIDConnectProviderArn!] });
        const { Role } = await iam.send(new CreateRoleCommand({ RoleName: `guarded-${++counter}`, AssumeRolePolicyDocument: cognitoTrust(poolId) }));
        await identity.send(
          new SetIdentityPoolRolesCommand({
            IdentityPoolId: poolId,
            Roles: { authenticated: Role!.Arn! },
            RoleMappings: {
              [host]: { Type: 'Rules', AmbiguousRoleResolution: 'AuthenticatedRole', RulesConfiguration: { Rules: [{ Claim: 'sub', MatchType: 'Equals', Value: 'x', RoleARN: Role!.Arn! }] } },
            },
          }),
        );
      });
    });

    describe('IAM trust policies of identity-pool roles', () => {
      it('a role may not trust cognito-identity.amazonaws.com without restricting the pool (cognito-identity.amazonaws.com:aud)', async () => {
        // Any identity of any pool (e.g. a guest of a classic-flow pool) could assume such a role; IAM refuses to create it.
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
        await rejects(iam.send(new CreateRoleCommand({ RoleName: `guarded-open-${++counter}`, AssumeRolePolicyDocument: doc })), 'MalformedPolicyDocumentException');
      });
    });
  });
}
