import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient, CreateIdentityPoolCommand, GetCredentialsForIdentityCommand, GetIdCommand, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { decodeJwt } from 'jose';
import { ConfigError, loadConfig } from '../src/config.js';
import { externalStsUrl } from '../src/identitypools/external-sts.js';
import { rejects } from './helpers/assertions.js';
import { droppingPort } from './helpers/dropping-port.js';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
const ACCOUNT = '000000000000';
const THUMBPRINT = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';

for (const store of STORES) {
  describe(`GetCredentialsForIdentity through an external STS (${store.name})`, { skip: store.skip }, () => {
    /** The STS that issues the credentials: another Gatehouse, trusting the first one's identity tokens. */
    let sts: TestServer;
    /** The Gatehouse whose identity pool hands its OpenID tokens to `sts`. */
    let gatehouse: TestServer;
    let identity: CognitoIdentityClient;
    let identityPoolId: string;
    let userPoolId: string;
    let clientId: string;
    let authenticatedRole: string;
    let unauthenticatedRole: string;
    let counter = 0;

    const at = (server: TestServer) => ({ endpoint: server.url, region: 'us-east-1', credentials: { ...ANY_CREDENTIALS }, maxAttempts: 1 });

    /** A role of the external STS that trusts the first Gatehouse's identity tokens for this identity pool. */
    async function externalRole(name: string, providerKey: string): Promise<string> {
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${providerKey}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${providerKey}:aud`]: identityPoolId } },
          },
        ],
      };
      const { Role } = await new IAMClient(at(sts)).send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) }));
      return Role!.Arn!;
    }

    async function idToken(): Promise<string> {
      const idp = gatehouse.idp();
      const username = `user${++counter}`;
      await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }),
      );
      return AuthenticationResult!.IdToken!;
    }

    const logins = (token: string) => ({ [`cognito-idp.us-east-1.amazonaws.com/${userPoolId}`]: token });

    async function credentialsFor(token?: string) {
      const loginMap = token ? logins(token) : undefined;
      const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: identityPoolId, Logins: loginMap }));
      return identity.send(new GetCredentialsForIdentityCommand({ IdentityId, Logins: loginMap }));
    }

    before(async () => {
      sts = await startServer(store.name, FAST_HASHING);
      gatehouse = await startServer(store.name, { ...FAST_HASHING, identityPools: { externalSts: { endpoint: sts.url } } });
      identity = new CognitoIdentityClient(at(gatehouse));

      const idp = gatehouse.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'federated' }));
      userPoolId = UserPool!.Id!;
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] }));
      clientId = UserPoolClient!.ClientId!;
      const pool = await identity.send(
        new CreateIdentityPoolCommand({
          IdentityPoolName: 'external',
          AllowUnauthenticatedIdentities: true,
          CognitoIdentityProviders: [{ ProviderName: `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`, ClientId: clientId }],
        }),
      );
      identityPoolId = pool.IdentityPoolId!;

      // The external STS trusts the first Gatehouse's identity issuer as an IAM OIDC provider, for this pool.
      const issuer = `${gatehouse.url}/cognito-identity`;
      const providerKey = issuer.replace(/^https?:\/\//, '');
      await new IAMClient(at(sts)).send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: [identityPoolId], ThumbprintList: [THUMBPRINT] }));
      authenticatedRole = await externalRole('signed-in', providerKey);
      unauthenticatedRole = await externalRole('guest', providerKey);
      // The roles are the external STS's; the identity pool only names them.
      await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: { authenticated: authenticatedRole, unauthenticated: unauthenticatedRole } }));
    });
    after(async () => {
      await gatehouse?.close();
      await sts?.close();
    });

    it('hands the identity\'s OpenID token to the external STS and returns the credentials it issues', async () => {
      const answer = await credentialsFor(await idToken());
      const credentials = answer.Credentials!;
      assert.match(credentials.AccessKeyId!, /^ASIA/);
      assert.ok(credentials.Expiration! > new Date());
      // The external STS knows these credentials: they are its session for the role it assumed.
      const caller = await new STSClient({
        ...at(sts),
        credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretKey!, sessionToken: credentials.SessionToken! },
      }).send(new GetCallerIdentityCommand({}));
      assert.equal(caller.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/signed-in/CognitoIdentityCredentials`);
      assert.match(answer.IdentityId!, /^us-east-1:/);
      // The role is the external STS's alone: the first Gatehouse has no such role to issue credentials for.
      assert.equal(await gatehouse.gatehouse.services.repos.roles.get('signed-in'), undefined);
    });

    it('chooses the role as without an external STS: the unauthenticated role for a guest', async () => {
      const { Credentials } = await credentialsFor();
      const caller = await new STSClient({
        ...at(sts),
        credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretKey!, sessionToken: Credentials!.SessionToken! },
      }).send(new GetCallerIdentityCommand({}));
      assert.equal(caller.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/guest/CognitoIdentityCredentials`);
    });

    it('answers InvalidIdentityPoolConfigurationException when the external STS refuses the role', async () => {
      await identity.send(
        new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: { authenticated: `arn:aws:iam::${ACCOUNT}:role/not-there`, unauthenticated: unauthenticatedRole } }),
      );
      try {
        await rejects(credentialsFor(await idToken()), 'InvalidIdentityPoolConfigurationException', /Check assigned IAM roles for this pool\. \(STS AccessDenied: /);
      } finally {
        await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: { authenticated: authenticatedRole, unauthenticated: unauthenticatedRole } }));
      }
    });

    it('answers InvalidIdentityPoolConfigurationException when the external STS does not trust the token', async () => {
      // Another identity pool, whose id the external STS's OIDC provider does not list as an audience.
      const other = await identity.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'untrusted', AllowUnauthenticatedIdentities: true }));
      await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: other.IdentityPoolId!, Roles: { unauthenticated: unauthenticatedRole } }));
      const { IdentityId } = await identity.send(new GetIdCommand({ IdentityPoolId: other.IdentityPoolId! }));
      await rejects(
        identity.send(new GetCredentialsForIdentityCommand({ IdentityId })),
        'InvalidIdentityPoolConfigurationException',
        /does not accept this identity pool's OpenID tokens.*InvalidIdentityToken/,
      );
    });

    it('answers ExternalServiceException when the external STS does not answer', async () => {
      const settings = gatehouse.gatehouse.services.config.identityPools;
      const configured = settings.externalSts;
      settings.externalSts = { endpoint: `http://127.0.0.1:${await droppingPort()}/` };
      try {
        await rejects(credentialsFor(await idToken()), 'ExternalServiceException', /did not answer/);
      } finally {
        settings.externalSts = configured;
      }
    });

    it('posts the OpenID token GetOpenIdToken would give, and reads the credentials from the XML answer', async () => {
      const posted: URLSearchParams[] = [];
      let answer = { status: 200, body: '' };
      const stand = createHttpServer((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk.toString()));
        request.on('end', () => {
          posted.push(new URLSearchParams(body));
          response.writeHead(answer.status, { 'content-type': 'text/xml' }).end(answer.body);
        });
      });
      await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
      const settings = gatehouse.gatehouse.services.config.identityPools;
      const configured = settings.externalSts;
      settings.externalSts = { endpoint: `http://127.0.0.1:${(stand.address() as { port: number }).port}/` };
      try {
        answer = {
          status: 200,
          body:
            '<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult>' +
            '<Credentials><AccessKeyId>ASIAEXTERNAL0000001</AccessKeyId><SecretAccessKey>secret&amp;key</SecretAccessKey>' +
            '<SessionToken>token&lt;1&gt;&#x110000;</SessionToken><Expiration>2031-01-02T03:04:05Z</Expiration></Credentials>' +
            '</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>',
        };
        const token = await idToken();
        const { IdentityId, Credentials } = await credentialsFor(token);
        assert.deepEqual(Credentials, {
          AccessKeyId: 'ASIAEXTERNAL0000001',
          SecretKey: 'secret&key',
          SessionToken: 'token<1>&#x110000;', // an out-of-range character reference stays as written
          Expiration: new Date('2031-01-02T03:04:05Z'),
        });
        const form = posted.at(-1)!;
        assert.equal(form.get('Action'), 'AssumeRoleWithWebIdentity');
        assert.equal(form.get('Version'), '2011-06-15');
        assert.equal(form.get('RoleArn'), authenticatedRole);
        assert.equal(form.get('RoleSessionName'), 'CognitoIdentityCredentials');
        const claims = decodeJwt(form.get('WebIdentityToken')!);
        assert.equal(claims.iss, `${gatehouse.url}/cognito-identity`);
        assert.equal(claims.sub, IdentityId);
        assert.equal(claims.aud, identityPoolId);
        assert.deepEqual(claims.amr, ['authenticated', `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`, `cognito-idp.us-east-1.amazonaws.com/${userPoolId}:CognitoSignIn:${decodeJwt(token).sub}`]);
        assert.equal(Number(claims.exp) - Number(claims.iat), 600, 'ten minutes, as GetOpenIdToken');

        // Throttled, or broken: the external service's error, not the pool's.
        answer = { status: 400, body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>' };
        await rejects(credentialsFor(await idToken()), 'ExternalServiceException', /STS Throttling: Rate exceeded/);
        answer = { status: 200, body: '<html>a captive portal</html>' };
        await rejects(credentialsFor(await idToken()), 'ExternalServiceException', /without credentials/);
      } finally {
        settings.externalSts = configured;
        await new Promise<void>((resolve) => stand.close(() => resolve()));
      }
    });
  });
}

describe('the external STS setting', () => {
  const load = (externalSts: unknown) => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ identityPools: { externalSts } }));
    try {
      return loadConfig({ configFile: file }, {});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('is off by default; takes an endpoint, or the AWS region whose STS to use', () => {
    assert.equal(loadConfig({}, {}).identityPools.externalSts, undefined);
    assert.equal(externalStsUrl(load({ region: 'eu-west-1' }).identityPools.externalSts!), 'https://sts.eu-west-1.amazonaws.com/');
    assert.equal(externalStsUrl(load({ endpoint: 'http://minio.internal:9000/', region: 'eu-west-1' }).identityPools.externalSts!), 'http://minio.internal:9000/');
    assert.throws(() => load({}), (error: Error) => error instanceof ConfigError && /give the endpoint of the STS, or the AWS region/.test(error.message));
    assert.throws(() => load({ endpoint: 'not a url' }), ConfigError);
  });
});
