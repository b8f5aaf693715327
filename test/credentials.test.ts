import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  SetIdentityPoolRolesCommand,
  UpdateIdentityPoolCommand,
  type CreateIdentityPoolInput,
  type MappingRule,
  type RoleMapping,
} from '@aws-sdk/client-cognito-identity';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListRolePoliciesCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, sdkClient, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { cognitoTrust, COGNITO_IDENTITY } from './helpers/trust-policies.js';

const ACCOUNT = '000000000000';
const ACCESS_KEY: Readonly<{ accessKeyId: string; secretAccessKey: string }> = { accessKeyId: 'AKIAGATEHOUSETEST01', secretAccessKey: 'gatehouse-test-secret-key-000000000001' };
const PRODUCTION = { mode: 'production' as const, secretsKey: 's'.repeat(32), accessKeys: [ACCESS_KEY] };
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FORM = 'application/x-www-form-urlencoded';

type SdkError = Error & { $metadata: { httpStatusCode?: number } };
interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

async function rejects(promise: Promise<unknown>, name: string, status?: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: SdkError) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (status !== undefined) assert.equal(error.$metadata.httpStatusCode, status, `${name}: status`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const roleArn = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT}:role${path}${name}`;
const assumedArn = (role: string, session: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;

const ALLOW_S3 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' }] };
const DECLARED_TRUST = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: COGNITO_IDENTITY },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${COGNITO_IDENTITY}:aud`]: 'us-east-1:00000000-0000-4000-8000-00000000000d' } },
    },
  ],
};
const DECLARED_ROLES = [
  { RoleName: 'declared-app', Path: '/declared/', Description: 'from the config file', MaxSessionDuration: 7200, AssumeRolePolicyDocument: DECLARED_TRUST, Policies: { s3: ALLOW_S3 } },
  { RoleName: 'declared-text', AssumeRolePolicyDocument: JSON.stringify(DECLARED_TRUST) },
];

/** Raw query-protocol POST: status, content type, body. */
async function query(url: string, form: Record<string, string>): Promise<{ status: number; type: string | null; requestId: string | null; body: string }> {
  const response = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': FORM }, body: new URLSearchParams(form).toString() });
  return { status: response.status, type: response.headers.get('content-type'), requestId: response.headers.get('x-amzn-requestid'), body: await response.text() };
}

/** Everything a test needs from one running server: SDK clients and helpers for pools, users and roles. */
function harness(getServer: () => TestServer, adminCredentials: { accessKeyId: string; secretAccessKey: string }) {
  let counter = 0;
  const url = () => getServer().url;
  const h = {
    unique: (prefix: string) => `${prefix}-${++counter}`,
    idp: (): CognitoIdentityProviderClient => sdkClient(url(), 'us-east-1', { ...adminCredentials }),
    identity: () => new CognitoIdentityClient({ endpoint: url(), region: 'us-east-1', credentials: { ...adminCredentials }, maxAttempts: 1 }),
    iam: (credentials: Creds = adminCredentials) => new IAMClient({ endpoint: url(), region: 'us-east-1', credentials: { ...credentials }, maxAttempts: 1 }),
    sts: (credentials: Creds = adminCredentials, systemClockOffset = 0, on = url()) =>
      new STSClient({ endpoint: on, region: 'us-east-1', credentials: { ...credentials }, maxAttempts: 1, systemClockOffset }),

    async userPool(): Promise<{ userPoolId: string; clientId: string; providerName: string }> {
      const { UserPool } = await h.idp().send(new CreateUserPoolCommand({ PoolName: h.unique('pool') }));
      const userPoolId = UserPool!.Id!;
      return { userPoolId, clientId: await h.appClient(userPoolId), providerName: `cognito-idp.us-east-1.amazonaws.com/${userPoolId}` };
    },
    async appClient(userPoolId: string): Promise<string> {
      const { UserPoolClient } = await h.idp().send(
        new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return UserPoolClient!.ClientId!;
    },
    /** A new confirmed user with these attributes and groups, signed in through `clientId`: its tokens. */
    async user(userPoolId: string, clientId: string, attributes: Record<string, string> = {}, groups: string[] = []) {
      const username = h.unique('user');
      await h.idp().send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      await h.idp().send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
      for (const group of groups) await h.idp().send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username: username, GroupName: group }));
      return { username, ...(await h.signIn(username, clientId)) };
    },
    async signIn(username: string, clientId: string): Promise<{ idToken: string; accessToken: string }> {
      const { AuthenticationResult } = await h.idp().send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      return { idToken: AuthenticationResult!.IdToken!, accessToken: AuthenticationResult!.AccessToken! };
    },
    async identityPool(providers: CreateIdentityPoolInput['CognitoIdentityProviders'], settings: Partial<CreateIdentityPoolInput> = {}): Promise<string> {
      const pool = await h.identity().send(
        new CreateIdentityPoolCommand({ IdentityPoolName: 'credentials', AllowUnauthenticatedIdentities: false, CognitoIdentityProviders: providers, ...settings }),
      );
      return pool.IdentityPoolId!;
    },
    /** A role through IAM: its ARN. */
    async role(name: string, trust: string, extra: { Path?: string; MaxSessionDuration?: number } = {}): Promise<string> {
      const { Role } = await h.iam().send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust, ...extra }));
      return Role!.Arn!;
    },
    async getId(poolId: string, logins?: Record<string, string>): Promise<string> {
      return (await h.identity().send(new GetIdCommand({ IdentityPoolId: poolId, ...(logins && { Logins: logins }) }))).IdentityId!;
    },
    /** The enhanced flow by hand: GetId then GetCredentialsForIdentity, as SDK-shaped credentials. */
    async credentials(poolId: string, logins?: Record<string, string>, customRoleArn?: string): Promise<Creds & { identityId: string }> {
      const identityId = await h.getId(poolId, logins);
      const { Credentials, IdentityId } = await h.identity().send(
        new GetCredentialsForIdentityCommand({ IdentityId: identityId, ...(logins && { Logins: logins }), ...(customRoleArn && { CustomRoleArn: customRoleArn }) }),
      );
      return {
        identityId: IdentityId!,
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretKey!,
        sessionToken: Credentials!.SessionToken!,
        expiration: Credentials!.Expiration!,
      };
    },
    /** Whose credentials these are, says STS. */
    async callerArn(credentials: Creds): Promise<string> {
      return (await h.sts(credentials).send(new GetCallerIdentityCommand({}))).Arn!;
    },
  };
  return h;
}

for (const store of STORES) {
  describe(`IAM roles, identity-pool credentials and STS (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    /** The server's clock runs this far ahead of the real one; reset after each test. */
    let skewMs = 0;
    const h = harness(() => server, ANY_CREDENTIALS);
    /** A user pool with two app clients, shared by most tests. */
    let up: { userPoolId: string; clientId: string; providerName: string };
    let otherClientId: string;

    before(async () => {
      server = await startServer(store.name, { ...FAST_HASHING, roles: DECLARED_ROLES }, { now: () => new Date(Date.now() + skewMs) });
      up = await h.userPool();
      otherClientId = await h.appClient(up.userPoolId);
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(() => server?.close());

    describe('IAM roles', () => {
      it('CreateRole, GetRole and UpdateAssumeRolePolicy; documents come back URL-encoded; EntityAlreadyExists, NoSuchEntity', async () => {
        const iam = h.iam();
        const name = h.unique('create');
        const trust = cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001');
        const started = Date.now();
        const description = 'Signed-in <users> & "friends"';
        const { Role } = await iam.send(
          new CreateRoleCommand({ RoleName: name, Path: '/apps/web/', Description: description, MaxSessionDuration: 7200, AssumeRolePolicyDocument: trust }),
        );
        assert.equal(Role!.RoleName, name);
        assert.equal(Role!.Path, '/apps/web/');
        assert.equal(Role!.Arn, roleArn(name, '/apps/web/'));
        assert.match(Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
        assert.equal(Role!.Description, description, 'XML-escaped on the way out, intact on arrival');
        assert.equal(Role!.MaxSessionDuration, 7200);
        assert.ok(Role!.CreateDate instanceof Date && Math.abs(Role!.CreateDate.getTime() - started) < MINUTE);
        assert.notEqual(Role!.AssumeRolePolicyDocument, trust, 'IAM answers the document URL-encoded');
        assert.match(Role!.AssumeRolePolicyDocument!, /^%7B%22Version%22/);
        assert.equal(decodeURIComponent(Role!.AssumeRolePolicyDocument!), trust);

        const got = (await iam.send(new GetRoleCommand({ RoleName: name }))).Role!;
        assert.deepEqual({ ...got, CreateDate: got.CreateDate?.getTime() }, { ...Role, CreateDate: Role!.CreateDate?.getTime() });

        await rejects(iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust })), 'EntityAlreadyExistsException', 409);
        await rejects(iam.send(new GetRoleCommand({ RoleName: 'no-such-role' })), 'NoSuchEntityException', 404);

        const other = cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000002', 'unauthenticated');
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: other }));
        assert.equal(decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!), other);
        await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'no-such-role', PolicyDocument: other })), 'NoSuchEntityException', 404);

        // Defaults: path /, one hour.
        const plain = (await iam.send(new CreateRoleCommand({ RoleName: h.unique('plain'), AssumeRolePolicyDocument: trust }))).Role!;
        assert.equal(plain.Path, '/');
        assert.equal(plain.MaxSessionDuration, 3600);
        assert.equal(plain.Description, undefined);
        assert.equal(plain.Arn, roleArn(plain.RoleName!));

        for (const MaxSessionDuration of [1800, 43201]) {
          await rejects(iam.send(new CreateRoleCommand({ RoleName: h.unique('bad'), AssumeRolePolicyDocument: trust, MaxSessionDuration })), 'ValidationError', 400);
        }
        for (const RoleName of ['has/slash', 'has space', 'x'.repeat(65)]) {
          await rejects(iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust })), 'ValidationError', 400);
        }
      });

      it('MalformedPolicyDocument for a document that is not a policy, wherever a document is given', async () => {
        const iam = h.iam();
        const name = h.unique('malformed');
        const bad = ['{not json', JSON.stringify({ Version: '2012-10-17' }), JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }] })];
        for (const document of bad) {
          await rejects(iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: document })), 'MalformedPolicyDocumentException', 400);
        }
        await rejects(iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException', 404, /cannot be found/);
        await h.role(name, cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001'));
        for (const document of bad) {
          await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: document })), 'MalformedPolicyDocumentException', 400);
          await rejects(iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: document })), 'MalformedPolicyDocumentException', 400);
        }
        assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames, []);
      });

      it('PutRolePolicy, GetRolePolicy, ListRolePolicies, DeleteRolePolicy; DeleteRole only once the policies are gone', async () => {
        const iam = h.iam();
        const name = h.unique('inline');
        await h.role(name, cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001'));
        const read = JSON.stringify(ALLOW_S3);
        const write = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: 'arn:aws:s3:::bucket/${cognito-identity.amazonaws.com:sub}/*' }] });
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'write', PolicyDocument: write }));
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: write }));
        await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'read', PolicyDocument: read }));
        const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: name }));
        assert.deepEqual(listed.PolicyNames, ['read', 'write']);
        assert.equal(listed.IsTruncated, false);

        const got = await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'write' }));
        assert.equal(got.RoleName, name);
        assert.equal(got.PolicyName, 'write');
        assert.match(got.PolicyDocument!, /%24%7Bcognito-identity.amazonaws.com%3Asub%7D/, 'URL-encoded');
        assert.equal(decodeURIComponent(got.PolicyDocument!), write);
        assert.equal(decodeURIComponent((await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'read' }))).PolicyDocument!), read, 'replaced');

        await rejects(iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: 'absent' })), 'NoSuchEntityException', 404);
        await rejects(iam.send(new GetRolePolicyCommand({ RoleName: 'no-such-role', PolicyName: 'read' })), 'NoSuchEntityException', 404);
        await rejects(iam.send(new PutRolePolicyCommand({ RoleName: 'no-such-role', PolicyName: 'read', PolicyDocument: read })), 'NoSuchEntityException', 404);
        await rejects(iam.send(new ListRolePoliciesCommand({ RoleName: 'no-such-role' })), 'NoSuchEntityException', 404);

        await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'DeleteConflictException', 409, /policies/);
        await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'read' }));
        await rejects(iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'read' })), 'NoSuchEntityException', 404);
        await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'DeleteConflictException', 409);
        await iam.send(new DeleteRolePolicyCommand({ RoleName: name, PolicyName: 'write' }));
        assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames, []);
        await iam.send(new DeleteRoleCommand({ RoleName: name }));
        await rejects(iam.send(new GetRoleCommand({ RoleName: name })), 'NoSuchEntityException', 404);
        await rejects(iam.send(new DeleteRoleCommand({ RoleName: name })), 'NoSuchEntityException', 404);
        // The name is free again, without the old policies.
        await h.role(name, cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001'));
        assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames, []);
      });

      it('ListRoles pages with MaxItems and Marker, and filters by PathPrefix', async () => {
        const iam = h.iam();
        const trust = cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001');
        const prefix = `/${h.unique('paging')}/`;
        const names: string[] = [];
        for (let i = 0; i < 5; i++) {
          const name = h.unique('listed');
          names.push(name);
          await h.role(name, trust, { Path: i === 4 ? `${prefix}deeper/` : prefix });
        }
        // Near misses: a longer path segment, and the prefix without its slash.
        await h.role(h.unique('sibling'), trust, { Path: `${prefix.slice(0, -1)}x/` });
        await h.role(h.unique('top'), trust);

        const seen: string[] = [];
        let Marker: string | undefined;
        let pages = 0;
        do {
          const page = await iam.send(new ListRolesCommand({ PathPrefix: prefix, MaxItems: 2, Marker }));
          assert.ok(page.Roles!.length <= 2);
          for (const role of page.Roles!) {
            assert.ok(role.Path!.startsWith(prefix), role.Path);
            assert.equal(decodeURIComponent(role.AssumeRolePolicyDocument!), trust);
          }
          seen.push(...page.Roles!.map((r) => r.RoleName!));
          assert.equal(page.IsTruncated, page.Marker !== undefined);
          Marker = page.Marker;
          pages++;
        } while (Marker);
        assert.equal(pages, 3);
        assert.deepEqual(seen.sort(), [...names].sort());

        const deeper = await iam.send(new ListRolesCommand({ PathPrefix: `${prefix}deeper/` }));
        assert.deepEqual(deeper.Roles!.map((r) => r.RoleName), [names[4]]);
        assert.equal(deeper.IsTruncated, false);
        for (const MaxItems of [0, -1, 1001]) await rejects(iam.send(new ListRolesCommand({ MaxItems })), 'ValidationError', 400);
        const all = await iam.send(new ListRolesCommand({}));
        const allNames = all.Roles!.map((r) => r.RoleName!);
        for (const name of [...names, 'declared-app', 'declared-text']) assert.ok(allNames.includes(name), name);
      });

      it('roles declared in the config exist at start, with their inline policies', async () => {
        const iam = h.iam();
        const declared = (await iam.send(new GetRoleCommand({ RoleName: 'declared-app' }))).Role!;
        assert.equal(declared.Arn, roleArn('declared-app', '/declared/'));
        assert.equal(declared.Description, 'from the config file');
        assert.equal(declared.MaxSessionDuration, 7200);
        assert.deepEqual(JSON.parse(decodeURIComponent(declared.AssumeRolePolicyDocument!)), DECLARED_TRUST);
        assert.deepEqual((await iam.send(new ListRolePoliciesCommand({ RoleName: 'declared-app' }))).PolicyNames, ['s3']);
        const policy = await iam.send(new GetRolePolicyCommand({ RoleName: 'declared-app', PolicyName: 's3' }));
        assert.deepEqual(JSON.parse(decodeURIComponent(policy.PolicyDocument!)), ALLOW_S3);
        const text = (await iam.send(new GetRoleCommand({ RoleName: 'declared-text' }))).Role!;
        assert.equal(text.Path, '/');
        assert.equal(text.MaxSessionDuration, 3600);
        assert.equal(decodeURIComponent(text.AssumeRolePolicyDocument!), JSON.stringify(DECLARED_TRUST));
      });
    });

    describe('the query protocol', () => {
      it('answers an unknown Action or a missing Version with an XML InvalidAction error', async () => {
        const unknown = await query(server.url, { Action: 'NoSuchAction', Version: '2011-06-15' });
        assert.equal(unknown.status, 400);
        assert.match(unknown.type!, /^text\/xml/);
        assert.equal(
          unknown.body,
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
            `<Message>Could not find operation NoSuchAction for version 2011-06-15</Message></Error><RequestId>${unknown.requestId}</RequestId></ErrorResponse>`,
        );
        const iamUnknown = await query(server.url, { Action: 'CreateUser', Version: '2010-05-08', UserName: 'bob' });
        assert.equal(iamUnknown.status, 400);
        assert.match(iamUnknown.body, /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code>/);
        // An STS action under IAM's version is not an IAM action.
        assert.match((await query(server.url, { Action: 'GetCallerIdentity', Version: '2010-05-08' })).body, /<Code>InvalidAction<\/Code>/);

        for (const form of [{ Action: 'GetCallerIdentity' }, { Action: 'GetCallerIdentity', Version: '1999-01-01' }] as Record<string, string>[]) {
          const missing = await query(server.url, form);
          assert.equal(missing.status, 400);
          assert.match(missing.type!, /^text\/xml/);
          assert.match(missing.body, /^<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><RequestId>[^<]+<\/RequestId><\/ErrorResponse>$/);
        }
        // A prototype member is no operation.
        assert.match((await query(server.url, { Action: 'constructor', Version: '2011-06-15' })).body, /<Code>InvalidAction<\/Code>/);
      });

      it('answers a successful call as <ActionResponse><ActionResult> with the request id', async () => {
        const ok = await query(server.url, { Action: 'GetRole', Version: '2010-05-08', RoleName: 'declared-text' });
        assert.equal(ok.status, 200, ok.body);
        assert.match(ok.body, /^<GetRoleResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><GetRoleResult><Role>.*<RoleName>declared-text<\/RoleName>.*<\/Role><\/GetRoleResult>/);
        assert.ok(ok.body.endsWith(`<ResponseMetadata><RequestId>${ok.requestId}</RequestId></ResponseMetadata></GetRoleResponse>`));
        const missing = await query(server.url, { Action: 'GetRole', Version: '2010-05-08' });
        assert.equal(missing.status, 400);
        assert.match(missing.body, /<Code>ValidationError<\/Code><Message>[^<]*roleName|RoleName/);
      });
    });

    describe('GetCredentialsForIdentity (enhanced flow)', () => {
      it('fromCognitoIdentityPool turns a user pool sign-in into AWS credentials for the authenticated role', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName, ClientId: up.clientId }]);
        const roleName = h.unique('signed-in');
        const arn = await h.role(roleName, cognitoTrust(poolId));
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: arn } }));
        const alice = await h.user(up.userPoolId, up.clientId);

        const provider = fromCognitoIdentityPool({
          identityPoolId: poolId,
          logins: { [up.providerName]: alice.idToken },
          clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 },
        });
        const started = Date.now();
        const credentials = await provider();
        assert.match(credentials.identityId, /^us-east-1:[0-9a-f-]{36}$/);
        assert.match(credentials.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
        assert.match(credentials.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
        assert.ok(credentials.sessionToken && credentials.sessionToken.length > 100);
        assert.ok(Math.abs(credentials.expiration!.getTime() - (started + HOUR)) < MINUTE, `expires ${credentials.expiration?.toISOString()}`);
        assert.equal(await h.getId(poolId, { [up.providerName]: alice.idToken }), credentials.identityId);

        const { RoleId } = (await h.iam().send(new GetRoleCommand({ RoleName: roleName }))).Role!;
        const caller = await h.sts(credentials).send(new GetCallerIdentityCommand({}));
        assert.equal(caller.Arn, assumedArn(roleName, 'CognitoIdentityCredentials'));
        assert.equal(caller.UserId, `${RoleId}:CognitoIdentityCredentials`);
        assert.equal(caller.Account, ACCOUNT);

        // Every call issues new credentials.
        const again = await provider();
        assert.notEqual(again.accessKeyId, credentials.accessKeyId);
        assert.equal(again.identityId, credentials.identityId);
      });

      it('a guest gets the unauthenticated role; a pool that forbids guests gives them nothing', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }], { AllowUnauthenticatedIdentities: true });
        const guestRole = h.unique('guest');
        const signedIn = h.unique('member');
        await h.identity().send(
          new SetIdentityPoolRolesCommand({
            IdentityPoolId: poolId,
            Roles: { unauthenticated: await h.role(guestRole, cognitoTrust(poolId, 'unauthenticated')), authenticated: await h.role(signedIn, cognitoTrust(poolId)) },
          }),
        );
        const provider = fromCognitoIdentityPool({ identityPoolId: poolId, clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 } });
        const guest = await provider();
        assert.equal(await h.callerArn(guest), assumedArn(guestRole, 'CognitoIdentityCredentials'));
        const alice = await h.user(up.userPoolId, up.clientId);
        assert.equal(await h.callerArn(await h.credentials(poolId, { [up.providerName]: alice.idToken })), assumedArn(signedIn, 'CognitoIdentityCredentials'));

        await h.identity().send(
          new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'credentials', AllowUnauthenticatedIdentities: false, CognitoIdentityProviders: [{ ProviderName: up.providerName }] }),
        );
        await rejects(h.identity().send(new GetCredentialsForIdentityCommand({ IdentityId: guest.identityId })), 'NotAuthorizedException', 403);
        await rejects(fromCognitoIdentityPool({ identityPoolId: poolId, clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 } })(), 'NotAuthorizedException');
        // A signed-in identity still gets its credentials.
        assert.equal(await h.callerArn(await h.credentials(poolId, { [up.providerName]: alice.idToken })), assumedArn(signedIn, 'CognitoIdentityCredentials'));
      });

      it('Token mapping: the preferred role of the groups, a CustomRoleArn among cognito:roles, else the ambiguous-role resolution', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName, ClientId: up.clientId }]);
        const [defaultRole, first, second, outsider] = [h.unique('token-default'), h.unique('token-first'), h.unique('token-second'), h.unique('token-outsider')];
        const arns: Record<string, string> = {};
        for (const name of [defaultRole, first, second, outsider]) arns[name] = await h.role(name, cognitoTrust(poolId));
        const [editors, viewers] = [h.unique('editors'), h.unique('viewers')];
        await h.idp().send(new CreateGroupCommand({ UserPoolId: up.userPoolId, GroupName: viewers, RoleArn: arns[second], Precedence: 5 }));
        await h.idp().send(new CreateGroupCommand({ UserPoolId: up.userPoolId, GroupName: editors, RoleArn: arns[first], Precedence: 1 }));
        const mapping = (AmbiguousRoleResolution: 'AuthenticatedRole' | 'Deny'): Record<string, RoleMapping> => ({
          [`${up.providerName}:${up.clientId}`]: { Type: 'Token', AmbiguousRoleResolution },
        });
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: arns[defaultRole] }, RoleMappings: mapping('AuthenticatedRole') }));

        const member = await h.user(up.userPoolId, up.clientId, {}, [viewers, editors]);
        const claims = decodeJwt(member.idToken);
        assert.equal(claims['cognito:preferred_role'], arns[first]);
        assert.deepEqual([...(claims['cognito:roles'] as string[])].sort(), [arns[first], arns[second]].sort());
        const logins = { [up.providerName]: member.idToken };
        assert.equal(await h.callerArn(await h.credentials(poolId, logins)), assumedArn(first, 'CognitoIdentityCredentials'), 'lowest precedence wins');
        assert.equal(await h.callerArn(await h.credentials(poolId, logins, arns[second])), assumedArn(second, 'CognitoIdentityCredentials'), 'CustomRoleArn in cognito:roles');
        await rejects(h.credentials(poolId, logins, arns[outsider]), 'NotAuthorizedException', 403);
        await rejects(h.credentials(poolId, logins, arns[defaultRole]), 'NotAuthorizedException', 403);

        // No groups, no role claims: the ambiguous-role resolution decides.
        const loner = await h.user(up.userPoolId, up.clientId);
        assert.equal(await h.callerArn(await h.credentials(poolId, { [up.providerName]: loner.idToken })), assumedArn(defaultRole, 'CognitoIdentityCredentials'));
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: arns[defaultRole] }, RoleMappings: mapping('Deny') }));
        await rejects(h.credentials(poolId, { [up.providerName]: loner.idToken }), 'NotAuthorizedException', 403);
        assert.equal(await h.callerArn(await h.credentials(poolId, logins)), assumedArn(first, 'CognitoIdentityCredentials'), 'a member is unaffected');

        // The mapping is per app client: a token of another client is not mapped.
        const viaOther = await h.signIn(member.username, otherClientId);
        const anyClient = await h.identityPool([{ ProviderName: up.providerName }]);
        const anyDefault = h.unique('any-default');
        await h.identity().send(
          new SetIdentityPoolRolesCommand({ IdentityPoolId: anyClient, Roles: { authenticated: await h.role(anyDefault, cognitoTrust(anyClient)) }, RoleMappings: mapping('Deny') }),
        );
        assert.equal(await h.callerArn(await h.credentials(anyClient, { [up.providerName]: viaOther.idToken })), assumedArn(anyDefault, 'CognitoIdentityCredentials'));
      });

      it('Rules mapping: Equals, Contains, StartsWith, NotEqual; the first matching rule wins; no match falls back or denies', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName, ClientId: up.clientId }]);
        const names = ['rule-default', 'rule-equals', 'rule-starts', 'rule-contains', 'rule-not-equal', 'rule-group'].map((n) => h.unique(n));
        const arns = await Promise.all(names.map((n) => h.role(n, cognitoTrust(poolId))));
        const [defaultArn, equalsArn, startsArn, containsArn, notEqualArn, groupArn] = arns;
        const admins = h.unique('admins');
        await h.idp().send(new CreateGroupCommand({ UserPoolId: up.userPoolId, GroupName: admins }));
        const Rules: MappingRule[] = [
          { Claim: 'cognito:groups', MatchType: 'Equals', Value: admins, RoleARN: groupArn },
          { Claim: 'name', MatchType: 'Equals', Value: 'Gold Member', RoleARN: equalsArn },
          { Claim: 'email', MatchType: 'StartsWith', Value: 'admin', RoleARN: startsArn },
          { Claim: 'email', MatchType: 'Contains', Value: '@partner.', RoleARN: containsArn },
          { Claim: 'name', MatchType: 'NotEqual', Value: 'Plain', RoleARN: notEqualArn },
        ];
        const setMapping = (AmbiguousRoleResolution: 'AuthenticatedRole' | 'Deny') =>
          h.identity().send(
            new SetIdentityPoolRolesCommand({
              IdentityPoolId: poolId,
              Roles: { authenticated: defaultArn },
              RoleMappings: { [`${up.providerName}:${up.clientId}`]: { Type: 'Rules', AmbiguousRoleResolution, RulesConfiguration: { Rules } } },
            }),
          );
        await setMapping('AuthenticatedRole');

        const cases: [Record<string, string>, string[], string, string][] = [
          [{ name: 'Gold Member', email: 'admin@example.com' }, [admins], names[5], 'a group claim (a list) equal to the value'],
          [{ name: 'Gold Member', email: 'admin@example.com' }, [], names[1], 'Equals, ahead of the StartsWith and NotEqual rules that match too'],
          [{ name: 'Plain', email: 'admin@partner.example' }, [], names[2], 'StartsWith, ahead of Contains'],
          [{ name: 'Plain', email: 'bob@partner.example' }, [], names[3], 'Contains'],
          [{ name: 'Someone Else', email: 'carol@example.com' }, [], names[4], 'NotEqual'],
          [{ name: 'Plain', email: 'dan@example.com' }, [], names[0], 'no rule matches: the authenticated role'],
          [{ email: 'erin@example.com' }, [], names[0], 'NotEqual does not match a claim the token lacks'],
        ];
        const tokens: string[] = [];
        for (const [attributes, groups, expected, why] of cases) {
          const { idToken } = await h.user(up.userPoolId, up.clientId, attributes, groups);
          tokens.push(idToken);
          assert.equal(await h.callerArn(await h.credentials(poolId, { [up.providerName]: idToken })), assumedArn(expected, 'CognitoIdentityCredentials'), why);
        }

        await setMapping('Deny');
        for (const idToken of tokens.slice(5)) await rejects(h.credentials(poolId, { [up.providerName]: idToken }), 'NotAuthorizedException', 403);
        assert.equal(await h.callerArn(await h.credentials(poolId, { [up.providerName]: tokens[3] })), assumedArn(names[3], 'CognitoIdentityCredentials'), 'a match still maps');
      });

      it('a Deny mapping holds whichever spelling the pool lists the user pool under', async () => {
        const hostName = `${new URL(server.url).host}/${up.userPoolId}`;
        const poolId = await h.identityPool([{ ProviderName: hostName, ClientId: up.clientId }]);
        const name = h.unique('spelling');
        await h.identity().send(
          new SetIdentityPoolRolesCommand({
            IdentityPoolId: poolId,
            Roles: { authenticated: await h.role(name, cognitoTrust(poolId)) },
            RoleMappings: {
              [`${up.providerName}:${up.clientId}`]: {
                Type: 'Rules',
                AmbiguousRoleResolution: 'Deny',
                RulesConfiguration: { Rules: [{ Claim: 'email', MatchType: 'Equals', Value: 'nobody@example.com', RoleARN: roleArn(name) }] },
              },
            },
          }),
        );
        const { idToken } = await h.user(up.userPoolId, up.clientId, { email: 'frank@example.com' });
        await rejects(h.credentials(poolId, { [up.providerName]: idToken }), 'NotAuthorizedException', 403);
      });

      it('InvalidIdentityPoolConfigurationException for a role Gatehouse does not know or whose trust policy does not admit the identity', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }], { AllowUnauthenticatedIdentities: true });
        const alice = await h.user(up.userPoolId, up.clientId);
        const logins = { [up.providerName]: alice.idToken };
        const setRoles = (Roles: Record<string, string>) => h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles }));
        const refused = (loginsOrGuest?: Record<string, string>) => rejects(h.credentials(poolId, loginsOrGuest), 'InvalidIdentityPoolConfigurationException', 400);

        await refused(logins);
        await setRoles({ authenticated: roleArn('never-created') });
        await refused(logins);
        const known = h.unique('other-account');
        await h.role(known, cognitoTrust(poolId));
        await setRoles({ authenticated: `arn:aws:iam::123456789012:role/${known}` });
        await refused(logins);

        const otherPool = h.unique('other-pool');
        await setRoles({ authenticated: await h.role(otherPool, cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000009')) });
        await refused(logins);
        const wrongAction = h.unique('wrong-action');
        await setRoles({
          authenticated: await h.role(wrongAction, cognitoTrust(poolId).replace('sts:AssumeRoleWithWebIdentity', 'sts:AssumeRole')),
        });
        await refused(logins);
        const denied = h.unique('denied');
        const denyTrust = JSON.parse(cognitoTrust(poolId));
        denyTrust.Statement.push({ Effect: 'Deny', Principal: { Federated: COGNITO_IDENTITY }, Action: 'sts:AssumeRoleWithWebIdentity' });
        await setRoles({ authenticated: await h.role(denied, JSON.stringify(denyTrust)) });
        await refused(logins);

        const membersOnly = h.unique('members-only');
        const membersArn = await h.role(membersOnly, cognitoTrust(poolId));
        await setRoles({ authenticated: membersArn, unauthenticated: membersArn });
        assert.equal(await h.callerArn(await h.credentials(poolId, logins)), assumedArn(membersOnly, 'CognitoIdentityCredentials'));
        await refused();
        // Fixing the trust policy fixes the pool.
        await h.iam().send(new UpdateAssumeRolePolicyCommand({ RoleName: membersOnly, PolicyDocument: cognitoTrust(poolId, 'unauthenticated') }));
        assert.equal(await h.callerArn(await h.credentials(poolId)), assumedArn(membersOnly, 'CognitoIdentityCredentials'));
        await refused(logins);
      });

      it('refuses logins it must not trust: another user pool, another client, expired, forged', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName, ClientId: up.clientId }]);
        const name = h.unique('trusting');
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: await h.role(name, cognitoTrust(poolId)) } }));
        const alice = await h.user(up.userPoolId, up.clientId);
        const identityId = await h.getId(poolId, { [up.providerName]: alice.idToken });
        const get = (logins?: Record<string, string>) => h.identity().send(new GetCredentialsForIdentityCommand({ IdentityId: identityId, ...(logins && { Logins: logins }) }));
        assert.equal((await get({ [up.providerName]: alice.idToken })).IdentityId, identityId);

        const other = await h.userPool();
        const stranger = await h.user(other.userPoolId, other.clientId);
        await rejects(get({ [other.providerName]: stranger.idToken }), 'NotAuthorizedException', 403);
        await rejects(get({ [up.providerName]: stranger.idToken }), 'NotAuthorizedException', 403);
        await rejects(get({ [up.providerName]: (await h.signIn(alice.username, otherClientId)).idToken }), 'NotAuthorizedException', 403, /audience/);
        await rejects(get({ [up.providerName]: alice.accessToken }), 'NotAuthorizedException', 403);
        await rejects(get(), 'NotAuthorizedException', 403);

        const claims = decodeJwt(alice.idToken);
        const [header, , signature] = alice.idToken.split('.');
        const { privateKey } = await generateKeyPair('RS256');
        const forged = [
          `${header}.${b64({ ...claims, 'cognito:preferred_role': roleArn('declared-text') })}.${signature}`,
          await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(alice.idToken).kid! }).sign(privateKey),
          `${b64({ alg: 'none' })}.${b64(claims)}.`,
        ];
        for (const token of forged) await rejects(get({ [up.providerName]: token }), 'NotAuthorizedException', 403);

        skewMs = 2 * HOUR;
        await rejects(get({ [up.providerName]: alice.idToken }), 'NotAuthorizedException', 403);
      });
    });

    describe('STS with the credentials', () => {
      /** Credentials of a new user, from an identity pool that trusts the user pool, in a new role named after `prefix`. */
      async function userCredentials(prefix: string) {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }]);
        const name = h.unique(prefix);
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: await h.role(name, cognitoTrust(poolId)) } }));
        const alice = await h.user(up.userPoolId, up.clientId);
        return { name, credentials: await h.credentials(poolId, { [up.providerName]: alice.idToken }) };
      }

      it('accepts a session token in the first format (GHS1), issued before an upgrade, until it expires', async () => {
        const { name, credentials } = await userCredentials('first-format');
        assert.match(credentials.sessionToken!, /^GHS2[A-Za-z0-9_-]+$/);
        // The same claims sealed as the first format did: the stored form of the secret box, encoded again.
        const { secrets } = server.gatehouse.services;
        const claims = secrets.decryptCompact(credentials.sessionToken!.slice(4), 'sts-session-token');
        const firstFormat = `GHS1${Buffer.from(secrets.encrypt(claims, 'sts-session-token')).toString('base64url')}`;
        assert.ok(firstFormat.length > credentials.sessionToken!.length * 1.25);
        assert.equal(await h.callerArn({ ...credentials, sessionToken: firstFormat }), assumedArn(name, 'CognitoIdentityCredentials'));
      });

      it('refuses a tampered or forged session token, another secret or key id, and an expired session', async () => {
        const { name, credentials } = await userCredentials('session');
        assert.equal(await h.callerArn(credentials), assumedArn(name, 'CognitoIdentityCredentials'));

        // Change one byte of the ciphertext inside the token.
        const token = credentials.sessionToken!;
        const sealed = Buffer.from(token.slice(4), 'base64url');
        sealed[sealed.length - 30] ^= 1;
        const tampered = `${token.slice(0, 4)}${sealed.toString('base64url')}`;
        const forged = `${token.slice(0, 4)}${Buffer.alloc(60, 7).toString('base64url')}`;
        const forgedFirstFormat = `GHS1${Buffer.from('v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAA').toString('base64url')}`;
        for (const sessionToken of [tampered, forged, forgedFirstFormat, 'FQoGZXIvYXdzEJr//////////wEaDM1', token.slice(0, -3)]) {
          await rejects(h.sts({ ...credentials, sessionToken }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403, /security token included in the request is invalid/);
        }
        await rejects(h.sts({ ...credentials, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
        await rejects(
          // Another last character, whatever the random secret ends with.
          h.sts({ ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}${credentials.secretAccessKey.endsWith('x') ? 'y' : 'x'}` }).send(new GetCallerIdentityCommand({})),
          'SignatureDoesNotMatch',
          403,
        );

        // An hour later (by the server's clock, and the client's, so the signature itself is current).
        skewMs = HOUR + MINUTE;
        await rejects(h.sts(credentials, skewMs).send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403, /expired/);
        skewMs = HOUR - MINUTE;
        assert.equal((await h.sts(credentials, skewMs).send(new GetCallerIdentityCommand({}))).Arn, assumedArn(name, 'CognitoIdentityCredentials'));
      });

      it('temporary credentials do not administer IAM', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }], { AllowUnauthenticatedIdentities: true });
        const name = h.unique('guest-admin');
        await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { unauthenticated: await h.role(name, cognitoTrust(poolId, 'unauthenticated')) } }));
        const guest = await h.credentials(poolId);
        const iam = h.iam(guest);
        await rejects(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: name, PolicyDocument: JSON.stringify(DECLARED_TRUST) })), 'AccessDenied', 403);
        await rejects(iam.send(new CreateRoleCommand({ RoleName: h.unique('escalated'), AssumeRolePolicyDocument: JSON.stringify(DECLARED_TRUST) })), 'AccessDenied', 403);
        assert.equal(decodeURIComponent((await h.iam().send(new GetRoleCommand({ RoleName: name }))).Role!.AssumeRolePolicyDocument!), cognitoTrust(poolId, 'unauthenticated'));
      });

      it('classic flow: GetOpenIdToken then AssumeRoleWithWebIdentity, for the duration asked within the role limit', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }], { AllowClassicFlow: true, AllowUnauthenticatedIdentities: true });
        const name = h.unique('classic');
        const arn = await h.role(name, cognitoTrust(poolId), { MaxSessionDuration: 7200 });
        const alice = await h.user(up.userPoolId, up.clientId);
        const logins = { [up.providerName]: alice.idToken };
        const identityId = await h.getId(poolId, logins);
        const { Token } = await h.identity().send(new GetOpenIdTokenCommand({ IdentityId: identityId, Logins: logins }));
        // AssumeRoleWithWebIdentity is unsigned: the client's credentials play no part.
        const sts = h.sts({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'unused-unused-unused' });

        const started = Date.now();
        const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'classic-session', WebIdentityToken: Token, DurationSeconds: 5400 }));
        assert.match(assumed.Credentials!.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
        assert.ok(Math.abs(assumed.Credentials!.Expiration!.getTime() - (started + 5400_000)) < MINUTE, `expires ${assumed.Credentials!.Expiration?.toISOString()}`);
        assert.equal(assumed.SubjectFromWebIdentityToken, identityId);
        assert.equal(assumed.Audience, poolId);
        assert.equal(assumed.Provider, COGNITO_IDENTITY);
        assert.equal(assumed.AssumedRoleUser!.Arn, assumedArn(name, 'classic-session'));
        const { RoleId } = (await h.iam().send(new GetRoleCommand({ RoleName: name }))).Role!;
        assert.equal(assumed.AssumedRoleUser!.AssumedRoleId, `${RoleId}:classic-session`);
        const session = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
        const caller = await h.sts(session).send(new GetCallerIdentityCommand({}));
        assert.equal(caller.Arn, assumedArn(name, 'classic-session'));
        assert.equal(caller.UserId, `${RoleId}:classic-session`);

        const byDefault = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'default', WebIdentityToken: Token }));
        assert.ok(Math.abs(byDefault.Credentials!.Expiration!.getTime() - (Date.now() + HOUR)) < MINUTE, 'one hour by default');
        const atLimit = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'limit', WebIdentityToken: Token, DurationSeconds: 7200 }));
        assert.ok(Math.abs(atLimit.Credentials!.Expiration!.getTime() - (Date.now() + 2 * HOUR)) < MINUTE);
        for (const DurationSeconds of [7201, 899]) {
          await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: Token, DurationSeconds })), 'ValidationError', 400);
        }
        await rejects(
          query(server.url, { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: arn, RoleSessionName: 'nan', WebIdentityToken: Token!, DurationSeconds: 'soon' }).then((r) => {
            assert.equal(r.status, 400, r.body);
            assert.match(r.body, /<Code>ValidationError<\/Code>/);
            throw Object.assign(new Error(r.body), { name: 'ValidationError', $metadata: { httpStatusCode: r.status } });
          }),
          'ValidationError',
          400,
        );
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'bad name!', WebIdentityToken: Token })), 'ValidationError', 400);

        // Roles that are not there, or do not trust this identity.
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn('never-created'), RoleSessionName: 'session', WebIdentityToken: Token })), 'AccessDenied', 403);
        const stranger = await h.role(h.unique('stranger'), cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000009'));
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: stranger, RoleSessionName: 'session', WebIdentityToken: Token })), 'AccessDenied', 403);
        const guestToken = (await h.identity().send(new GetOpenIdTokenCommand({ IdentityId: await h.getId(poolId) }))).Token;
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: guestToken })), 'AccessDenied', 403);
        const guestRole = await h.role(h.unique('classic-guest'), cognitoTrust(poolId, 'unauthenticated'));
        const guest = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: guestRole, RoleSessionName: 'guest', WebIdentityToken: guestToken }));
        assert.ok(guest.Credentials?.SessionToken);

        // Forged and expired tokens.
        const claims = decodeJwt(Token!);
        const [header, , signature] = Token!.split('.');
        const { privateKey } = await generateKeyPair('RS256');
        const forged = [
          `${header}.${b64({ ...claims, aud: 'us-east-1:00000000-0000-4000-8000-000000000009' })}.${signature}`,
          await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedHeader(Token!).kid! }).sign(privateKey),
          `${b64({ alg: 'none' })}.${b64(claims)}.`,
          'not-a-jwt',
        ];
        for (const WebIdentityToken of forged) {
          await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken })), 'InvalidIdentityTokenException', 400);
        }
        skewMs = 11 * MINUTE;
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: Token })), 'ExpiredTokenException', 400, /expired/i);
      });

      it('classic flow: a pool that does not allow it gets AccessDenied', async () => {
        const poolId = await h.identityPool([{ ProviderName: up.providerName }]);
        const arn = await h.role(h.unique('no-classic'), cognitoTrust(poolId));
        const alice = await h.user(up.userPoolId, up.clientId);
        const logins = { [up.providerName]: alice.idToken };
        const { Token } = await h.identity().send(new GetOpenIdTokenCommand({ IdentityId: await h.getId(poolId, logins), Logins: logins }));
        await rejects(h.sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: Token })), 'AccessDenied', 403, /classic/);
      });

      it('a user pool ID token as the web identity, for a role that trusts that issuer', async () => {
        const issuer = `${new URL(server.url).host}/${up.userPoolId}`;
        const trust = JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: issuer }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${issuer}:aud`]: up.clientId } } }],
        });
        const name = h.unique('oidc');
        const arn = await h.role(name, trust);
        const alice = await h.user(up.userPoolId, up.clientId);
        const sts = h.sts();
        const assumed = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: alice.username, WebIdentityToken: alice.idToken }));
        assert.equal(assumed.SubjectFromWebIdentityToken, decodeJwt(alice.idToken).sub);
        assert.equal(assumed.Audience, up.clientId);
        assert.equal(assumed.Provider, issuer);
        assert.equal(assumed.AssumedRoleUser!.Arn, assumedArn(name, alice.username));
        const session = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
        assert.equal(await h.callerArn(session), assumedArn(name, alice.username));

        // Another client's token, an access token, a token of another user pool, a forged or an expired one.
        const viaOther = await h.signIn(alice.username, otherClientId);
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: viaOther.idToken })), 'AccessDenied', 403);
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: alice.accessToken })), 'InvalidIdentityTokenException', 400);
        const other = await h.userPool();
        const stranger = await h.user(other.userPoolId, other.clientId);
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: stranger.idToken })), 'AccessDenied', 403);
        const [header, , signature] = alice.idToken.split('.');
        const edited = `${header}.${b64({ ...decodeJwt(alice.idToken), sub: 'someone-else' })}.${signature}`;
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: edited })), 'InvalidIdentityTokenException', 400);
        // A role that trusts identity pools only does not take a user pool token.
        const poolRole = await h.role(h.unique('pool-only'), JSON.stringify(DECLARED_TRUST));
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: poolRole, RoleSessionName: 'session', WebIdentityToken: alice.idToken })), 'AccessDenied', 403);
        skewMs = 2 * HOUR;
        await rejects(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'session', WebIdentityToken: alice.idToken })), 'ExpiredTokenException', 400);
      });
    });
  });

  describe(`credentials in production mode (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    const extra: TestServer[] = [];
    const h = harness(() => server, ACCESS_KEY);
    before(async () => {
      server = await startServer(store.name, { ...FAST_HASHING, ...PRODUCTION });
    });
    after(async () => {
      await Promise.all(extra.map((s) => s.close()));
      await server?.close();
    });

    it('IAM calls must be signed with a Gatehouse key; AssumeRoleWithWebIdentity stays unsigned; any node opens the session token', async () => {
      const iam = h.iam();
      const name = h.unique('prod');
      const up = await h.userPool();
      const poolId = await h.identityPool([{ ProviderName: up.providerName }], { AllowClassicFlow: true });
      const arn = await h.role(name, cognitoTrust(poolId));
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: name }))).Role!.Arn, arn);

      const unsigned = await query(server.url, { Action: 'ListRoles', Version: '2010-05-08' });
      assert.equal(unsigned.status, 403);
      assert.match(unsigned.type!, /^text\/xml/);
      assert.match(unsigned.body, /^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
      await rejects(h.iam({ accessKeyId: 'AKIASTRANGER0000001', secretAccessKey: ACCESS_KEY.secretAccessKey }).send(new GetRoleCommand({ RoleName: name })), 'InvalidClientTokenId', 403);
      await rejects(h.iam({ ...ACCESS_KEY, secretAccessKey: `${ACCESS_KEY.secretAccessKey}x` }).send(new GetRoleCommand({ RoleName: name })), 'SignatureDoesNotMatch', 403);
      const unsignedSts = await query(server.url, { Action: 'GetCallerIdentity', Version: '2011-06-15' });
      assert.equal(unsignedSts.status, 403);
      assert.match(unsignedSts.body, /<Code>MissingAuthenticationToken<\/Code>/);
      const root = await h.sts().send(new GetCallerIdentityCommand({}));
      assert.equal(root.Account, ACCOUNT);
      assert.equal(root.Arn, `arn:aws:iam::${ACCOUNT}:root`);

      // The classic flow with no credentials at all: GetId, GetOpenIdToken and STS are all unsigned.
      const alice = await h.user(up.userPoolId, up.clientId);
      const logins = { [up.providerName]: alice.idToken };
      const bare = new CognitoIdentityClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'unused-unused-unused' }, maxAttempts: 1 });
      const { IdentityId } = await bare.send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));
      const { Token } = await bare.send(new GetOpenIdTokenCommand({ IdentityId, Logins: logins }));
      const raw = await query(server.url, { Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: arn, RoleSessionName: 'raw', WebIdentityToken: Token! });
      assert.equal(raw.status, 200, raw.body);
      assert.match(raw.body, /^<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA/);
      const stranger = h.sts({ accessKeyId: 'AKIASTRANGER0000001', secretAccessKey: 'not-a-secret-gatehouse-knows' });
      const assumed = await stranger.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: arn, RoleSessionName: 'prod-session', WebIdentityToken: Token }));
      const session = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
      assert.equal(await h.callerArn(session), assumedArn(name, 'prod-session'));
      await rejects(h.iam(session).send(new ListRolesCommand({})), 'AccessDenied', 403);

      // The enhanced flow, unsigned too.
      await h.identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated: arn } }));
      const enhanced = await fromCognitoIdentityPool({ identityPoolId: poolId, logins, clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 } })();
      assert.equal(await h.callerArn(enhanced), assumedArn(name, 'CognitoIdentityCredentials'));

      // Another node with the same secrets key (and its own, empty database) checks the token without a lookup;
      // a node with another key does not accept it.
      const twin = await startServer(store.name, { ...FAST_HASHING, ...PRODUCTION });
      extra.push(twin);
      assert.equal((await h.sts(session, 0, twin.url).send(new GetCallerIdentityCommand({}))).Arn, assumedArn(name, 'prod-session'));
      const foreign = await startServer(store.name, { ...FAST_HASHING, ...PRODUCTION, secretsKey: 'f'.repeat(32) });
      extra.push(foreign);
      await rejects(h.sts(session, 0, foreign.url).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    });
  });
}
