import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DeleteIdentitiesCommand,
  DeleteIdentityPoolCommand,
  DescribeIdentityCommand,
  DescribeIdentityPoolCommand,
  GetIdCommand,
  GetIdentityPoolRolesCommand,
  GetOpenIdTokenCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
  GetPrincipalTagAttributeMapCommand,
  ListIdentitiesCommand,
  ListIdentityPoolsCommand,
  ListTagsForResourceCommand,
  LookupDeveloperIdentityCommand,
  MergeDeveloperIdentitiesCommand,
  SetIdentityPoolRolesCommand,
  SetPrincipalTagAttributeMapCommand,
  TagResourceCommand,
  UnlinkDeveloperIdentityCommand,
  UnlinkIdentityCommand,
  UntagResourceCommand,
  UpdateIdentityPoolCommand,
  type CreateIdentityPoolInput,
  type RoleMapping,
} from '@aws-sdk/client-cognito-identity';
import { SignJWT, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, generateKeyPair, jwtVerify, type JWTPayload } from 'jose';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const ID_IN = (region: string) => new RegExp(`^${region}:${UUID}$`);
const ARN = (poolId: string) => `arn:aws:cognito-identity:us-east-1:000000000000:identitypool/${poolId}`;
const HOUR = 3_600_000;
const DEVELOPER = 'login.gatehouse.test';
const DEVELOPER_KEY = 'cognito-identity.amazonaws.com';

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

for (const store of STORES) {
  describe(`identity pools through the AWS SDK (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let identity: CognitoIdentityClient;
    /** The server's clock runs this far ahead of the real one; reset after each test. */
    let skewMs = 0;
    /** A user pool with one app client, shared by most tests. */
    let userPoolId: string;
    let clientId: string;
    let otherClientId: string;
    /** The same user pool under Cognito's spelling and under Gatehouse's issuer without the scheme. */
    let cognitoName: string;
    let hostName: string;
    let counter = 0;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING, { now: () => new Date(Date.now() + skewMs) });
      idp = server.idp();
      identity = client('us-east-1');
      ({ userPoolId, clientId } = await userPool());
      otherClientId = await appClient(userPoolId);
      cognitoName = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
      hostName = `${new URL(server.url).host}/${userPoolId}`;
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(() => server?.close());

    function client(region: string): CognitoIdentityClient {
      return new CognitoIdentityClient({ endpoint: server.url, region, credentials: ANY_CREDENTIALS, maxAttempts: 1 });
    }

    async function appClient(poolId: string): Promise<string> {
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return UserPoolClient!.ClientId!;
    }

    async function userPool(): Promise<{ userPoolId: string; clientId: string }> {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'identities' }));
      return { userPoolId: UserPool!.Id!, clientId: await appClient(UserPool!.Id!) };
    }

    /** A new confirmed user, signed in: its tokens. */
    async function user(poolId = userPoolId, appClientId = clientId): Promise<{ idToken: string; accessToken: string; sub: string; username: string }> {
      const username = `user${++counter}`;
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      return { ...(await signIn(username, appClientId)), username };
    }

    async function signIn(username: string, appClientId = clientId): Promise<{ idToken: string; accessToken: string; sub: string }> {
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: appClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      const idToken = AuthenticationResult!.IdToken!;
      return { idToken, accessToken: AuthenticationResult!.AccessToken!, sub: String(decodeJwt(idToken).sub) };
    }

    async function identityPool(settings: Partial<CreateIdentityPoolInput> = {}, on = identity): Promise<string> {
      const pool = await on.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: 'pool',
          AllowUnauthenticatedIdentities: false,
          CognitoIdentityProviders: [{ ProviderName: cognitoName }],
          ...settings,
        }),
      );
      return pool.IdentityPoolId!;
    }

    async function getId(poolId: string, logins?: Record<string, string>): Promise<string> {
      return (await identity.send(new GetIdCommand({ IdentityPoolId: poolId, ...(logins && { Logins: logins }) }))).IdentityId!;
    }

    async function verifyOpenId(token: string): Promise<JWTPayload & { amr?: string[] }> {
      const keys = createRemoteJWKSet(new URL(`${server.url}/cognito-identity/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, keys, { algorithms: ['RS256'], issuer: `${server.url}/cognito-identity` });
      return payload as JWTPayload & { amr?: string[] };
    }

    describe('pools', () => {
      it('CreateIdentityPool names the pool <region>:<uuid> in the region of the signature scope', async () => {
        const poolId = await identityPool({ SupportedLoginProviders: { 'graph.facebook.com': '1234' }, DeveloperProviderName: DEVELOPER });
        assert.match(poolId, ID_IN('us-east-1'));
        const inEu = await identityPool({}, client('eu-west-1'));
        assert.match(inEu, ID_IN('eu-west-1'));

        const described = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
        assert.equal(described.IdentityPoolId, poolId);
        assert.equal(described.IdentityPoolName, 'pool');
        assert.equal(described.AllowUnauthenticatedIdentities, false);
        assert.deepEqual(described.CognitoIdentityProviders, [{ ProviderName: cognitoName }]);
        assert.deepEqual(described.SupportedLoginProviders, { 'graph.facebook.com': '1234' });
        assert.equal(described.DeveloperProviderName, DEVELOPER);

        await rejects(identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000' })), 'ResourceNotFoundException');
      });

      it('UpdateIdentityPool replaces the whole description and keeps the roles', async () => {
        const poolId = await identityPool({ SupportedLoginProviders: { 'graph.facebook.com': '1234' }, AllowClassicFlow: true });
        const roles = { authenticated: 'arn:aws:iam::000000000000:role/auth', unauthenticated: 'arn:aws:iam::000000000000:role/unauth' };
        await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: roles }));

        const updated = await identity.send(
          new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'renamed', AllowUnauthenticatedIdentities: true }),
        );
        assert.equal(updated.IdentityPoolName, 'renamed');
        assert.equal(updated.AllowUnauthenticatedIdentities, true);
        const described = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
        assert.equal(described.IdentityPoolName, 'renamed');
        assert.equal(described.SupportedLoginProviders, undefined, 'left out: unset');
        assert.equal(described.CognitoIdentityProviders, undefined, 'left out: unset');
        assert.equal(described.AllowClassicFlow, false);
        const kept = await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }));
        assert.deepEqual(kept.Roles, roles);

        await rejects(
          identity.send(new UpdateIdentityPoolCommand({ IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000', IdentityPoolName: 'x', AllowUnauthenticatedIdentities: true })),
          'ResourceNotFoundException',
        );
      });

      it('DeleteIdentityPool deletes the pool with its identities', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const guest = await getId(poolId);
        const { idToken } = await user();
        const member = await getId(poolId, { [cognitoName]: idToken });
        await identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: poolId }));
        await rejects(identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId })), 'ResourceNotFoundException');
        for (const id of [guest, member]) await rejects(identity.send(new DescribeIdentityCommand({ IdentityId: id })), 'ResourceNotFoundException');
        await rejects(identity.send(new DeleteIdentityPoolCommand({ IdentityPoolId: poolId })), 'ResourceNotFoundException');
        await rejects(getId(poolId, { [cognitoName]: idToken }), 'ResourceNotFoundException');
      });

      it('ListIdentityPools pages, and lists the pools of the caller\'s region only', async () => {
        const south = client('ap-south-1');
        const created = [];
        for (let i = 0; i < 5; i++) created.push(await identityPool({ IdentityPoolName: `south-${i}` }, south));
        const north = await identityPool({}, client('eu-north-1'));

        const seen: string[] = [];
        let NextToken: string | undefined;
        let pages = 0;
        do {
          const page = await south.send(new ListIdentityPoolsCommand({ MaxResults: 2, NextToken }));
          assert.ok(page.IdentityPools!.length <= 2);
          seen.push(...page.IdentityPools!.map((p) => p.IdentityPoolId!));
          for (const p of page.IdentityPools!) assert.match(p.IdentityPoolName!, /^south-\d$/);
          NextToken = page.NextToken;
          pages++;
        } while (NextToken);
        assert.equal(pages, 3);
        assert.deepEqual(seen.sort(), created.sort());
        const northern = await client('eu-north-1').send(new ListIdentityPoolsCommand({ MaxResults: 60 }));
        assert.deepEqual(northern.IdentityPools, [{ IdentityPoolId: north, IdentityPoolName: 'pool' }]);
        await rejects(south.send(new ListIdentityPoolsCommand({ MaxResults: 2, NextToken: 'bogus' })), 'InvalidParameterException', /^Paging marker bogus is invalid for request [\w-]+$/);
      });

      it('a CognitoIdentityProviders entry naming a user pool that does not exist is refused', async () => {
        const missing = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Nonexistent1';
        await rejects(identityPool({ CognitoIdentityProviders: [{ ProviderName: missing }] }), 'InvalidParameterException');
        await rejects(identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName, ClientId: 'nosuchclient' }] }), 'InvalidParameterException');
        const poolId = await identityPool();
        await rejects(
          identity.send(
            new UpdateIdentityPoolCommand({
              IdentityPoolId: poolId,
              IdentityPoolName: 'pool',
              AllowUnauthenticatedIdentities: false,
              CognitoIdentityProviders: [{ ProviderName: missing }],
            }),
          ),
          'InvalidParameterException',
        );
        const described = await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }));
        assert.deepEqual(described.CognitoIdentityProviders, [{ ProviderName: cognitoName }], 'unchanged');
      });

      it('TagResource, UntagResource and ListTagsForResource on the pool ARN', async () => {
        const poolId = await identityPool({ IdentityPoolTags: { team: 'a' } });
        const arn = ARN(poolId);
        assert.deepEqual((await identity.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { team: 'a' });
        await identity.send(new TagResourceCommand({ ResourceArn: arn, Tags: { env: 'dev', team: 'b' } }));
        assert.deepEqual((await identity.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { team: 'b', env: 'dev' });
        await identity.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team', 'absent'] }));
        assert.deepEqual((await identity.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { env: 'dev' });
        assert.deepEqual((await identity.send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }))).IdentityPoolTags, { env: 'dev' });
        await rejects(identity.send(new ListTagsForResourceCommand({ ResourceArn: ARN('us-east-1:00000000-0000-4000-8000-000000000000') })), 'ResourceNotFoundException');
        await rejects(identity.send(new TagResourceCommand({ ResourceArn: 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/x', Tags: { a: 'b' } })), 'InvalidParameterException');
      });

      it('SetIdentityPoolRoles and GetIdentityPoolRoles, with Token and Rules role mappings', async () => {
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName, ClientId: clientId }] });
        const empty = await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }));
        assert.deepEqual(empty.Roles, {});
        assert.equal(empty.RoleMappings, undefined);

        const Roles = { authenticated: 'arn:aws:iam::000000000000:role/auth', unauthenticated: 'arn:aws:iam::000000000000:role/unauth' };
        const RoleMappings: Record<string, RoleMapping> = {
          [`${cognitoName}:${clientId}`]: {
            Type: 'Rules',
            AmbiguousRoleResolution: 'Deny',
            RulesConfiguration: { Rules: [{ Claim: 'custom:tier', MatchType: 'Equals', Value: 'gold', RoleARN: 'arn:aws:iam::000000000000:role/gold' }] },
          },
        };
        await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles, RoleMappings }));
        const got = await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }));
        assert.equal(got.IdentityPoolId, poolId);
        assert.deepEqual(got.Roles, Roles);
        assert.deepEqual(got.RoleMappings, RoleMappings);

        const token: Record<string, RoleMapping> = { [`${cognitoName}:${clientId}`]: { Type: 'Token', AmbiguousRoleResolution: 'AuthenticatedRole' } };
        await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles, RoleMappings: token }));
        assert.deepEqual((await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }))).RoleMappings, token);

        const other = await userPool();
        const unlisted = `cognito-idp.us-east-1.amazonaws.com/${other.userPoolId}:${other.clientId}`;
        await rejects(
          identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles, RoleMappings: { [unlisted]: { Type: 'Token', AmbiguousRoleResolution: 'Deny' } } })),
          'InvalidParameterException',
        );
        await rejects(
          identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles, RoleMappings: { 'graph.facebook.com': { Type: 'Token', AmbiguousRoleResolution: 'Deny' } } })),
          'InvalidParameterException',
        );
        await rejects(identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { admin: Roles.authenticated } })), 'InvalidParameterException');
        assert.deepEqual((await identity.send(new GetIdentityPoolRolesCommand({ IdentityPoolId: poolId }))).RoleMappings, token, 'unchanged');
      });

      it('SetPrincipalTagAttributeMap and GetPrincipalTagAttributeMap', async () => {
        const poolId = await identityPool();
        const unset = await identity.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId: poolId, IdentityProviderName: cognitoName }));
        assert.equal(unset.UseDefaults, false);
        assert.deepEqual(unset.PrincipalTags ?? {}, {});

        const set = await identity.send(
          new SetPrincipalTagAttributeMapCommand({ IdentityPoolId: poolId, IdentityProviderName: cognitoName, UseDefaults: false, PrincipalTags: { department: 'custom:dept', id: 'sub' } }),
        );
        assert.deepEqual(set.PrincipalTags, { department: 'custom:dept', id: 'sub' });
        const got = await identity.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId: poolId, IdentityProviderName: cognitoName }));
        assert.equal(got.IdentityPoolId, poolId);
        assert.equal(got.IdentityProviderName, cognitoName);
        assert.equal(got.UseDefaults, false);
        assert.deepEqual(got.PrincipalTags, { department: 'custom:dept', id: 'sub' });

        await identity.send(new SetPrincipalTagAttributeMapCommand({ IdentityPoolId: poolId, IdentityProviderName: cognitoName, UseDefaults: true }));
        const defaults = await identity.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId: poolId, IdentityProviderName: cognitoName }));
        assert.equal(defaults.UseDefaults, true);
        await rejects(
          identity.send(new GetPrincipalTagAttributeMapCommand({ IdentityPoolId: 'us-east-1:00000000-0000-4000-8000-000000000000', IdentityProviderName: cognitoName })),
          'ResourceNotFoundException',
        );
      });
    });

    describe('GetId', () => {
      it('a user pool ID token under either provider spelling gives one stable identity; another user another', async () => {
        for (const listed of [cognitoName, hostName]) {
          const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: listed }] });
          const alice = await user();
          const first = await getId(poolId, { [cognitoName]: alice.idToken });
          assert.match(first, ID_IN('us-east-1'));
          assert.equal(await getId(poolId, { [hostName]: alice.idToken }), first);
          assert.equal(await getId(poolId, { [cognitoName]: (await signIn(alice.username)).idToken }), first, 'a new sign-in: same identity');
          const bob = await user();
          const second = await getId(poolId, { [hostName]: bob.idToken });
          assert.notEqual(second, first);
          const described = await identity.send(new DescribeIdentityCommand({ IdentityId: first }));
          assert.deepEqual(described.Logins, [listed], 'the login is kept under the name the pool lists');
        }
      });

      it('identity ids are in the region of their pool, whatever the unsigned caller says', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true }, client('eu-west-1'));
        assert.match(await getId(poolId), ID_IN('eu-west-1'));
      });

      it('without logins: an unauthenticated identity when the pool allows them, else NotAuthorizedException', async () => {
        const open = await identityPool({ AllowUnauthenticatedIdentities: true });
        const a = await getId(open);
        const b = await getId(open);
        assert.match(a, ID_IN('us-east-1'));
        assert.notEqual(a, b, 'each guest is a new identity');
        const closed = await identityPool();
        await rejects(getId(closed), 'NotAuthorizedException');
        await rejects(getId('us-east-1:00000000-0000-4000-8000-000000000000'), 'ResourceNotFoundException');
      });

      it('refuses tokens from a user pool the identity pool does not list, for another client, or access tokens', async () => {
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName, ClientId: clientId }] });
        const other = await userPool();
        const stranger = await user(other.userPoolId, other.clientId);
        const otherName = `cognito-idp.us-east-1.amazonaws.com/${other.userPoolId}`;
        await rejects(getId(poolId, { [otherName]: stranger.idToken }), 'NotAuthorizedException');
        await rejects(getId(poolId, { [cognitoName]: stranger.idToken }), 'NotAuthorizedException', /issuer|provider/i);
        await rejects(getId(poolId, { 'graph.facebook.com': stranger.idToken }), 'NotAuthorizedException');

        const viaOtherClient = await user(userPoolId, otherClientId);
        await rejects(getId(poolId, { [cognitoName]: viaOtherClient.idToken }), 'NotAuthorizedException', /audience/);
        const anyClient = await identityPool();
        assert.match(await getId(anyClient, { [cognitoName]: viaOtherClient.idToken }), ID_IN('us-east-1'), 'no ClientId: any client of the pool');

        const alice = await user();
        await rejects(getId(poolId, { [cognitoName]: alice.accessToken }), 'NotAuthorizedException');
        assert.match(await getId(poolId, { [cognitoName]: alice.idToken }), ID_IN('us-east-1'));
      });

      it('one user pool listed twice, with two app clients: tokens of both clients are accepted', async () => {
        const poolId = await identityPool({
          CognitoIdentityProviders: [
            { ProviderName: cognitoName, ClientId: clientId },
            { ProviderName: cognitoName, ClientId: otherClientId },
          ],
        });
        const alice = await user(userPoolId, clientId);
        const viaOther = await signIn(alice.username, otherClientId);
        const id = await getId(poolId, { [cognitoName]: alice.idToken });
        assert.equal(await getId(poolId, { [cognitoName]: viaOther.idToken }), id);
      });

      it('refuses an expired ID token', async () => {
        const poolId = await identityPool();
        const alice = await user();
        skewMs = 2 * HOUR;
        await rejects(getId(poolId, { [cognitoName]: alice.idToken }), 'NotAuthorizedException');
        skewMs = 0;
        assert.match(await getId(poolId, { [cognitoName]: alice.idToken }), ID_IN('us-east-1'));
      });

      it('refuses forged tokens: re-signed with another key, alg none, edited payload', async () => {
        const poolId = await identityPool();
        const alice = await user();
        const header = decodeProtectedHeader(alice.idToken);
        const claims = decodeJwt(alice.idToken);
        const { privateKey } = await generateKeyPair('RS256');
        const resigned = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: header.kid! }).sign(privateKey);
        const none = `${b64({ alg: 'none', kid: header.kid })}.${b64(claims)}.`;
        const [h, , s] = alice.idToken.split('.');
        const edited = `${h}.${b64({ ...claims, sub: '00000000-0000-4000-8000-000000000000' })}.${s}`;
        const hs256 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: header.kid! }).sign(new TextEncoder().encode('x'.repeat(32)));
        for (const forged of [resigned, none, edited, hs256, 'not-a-jwt']) {
          await rejects(getId(poolId, { [cognitoName]: forged }), 'NotAuthorizedException');
        }
        const listed = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
        assert.deepEqual(listed.Identities, [], 'no identity was created for a forged token');
      });

      it('ServerSideTokenCheck refuses a token revoked by GlobalSignOut; without it the token still works', async () => {
        const checked = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName, ServerSideTokenCheck: true }] });
        const unchecked = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName, ServerSideTokenCheck: false }] });
        const alice = await user();
        const id = await getId(checked, { [cognitoName]: alice.idToken });
        await idp.send(new GlobalSignOutCommand({ AccessToken: alice.accessToken }));
        await rejects(getId(checked, { [cognitoName]: alice.idToken }), 'NotAuthorizedException', /revoked/);
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: id, Logins: { [cognitoName]: alice.idToken } })), 'NotAuthorizedException');
        assert.match(await getId(unchecked, { [cognitoName]: alice.idToken }), ID_IN('us-east-1'));
        const again = await signIn(alice.username);
        assert.equal(await getId(checked, { [cognitoName]: again.idToken }), id, 'a new sign-in is fine');
      });

      it('20 concurrent GetId calls with the same login give one identity', async () => {
        // A few rounds: a lost race shows only when the calls really interleave.
        for (let round = 0; round < 3; round++) {
          const poolId = await identityPool();
          const alice = await user();
          const ids = await Promise.all(Array.from({ length: 20 }, () => getId(poolId, { [cognitoName]: alice.idToken })));
          assert.equal(new Set(ids).size, 1, `round ${round}: ids ${[...new Set(ids)].join(', ')}`);
          const listed = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
          assert.deepEqual(
            listed.Identities!.map((i) => i.IdentityId),
            [ids[0]],
            'no stray identities left behind',
          );
          assert.equal(await getId(poolId, { [cognitoName]: alice.idToken }), ids[0]);
        }
      });
    });

    describe('GetOpenIdToken', () => {
      it('signs a token with the identity, pool and logins, verifiable with the published keys', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const alice = await user();
        const id = await getId(poolId, { [cognitoName]: alice.idToken });
        const { IdentityId, Token } = await identity.send(new GetOpenIdTokenCommand({ IdentityId: id, Logins: { [hostName]: alice.idToken } }));
        assert.equal(IdentityId, id);
        const claims = await verifyOpenId(Token!);
        assert.equal(claims.iss, `${server.url}/cognito-identity`);
        assert.equal(claims.sub, id);
        assert.equal(claims.aud, poolId);
        assert.deepEqual(claims.amr, ['authenticated', cognitoName, `${cognitoName}:CognitoSignIn:${alice.sub}`]);
        assert.equal(claims.exp! - claims.iat!, 600);
        assert.ok(Math.abs(claims.iat! - Date.now() / 1000) < 60);
        assert.equal(decodeProtectedHeader(Token!).alg, 'RS256');

        const guest = await getId(poolId);
        const unauthenticated = await identity.send(new GetOpenIdTokenCommand({ IdentityId: guest }));
        const guestClaims = await verifyOpenId(unauthenticated.Token!);
        assert.equal(guestClaims.sub, guest);
        assert.deepEqual(guestClaims.amr, ['unauthenticated']);

        const discovery = (await (await fetch(`${server.url}/cognito-identity/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
        assert.equal(discovery.issuer, `${server.url}/cognito-identity`);
        assert.equal(discovery.jwks_uri, `${server.url}/cognito-identity/.well-known/jwks.json`);
      });

      it('an authenticated identity needs its logins; a missing identity is ResourceNotFoundException', async () => {
        const poolId = await identityPool();
        const alice = await user();
        const id = await getId(poolId, { [cognitoName]: alice.idToken });
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: id })), 'NotAuthorizedException');
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: 'us-east-1:00000000-0000-4000-8000-000000000000' })), 'ResourceNotFoundException');
        await rejects(
          identity.send(new GetOpenIdTokenCommand({ IdentityId: id, Logins: { [cognitoName]: alice.accessToken } })),
          'NotAuthorizedException',
        );
      });

      it('a guest identity of a pool that no longer allows guests gets no token', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const guest = await getId(poolId);
        await identity.send(new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'pool', AllowUnauthenticatedIdentities: false }));
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: guest })), 'NotAuthorizedException');
      });
    });

    describe('linking and merging', () => {
      it('an unauthenticated identity that presents a login gets the login linked', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const guest = await getId(poolId);
        const alice = await user();
        const { IdentityId, Token } = await identity.send(new GetOpenIdTokenCommand({ IdentityId: guest, Logins: { [cognitoName]: alice.idToken } }));
        assert.equal(IdentityId, guest);
        assert.deepEqual((await verifyOpenId(Token!)).amr?.[0], 'authenticated');
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: guest }))).Logins, [cognitoName]);
        assert.equal(await getId(poolId, { [cognitoName]: alice.idToken }), guest, 'the login now finds the same identity');
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: guest })), 'NotAuthorizedException', /Logins/);
      });

      it('a guest that signs in as a user who already has an identity moves to that identity', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const alice = await user();
        const known = await getId(poolId, { [cognitoName]: alice.idToken });
        const guest = await getId(poolId);
        const { IdentityId } = await identity.send(new GetOpenIdTokenCommand({ IdentityId: guest, Logins: { [cognitoName]: alice.idToken } }));
        assert.equal(IdentityId, known);
        await rejects(identity.send(new DescribeIdentityCommand({ IdentityId: guest })), 'ResourceNotFoundException');
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: known }))).Logins, [cognitoName]);
      });

      it('two identities, each linked to one login, become one when both logins are presented', async () => {
        const second = await userPool();
        const secondName = `cognito-idp.us-east-1.amazonaws.com/${second.userPoolId}`;
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName }, { ProviderName: secondName }] });
        const alice = await user();
        const aliceElsewhere = await user(second.userPoolId, second.clientId);
        const one = await getId(poolId, { [cognitoName]: alice.idToken });
        const two = await getId(poolId, { [secondName]: aliceElsewhere.idToken });
        assert.notEqual(one, two);
        const merged = await getId(poolId, { [cognitoName]: alice.idToken, [secondName]: aliceElsewhere.idToken });
        assert.ok([one, two].includes(merged));
        const gone = merged === one ? two : one;
        await rejects(identity.send(new DescribeIdentityCommand({ IdentityId: gone })), 'ResourceNotFoundException');
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: merged }))).Logins!.sort(), [cognitoName, secondName].sort());
        assert.equal(await getId(poolId, { [cognitoName]: alice.idToken }), merged);
        assert.equal(await getId(poolId, { [secondName]: aliceElsewhere.idToken }), merged);
        const listed = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
        assert.deepEqual(listed.Identities!.map((i) => i.IdentityId), [merged]);

        // A second user of a provider the identity already has a login for: a conflict, not a merge.
        const bob = await user();
        await rejects(
          identity.send(new GetOpenIdTokenCommand({ IdentityId: merged, Logins: { [cognitoName]: bob.idToken, [secondName]: aliceElsewhere.idToken } })),
          'ResourceConflictException',
        );
      });

      it('UnlinkIdentity removes a provider, and needs a valid login of the identity', async () => {
        const second = await userPool();
        const secondName = `cognito-idp.us-east-1.amazonaws.com/${second.userPoolId}`;
        const poolId = await identityPool({ CognitoIdentityProviders: [{ ProviderName: cognitoName }, { ProviderName: secondName }] });
        const alice = await user();
        const aliceElsewhere = await user(second.userPoolId, second.clientId);
        const id = await getId(poolId, { [cognitoName]: alice.idToken, [secondName]: aliceElsewhere.idToken });
        const bob = await user();
        await getId(poolId, { [cognitoName]: bob.idToken });

        await rejects(identity.send(new UnlinkIdentityCommand({ IdentityId: id, Logins: {}, LoginsToRemove: [secondName] })), 'NotAuthorizedException');
        await rejects(identity.send(new UnlinkIdentityCommand({ IdentityId: id, Logins: { [cognitoName]: bob.idToken }, LoginsToRemove: [secondName] })), 'NotAuthorizedException');
        await rejects(identity.send(new UnlinkIdentityCommand({ IdentityId: id, Logins: { [cognitoName]: alice.accessToken }, LoginsToRemove: [secondName] })), 'NotAuthorizedException');
        assert.equal((await identity.send(new DescribeIdentityCommand({ IdentityId: id }))).Logins!.length, 2);

        // LoginsToRemove may name the user pool in Gatehouse's spelling too.
        const secondHostName = `${new URL(server.url).host}/${second.userPoolId}`;
        await identity.send(new UnlinkIdentityCommand({ IdentityId: id, Logins: { [hostName]: alice.idToken }, LoginsToRemove: [secondHostName] }));
        assert.deepEqual((await identity.send(new DescribeIdentityCommand({ IdentityId: id }))).Logins, [cognitoName]);
        const fresh = await getId(poolId, { [secondName]: aliceElsewhere.idToken });
        assert.notEqual(fresh, id, 'the unlinked login is a new identity next time');
        assert.equal(await getId(poolId, { [cognitoName]: alice.idToken }), id);
      });
    });

    describe('developer identities', () => {
      async function developerToken(poolId: string, userId: string, extra: { IdentityId?: string; TokenDuration?: number; Logins?: Record<string, string> } = {}) {
        return identity.send(
          new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, ...extra, Logins: { [DEVELOPER]: userId, ...extra.Logins } }),
        );
      }

      it('GetOpenIdTokenForDeveloperIdentity: one identity per developer user, with a token of the asked duration', async () => {
        const poolId = await identityPool({ DeveloperProviderName: DEVELOPER, AllowUnauthenticatedIdentities: true });
        const alice = await developerToken(poolId, 'alice');
        assert.match(alice.IdentityId!, ID_IN('us-east-1'));
        const claims = await verifyOpenId(alice.Token!);
        assert.equal(claims.sub, alice.IdentityId);
        assert.equal(claims.aud, poolId);
        assert.equal(claims.amr?.[0], 'authenticated');
        assert.equal(claims.exp! - claims.iat!, 900, 'default 15 minutes');

        const again = await developerToken(poolId, 'alice', { TokenDuration: 3600 });
        assert.equal(again.IdentityId, alice.IdentityId);
        const longer = await verifyOpenId(again.Token!);
        assert.equal(longer.exp! - longer.iat!, 3600);

        const bob = await developerToken(poolId, 'bob');
        assert.notEqual(bob.IdentityId, alice.IdentityId);
        await rejects(developerToken(poolId, 'alice', { IdentityId: bob.IdentityId }), 'DeveloperUserAlreadyRegisteredException');
        const elsewhere = await developerToken(await identityPool({ DeveloperProviderName: DEVELOPER }), 'frank');
        await rejects(developerToken(poolId, 'frank', { IdentityId: elsewhere.IdentityId }), 'ResourceNotFoundException', /not found/);

        // Concurrent first calls for one developer user: one identity.
        const racing = await Promise.all(Array.from({ length: 10 }, () => developerToken(poolId, 'grace')));
        assert.equal(new Set(racing.map((r) => r.IdentityId)).size, 1);

        // A guest identity takes a developer user that has none yet.
        const guest = await getId(poolId);
        const carol = await developerToken(poolId, 'carol', { IdentityId: guest });
        assert.equal(carol.IdentityId, guest);

        await rejects(
          identity.send(new GetOpenIdTokenForDeveloperIdentityCommand({ IdentityPoolId: poolId, Logins: { 'other.provider': 'x' } })),
          'InvalidParameterException',
        );
        const noDeveloper = await identityPool();
        await rejects(developerToken(noDeveloper, 'alice'), 'InvalidParameterException');
        await rejects(developerToken(poolId, 'alice', { TokenDuration: 86401 }), 'InvalidParameterException');
      });

      it('LookupDeveloperIdentity, MergeDeveloperIdentities and UnlinkDeveloperIdentity', async () => {
        const poolId = await identityPool({ DeveloperProviderName: DEVELOPER });
        const alice = (await developerToken(poolId, 'alice')).IdentityId!;
        const bob = (await developerToken(poolId, 'bob')).IdentityId!;

        const byId = await identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: alice }));
        assert.equal(byId.IdentityId, alice);
        assert.deepEqual(byId.DeveloperUserIdentifierList, ['alice']);
        const byUser = await identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'bob' }));
        assert.equal(byUser.IdentityId, bob);
        assert.deepEqual(byUser.DeveloperUserIdentifierList, ['bob']);
        await rejects(identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, DeveloperUserIdentifier: 'nobody' })), 'ResourceNotFoundException');

        const merged = await identity.send(
          new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: DEVELOPER, SourceUserIdentifier: 'bob', DestinationUserIdentifier: 'alice' }),
        );
        assert.equal(merged.IdentityId, alice);
        await rejects(identity.send(new DescribeIdentityCommand({ IdentityId: bob })), 'ResourceNotFoundException');
        assert.deepEqual((await identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: alice }))).DeveloperUserIdentifierList, ['alice', 'bob']);
        assert.equal((await developerToken(poolId, 'bob')).IdentityId, alice);
        await rejects(
          identity.send(new MergeDeveloperIdentitiesCommand({ IdentityPoolId: poolId, DeveloperProviderName: 'other.provider', SourceUserIdentifier: 'bob', DestinationUserIdentifier: 'alice' })),
          'InvalidParameterException',
        );

        await identity.send(new UnlinkDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: alice, DeveloperProviderName: DEVELOPER, DeveloperUserIdentifier: 'bob' }));
        assert.deepEqual((await identity.send(new LookupDeveloperIdentityCommand({ IdentityPoolId: poolId, IdentityId: alice }))).DeveloperUserIdentifierList, ['alice']);
        const newBob = (await developerToken(poolId, 'bob')).IdentityId!;
        assert.notEqual(newBob, alice, 'an unlinked developer user is a new identity next time');
      });

      it('the developer token is a login under cognito-identity.amazonaws.com; a guest token is not', async () => {
        const poolId = await identityPool({ DeveloperProviderName: DEVELOPER, AllowUnauthenticatedIdentities: true });
        const { IdentityId, Token } = await developerToken(poolId, 'dana');
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId })), 'NotAuthorizedException');
        const viaLogin = await identity.send(new GetOpenIdTokenCommand({ IdentityId, Logins: { [DEVELOPER_KEY]: Token! } }));
        assert.equal(viaLogin.IdentityId, IdentityId);
        const claims = await verifyOpenId(viaLogin.Token!);
        assert.equal(claims.sub, IdentityId);
        assert.equal(claims.amr?.[0], 'authenticated');
        assert.ok(claims.amr?.includes(DEVELOPER_KEY));
        assert.equal(await getId(poolId, { [DEVELOPER_KEY]: Token! }), IdentityId);

        // Another identity cannot use it, nor another pool.
        const other = (await developerToken(poolId, 'erin')).IdentityId!;
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: other, Logins: { [DEVELOPER_KEY]: Token! } })), 'NotAuthorizedException');
        const otherPool = await identityPool({ DeveloperProviderName: DEVELOPER });
        await rejects(getId(otherPool, { [DEVELOPER_KEY]: Token! }), 'NotAuthorizedException');

        // A guest's own OpenID token proves no sign-in.
        const guest = await getId(poolId);
        const guestToken = (await identity.send(new GetOpenIdTokenCommand({ IdentityId: guest }))).Token!;
        await rejects(identity.send(new GetOpenIdTokenCommand({ IdentityId: guest, Logins: { [DEVELOPER_KEY]: guestToken } })), 'NotAuthorizedException');
        await rejects(getId(poolId, { [DEVELOPER_KEY]: guestToken }), 'NotAuthorizedException');

        // Expired.
        skewMs = HOUR;
        await rejects(getId(poolId, { [DEVELOPER_KEY]: Token! }), 'NotAuthorizedException');
      });
    });

    describe('identities', () => {
      it('DescribeIdentity, ListIdentities paging and DeleteIdentities', async () => {
        const poolId = await identityPool({ AllowUnauthenticatedIdentities: true });
        const started = Date.now();
        const alice = await user();
        const member = await getId(poolId, { [cognitoName]: alice.idToken });
        const guests = [];
        for (let i = 0; i < 4; i++) guests.push(await getId(poolId));

        const described = await identity.send(new DescribeIdentityCommand({ IdentityId: member }));
        assert.equal(described.IdentityId, member);
        assert.deepEqual(described.Logins, [cognitoName]);
        assert.ok(described.CreationDate instanceof Date);
        assert.ok(described.LastModifiedDate instanceof Date);
        assert.ok(Math.abs(described.CreationDate.getTime() - started) < 60_000);
        assert.ok(described.LastModifiedDate.getTime() >= described.CreationDate.getTime());
        const guest = await identity.send(new DescribeIdentityCommand({ IdentityId: guests[0] }));
        assert.deepEqual(guest.Logins ?? [], []);

        const seen: string[] = [];
        let NextToken: string | undefined;
        let pages = 0;
        do {
          const page = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 2, NextToken }));
          assert.equal(page.IdentityPoolId, poolId);
          assert.ok(page.Identities!.length <= 2);
          for (const i of page.Identities!) {
            seen.push(i.IdentityId!);
            assert.deepEqual(i.Logins ?? [], i.IdentityId === member ? [cognitoName] : []);
          }
          NextToken = page.NextToken;
          pages++;
        } while (NextToken);
        assert.equal(pages, 3);
        assert.deepEqual(seen.sort(), [member, ...guests].sort());

        const deleted = await identity.send(new DeleteIdentitiesCommand({ IdentityIdsToDelete: [member, guests[0], 'us-east-1:00000000-0000-4000-8000-000000000000'] }));
        assert.deepEqual(deleted.UnprocessedIdentityIds ?? [], []);
        for (const id of [member, guests[0]]) await rejects(identity.send(new DescribeIdentityCommand({ IdentityId: id })), 'ResourceNotFoundException');
        const remaining = await identity.send(new ListIdentitiesCommand({ IdentityPoolId: poolId, MaxResults: 60 }));
        assert.deepEqual(remaining.Identities!.map((i) => i.IdentityId).sort(), guests.slice(1).sort());
        const recreated = await getId(poolId, { [cognitoName]: alice.idToken });
        assert.notEqual(recreated, member, 'the login of a deleted identity starts a new one');
      });
    });
  });
}
