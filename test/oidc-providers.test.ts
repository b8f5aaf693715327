import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CognitoIdentityClient,
  CreateIdentityPoolCommand,
  DescribeIdentityPoolCommand,
  GetCredentialsForIdentityCommand,
  GetIdCommand,
  GetOpenIdTokenCommand,
  SetIdentityPoolRolesCommand,
  UpdateIdentityPoolCommand,
  type CreateIdentityPoolInput,
} from '@aws-sdk/client-cognito-identity';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, sdkClient, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { COGNITO_IDENTITY } from './helpers/trust-policies.js';

const ACCOUNT = '000000000000';
const HOUR = 3_600_000;
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

type SdkError = Error & { $metadata: { httpStatusCode?: number } };

async function rejects(promise: Promise<unknown>, name: string, status?: number, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: SdkError) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (status !== undefined) assert.equal(error.$metadata.httpStatusCode, status, `${name}: status`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

const providerArn = (key: string) => `arn:aws:iam::${ACCOUNT}:oidc-provider/${key}`;

for (const store of STORES) {
  describe(`IAM OpenID Connect providers (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    /** The server's clock runs this far ahead of the real one; reset after each test. */
    let skewMs = 0;
    let counter = 0;
    const unique = (prefix: string) => `${prefix}-${++counter}`;
    const idp = () => sdkClient(server.url);
    const identity = () => new CognitoIdentityClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...ANY_CREDENTIALS }, maxAttempts: 1 });
    const iam = () => new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...ANY_CREDENTIALS }, maxAttempts: 1 });
    const sts = () => new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: { ...ANY_CREDENTIALS }, maxAttempts: 1 });

    /** A Gatehouse user pool standing in for an external OpenID Connect provider. */
    interface External {
      userPoolId: string;
      clientId: string;
      otherClientId: string;
      issuer: string;
      /** The issuer without its scheme: the login key and the provider's ARN suffix. */
      key: string;
      arn: string;
    }

    async function appClient(userPoolId: string): Promise<string> {
      const { UserPoolClient } = await idp().send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      return UserPoolClient!.ClientId!;
    }

    /** A user pool with two app clients, registered as an IAM OIDC provider trusting only the first. */
    async function external(register = true): Promise<External> {
      const { UserPool } = await idp().send(new CreateUserPoolCommand({ PoolName: unique('external') }));
      const userPoolId = UserPool!.Id!;
      const clientId = await appClient(userPoolId);
      const otherClientId = await appClient(userPoolId);
      const issuer = `${server.url}/${userPoolId}`;
      const key = issuer.replace(/^https?:\/\//, '');
      if (register) {
        const created = await iam().send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [clientId], ThumbprintList: [THUMBPRINT] }));
        assert.equal(created.OpenIDConnectProviderArn, providerArn(key));
      }
      return { userPoolId, clientId, otherClientId, issuer, key, arn: providerArn(key) };
    }

    async function idToken(ext: External, clientId = ext.clientId): Promise<{ token: string; sub: string }> {
      const username = unique('user');
      await idp().send(new AdminCreateUserCommand({ UserPoolId: ext.userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp().send(new AdminSetUserPasswordCommand({ UserPoolId: ext.userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp().send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      const token = AuthenticationResult!.IdToken!;
      return { token, sub: String(decodeJwt(token).sub) };
    }

    async function role(trust: object): Promise<string> {
      const { Role } = await iam().send(new CreateRoleCommand({ RoleName: unique('role'), AssumeRolePolicyDocument: JSON.stringify(trust) }));
      return Role!.Arn!;
    }

    /** An identity pool listing these OIDC providers, whose authenticated role trusts its identities. */
    async function identityPool(arns: string[], settings: Partial<CreateIdentityPoolInput> = {}): Promise<string> {
      const pool = await identity().send(
        new CreateIdentityPoolCommand({ IdentityPoolName: 'oidc', AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: arns, ...settings }),
      );
      const poolId = pool.IdentityPoolId!;
      const authenticated = await role({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Federated: COGNITO_IDENTITY }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${COGNITO_IDENTITY}:aud`]: poolId } } }],
      });
      await identity().send(new SetIdentityPoolRolesCommand({ IdentityPoolId: poolId, Roles: { authenticated } }));
      return poolId;
    }

    before(async () => {
      server = await startServer(store.name, FAST_HASHING, { now: () => new Date(Date.now() + skewMs) });
    });
    afterEach(() => {
      skewMs = 0;
    });
    after(async () => {
      await server?.close();
    });

    describe('IAM', () => {
      it('creates, reads, lists, extends and deletes a provider', async () => {
        const ext = await external();
        const got = await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn }));
        assert.equal(got.Url, ext.key);
        assert.deepEqual(got.ClientIDList, [ext.clientId]);
        assert.deepEqual(got.ThumbprintList, [THUMBPRINT]);
        assert.ok(got.CreateDate instanceof Date);
        const listed = (await iam().send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList!.map((p) => p.Arn);
        assert.ok(listed.includes(ext.arn));

        await iam().send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn, ClientID: ext.otherClientId }));
        await iam().send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn, ClientID: ext.otherClientId }));
        assert.deepEqual((await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn }))).ClientIDList, [ext.clientId, ext.otherClientId]);

        await rejects(iam().send(new CreateOpenIDConnectProviderCommand({ Url: ext.issuer, ClientIDList: [ext.clientId] })), 'EntityAlreadyExistsException', 409);
        await iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn }));
        await rejects(iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn })), 'NoSuchEntityException', 404);
        await rejects(iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn })), 'NoSuchEntityException', 404);
        assert.ok(!(await iam().send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList!.some((p) => p.Arn === ext.arn));
      });

      it('takes https URLs, and http only on a loopback host', async () => {
        const created = await iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://login.example.com/tenant/', ClientIDList: ['app'] }));
        assert.equal(created.OpenIDConnectProviderArn, providerArn('login.example.com/tenant'));
        for (const Url of ['http://login.example.com', 'ftp://127.0.0.1/x', 'https://login.example.com/?a=b', 'https://user:pw@login.example.com', 'not a url']) {
          await rejects(iam().send(new CreateOpenIDConnectProviderCommand({ Url, ClientIDList: ['app'] })), 'InvalidInputException', 400);
        }
        await rejects(iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://other.example.com', ThumbprintList: ['xyz'] })), 'InvalidInputException', 400);
        await rejects(iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://other.example.com', ClientIDList: ['x'.repeat(256)] })), 'InvalidInputException', 400);
      });

      it('takes at most 100 client IDs and 5 thumbprints (InvalidInput, 400), and creates nothing beyond them', async () => {
        const ids = (n: number) => Array.from({ length: n }, (_, i) => `client-${i}`);
        const prints = (n: number) => Array.from({ length: n }, (_, i) => String(i).repeat(40).slice(0, 40));
        await rejects(
          iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://many-clients.example.com', ClientIDList: ids(101) })),
          'InvalidInputException',
          400,
          /^A provider may have at most 100 client IDs\.$/,
        );
        await rejects(
          iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://many-prints.example.com', ClientIDList: ['app'], ThumbprintList: prints(6) })),
          'InvalidInputException',
          400,
          /^A provider may have at most 5 thumbprints\.$/,
        );
        const listed = (await iam().send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList!.map((p) => p.Arn);
        assert.ok(!listed.includes(providerArn('many-clients.example.com')));
        assert.ok(!listed.includes(providerArn('many-prints.example.com')));
        // Exactly at the limits it is created.
        const created = await iam().send(new CreateOpenIDConnectProviderCommand({ Url: 'https://at-limits.example.com', ClientIDList: ids(100), ThumbprintList: prints(5) }));
        const got = await iam().send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: created.OpenIDConnectProviderArn }));
        assert.equal(got.ClientIDList!.length, 100);
        assert.equal(got.ThumbprintList!.length, 5);
      });
    });

    describe('identity pools', () => {
      it('list only providers that exist', async () => {
        const ext = await external();
        await rejects(
          identity().send(new CreateIdentityPoolCommand({ IdentityPoolName: 'bad', AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: [providerArn('nowhere.example.com')] })),
          'InvalidParameterException',
          400,
        );
        const poolId = await identityPool([]);
        await rejects(
          identity().send(new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'oidc', AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: [`arn:aws:iam::111111111111:oidc-provider/${ext.key}`] })),
          'InvalidParameterException',
          400,
        );
        await identity().send(new UpdateIdentityPoolCommand({ IdentityPoolId: poolId, IdentityPoolName: 'oidc', AllowUnauthenticatedIdentities: false, OpenIdConnectProviderARNs: [ext.arn] }));
        assert.deepEqual((await identity().send(new DescribeIdentityPoolCommand({ IdentityPoolId: poolId }))).OpenIdConnectProviderARNs, [ext.arn]);
      });

      it('GetId and GetCredentialsForIdentity with a token of a listed OIDC provider', async () => {
        const ext = await external();
        const poolId = await identityPool([ext.arn]);
        const { token, sub } = await idToken(ext);
        const logins = { [ext.key]: token };
        const { IdentityId } = await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));
        assert.ok(IdentityId);
        // Another user is another identity; the same user comes back as the same one.
        assert.notEqual((await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [ext.key]: (await idToken(ext)).token } }))).IdentityId, IdentityId);
        assert.equal((await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }))).IdentityId, IdentityId);

        const { Credentials } = await identity().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
        assert.match(Credentials!.AccessKeyId!, /^ASIA/);
        assert.ok(Credentials!.SessionToken);

        const { Token } = await identity().send(new GetOpenIdTokenCommand({ IdentityId, Logins: logins }));
        assert.deepEqual(decodeJwt(Token!).amr, ['authenticated', ext.key, `${ext.key}:${ext.clientId}:${sub}`]);
      });

      it('a role mapping keyed by the OIDC provider\'s name picks the role by the token\'s claims', async () => {
        const ext = await external();
        const poolId = await identityPool([ext.arn]);
        const trust = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: COGNITO_IDENTITY }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${COGNITO_IDENTITY}:aud`]: poolId } } }],
        };
        const [chosen, fallback] = [await role(trust), await role(trust)];
        const { token, sub } = await idToken(ext);
        await identity().send(
          new SetIdentityPoolRolesCommand({
            IdentityPoolId: poolId,
            Roles: { authenticated: fallback },
            RoleMappings: { [ext.key]: { Type: 'Rules', AmbiguousRoleResolution: 'AuthenticatedRole', RulesConfiguration: { Rules: [{ Claim: 'sub', MatchType: 'Equals', Value: sub, RoleARN: chosen }] } } },
          }),
        );
        const roleOf = async (idTokenOf: string) => {
          const logins = { [ext.key]: idTokenOf };
          const { IdentityId } = await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));
          const { Credentials } = await identity().send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: logins }));
          const caller = await new STSClient({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! }, maxAttempts: 1 }).send(new GetCallerIdentityCommand({}));
          return caller.Arn!;
        };
        const roleName = (arn: string) => arn.slice(arn.lastIndexOf('/') + 1);
        assert.match(await roleOf(token), new RegExp(`:assumed-role/${roleName(chosen)}/`));
        // Another user of the provider matches no rule: the authenticated role.
        assert.match(await roleOf((await idToken(ext)).token), new RegExp(`:assumed-role/${roleName(fallback)}/`));
      });

      it('refuses a token for another audience, an expired or forged one, and a provider the pool does not list', async () => {
        const ext = await external();
        const unlisted = await external();
        const poolId = await identityPool([ext.arn]);
        const getId = (logins: Record<string, string>) => identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));

        await rejects(getId({ [ext.key]: (await idToken(ext, ext.otherClientId)).token }), 'NotAuthorizedException', 403, /audience/);

        const { token } = await idToken(ext);
        skewMs = 2 * HOUR;
        await rejects(getId({ [ext.key]: token }), 'NotAuthorizedException', 403, /expired/i);
        skewMs = 0;

        // Same claims and key id, signed with a key that is not the provider's.
        const { privateKey } = await generateKeyPair('RS256');
        const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader(decodeProtectedHeader(token) as { alg: string }).sign(privateKey);
        await rejects(getId({ [ext.key]: forged }), 'NotAuthorizedException', 403, /not a valid/i);
        // A token of another issuer under this provider's key.
        await rejects(getId({ [ext.key]: (await idToken(unlisted)).token }), 'NotAuthorizedException', 403, /issuer/i);

        await rejects(getId({ [unlisted.key]: (await idToken(unlisted)).token }), 'NotAuthorizedException', 403, /supported provider/);
        // Listed, then deleted from IAM: no longer trusted.
        await iam().send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: ext.arn }));
        await rejects(getId({ [ext.key]: token }), 'NotAuthorizedException', 403, /supported provider/);
      });

      it('a user pool listed in CognitoIdentityProviders stays on the user pool path', async () => {
        const ext = await external();
        const poolId = await identityPool([ext.arn], { CognitoIdentityProviders: [{ ProviderName: ext.key, ClientId: ext.otherClientId }] });
        const { token, sub } = await idToken(ext, ext.otherClientId);
        const logins = { [ext.key]: token };
        const { IdentityId } = await identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: logins }));
        const { Token } = await identity().send(new GetOpenIdTokenCommand({ IdentityId, Logins: logins }));
        assert.deepEqual(decodeJwt(Token!).amr, ['authenticated', ext.key, `${ext.key}:CognitoSignIn:${sub}`]);
        // The OIDC provider's own client is not the listed user pool client: the user pool path answers.
        await rejects(identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [ext.key]: (await idToken(ext)).token } })), 'NotAuthorizedException', 403, /audience/);
      });
    });

    /** A provider served by a loopback server of this test and registered with IAM; `respond` answers its requests. */
    async function loopbackProvider(path: string, respond: (req: IncomingMessage, res: ServerResponse, issuer: string) => void): Promise<{ issuer: string; key: string; server: Server }> {
      let issuer = '';
      const server = createServer((req, res) => respond(req, res, issuer));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${path}`;
      await iam().send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['app'], ThumbprintList: [THUMBPRINT] }));
      return { issuer, key: issuer.replace(/^http:\/\//, ''), server };
    }

    /** A well-formed token of `issuer` for the client `app`, signed with `privateKey` (by default one nobody publishes). */
    async function providerToken(issuer: string, sub = 'someone', privateKey?: CryptoKey): Promise<string> {
      const key = privateKey ?? (await generateKeyPair('RS256')).privateKey;
      return new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuer(issuer).setAudience('app').setSubject(sub).setIssuedAt().setExpirationTime('1h').sign(key);
    }

    /** A role that trusts the provider's tokens. */
    const roleTrusting = (key: string) => role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn(key) }, Action: 'sts:AssumeRoleWithWebIdentity' }] });

    describe('a provider whose discovery document cannot be fetched', () => {
      let broken: Server;
      let issuer: string;
      let key: string;
      let discoveries = 0;
      before(async () => {
        ({ issuer, key, server: broken } = await loopbackProvider('oidc', (req, res) => {
          if (req.url?.endsWith('/.well-known/openid-configuration')) discoveries++;
          res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        }));
      });
      after(async () => {
        await new Promise((resolve) => broken?.close(resolve));
      });

      /** A well-formed token naming the provider as issuer (its signature is never reached). */
      const token = () => providerToken(issuer);

      it('GetId answers NotAuthorizedException "keys could not be retrieved" (403), and tries discovery again next time', async () => {
        const poolId = await identityPool([providerArn(key)]);
        const before = discoveries;
        const getId = async () => identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [key]: await token() } }));
        await rejects(getId(), 'NotAuthorizedException', 403, /^Invalid login token\. The provider's keys could not be retrieved\.$/);
        // The failure is not cached: the next login fetches the discovery document again.
        await rejects(getId(), 'NotAuthorizedException', 403, /keys could not be retrieved/);
        assert.equal(discoveries, before + 2);
      });

      it('AssumeRoleWithWebIdentity answers InvalidIdentityToken (400) in AWS\'s words', async () => {
        const roleArn = await roleTrusting(key);
        const before = discoveries;
        await rejects(
          sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: await token() })),
          'InvalidIdentityTokenException',
          400,
          /^Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements$/,
        );
        assert.equal(discoveries, before + 1);
      });
    });

    describe('a provider whose key set cannot be fetched (discovery works, jwks_uri answers 500)', () => {
      let broken: Server;
      let issuer: string;
      let key: string;
      before(async () => {
        ({ issuer, key, server: broken } = await loopbackProvider('keyless', (req, res, self) => {
          if (req.url?.endsWith('/.well-known/openid-configuration')) {
            res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: self, jwks_uri: `${self}/jwks` }));
          } else {
            res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
          }
        }));
      });
      after(async () => {
        await new Promise((resolve) => broken?.close(resolve));
      });

      it('GetId says the keys could not be retrieved; STS says it in AWS\'s words', async () => {
        const token = await providerToken(issuer);
        const poolId = await identityPool([providerArn(key)]);
        await rejects(identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [key]: token } })), 'NotAuthorizedException', 403, /keys could not be retrieved/);
        const roleArn = await roleTrusting(key);
        await rejects(
          sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: token })),
          'InvalidIdentityTokenException',
          400,
          /^Couldn't retrieve verification key from your identity provider/,
        );
      });
    });

    describe('a provider that signs a subject no login can have', () => {
      let hostile: Server;
      let issuer: string;
      let key: string;
      let privateKey: CryptoKey;
      before(async () => {
        const pair = await generateKeyPair('RS256');
        privateKey = pair.privateKey;
        const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
        ({ issuer, key, server: hostile } = await loopbackProvider('hostile', (req, res, self) => {
          const body = req.url?.endsWith('/.well-known/openid-configuration') ? { issuer: self, jwks_uri: `${self}/jwks` } : { keys: [jwk] };
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        }));
      });
      after(async () => {
        await new Promise((resolve) => hostile?.close(resolve));
      });

      it('a sub with a NUL or a lone surrogate is not a valid token (no store could keep the login as it is)', async () => {
        const poolId = await identityPool([providerArn(key)]);
        const getId = async (sub: string) => identity().send(new GetIdCommand({ IdentityPoolId: poolId, Logins: { [key]: await providerToken(issuer, sub, privateKey) } }));
        assert.match((await getId('someone')).IdentityId ?? '', /^us-east-1:/, 'the provider works');
        await rejects(getId('some\u0000one'), 'NotAuthorizedException', 403, /Not a valid OpenId Connect identity token/);
        // Lone surrogates would be stored as U+FFFD: two such subjects would share one identity.
        await rejects(getId('some\ud800one'), 'NotAuthorizedException', 403, /Not a valid OpenId Connect identity token/);
      });
    });

    describe('STS AssumeRoleWithWebIdentity', () => {
      it('a token of an IAM OIDC provider, for a role trusting the provider ARN', async () => {
        const ext = await external();
        const { token, sub } = await idToken(ext);
        const roleArn = await role({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Federated: ext.arn },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringEquals: { [`${ext.key}:aud`]: ext.clientId, [`${ext.key}:sub`]: sub } },
            },
          ],
        });
        const assumed = await sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: token }));
        assert.match(assumed.Credentials!.AccessKeyId!, /^ASIA/);
        assert.equal(assumed.SubjectFromWebIdentityToken, sub);
        assert.equal(assumed.Audience, ext.clientId);
        assert.equal(assumed.Provider, ext.issuer);

        // Another user: the sub condition refuses it.
        await rejects(sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: (await idToken(ext)).token })), 'AccessDenied', 403);
        // A client the provider does not list, and an expired token.
        await rejects(
          sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: (await idToken(ext, ext.otherClientId)).token })),
          'InvalidIdentityTokenException',
          400,
          /^Incorrect token audience$/,
        );
        skewMs = 2 * HOUR;
        await rejects(sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'oidc', WebIdentityToken: token })), 'ExpiredTokenException', 400);
        skewMs = 0;

        // A role trusting the bare issuer does not admit a registered provider's token.
        const bare = await role({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: ext.key }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
        await rejects(sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: bare, RoleSessionName: 'oidc', WebIdentityToken: token })), 'AccessDenied', 403);
      });
    });
  });
}
