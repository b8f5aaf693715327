import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoIdentityClient, CreateIdentityPoolCommand, SetIdentityPoolRolesCommand } from '@aws-sdk/client-cognito-identity';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createGateway } from '../src/gateway.js';
import type { RouteTableInput } from '../src/gateway-routes.js';
import { openServices, type OpenServices } from '../src/services.js';
import { droppingPort } from './helpers/dropping-port.js';
import { ANY_CREDENTIALS, FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { cognitoTrust, COGNITO_IDENTITY } from './helpers/trust-policies.js';
const HOUR = 3_600_000;

type SdkError = Error & { $metadata: { httpStatusCode?: number } };

async function rejects(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  await assert.rejects(promise, (error: SdkError) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    return true;
  });
}

/** A tiny object store: PUT keeps the body by path, GET/HEAD give it back; every request is recorded. */
interface ObjectStore {
  url: string;
  objects: Map<string, Buffer>;
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

async function startObjectStore(): Promise<ObjectStore> {
  const objects = new Map<string, Buffer>();
  const requests: ObjectStore['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      requests.push({ method: req.method ?? '', url, headers: req.headers });
      const path = decodeURIComponent(url.split('?')[0]!);
      if (req.method === 'PUT') {
        objects.set(path, Buffer.concat(chunks));
        res.writeHead(200, { etag: '"1"' }).end();
      } else if ((req.method === 'GET' || req.method === 'HEAD') && objects.has(path)) {
        const body = objects.get(path)!;
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length, etag: '"1"' });
        res.end(req.method === 'HEAD' ? undefined : body);
      } else if (req.method === 'GET' && path.startsWith('/api/')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path, user: req.headers['x-gatehouse-sub'] ?? null }));
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function photoPolicy(): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::bucket/photos/\${${COGNITO_IDENTITY}:sub}/*` }],
  });
}

for (const store of STORES) {
  describe(`gateway: the photo case end to end (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let objectStore: ObjectStore;
    let gateway: FastifyInstance;
    let gatewayUrl: string;
    let services: OpenServices;
    let issuer: string;
    let userPoolId: string;
    let clientId: string;
    let identityPoolId: string;
    let providerName: string;
    /** How far the gateway's clock runs ahead of the real one. */
    let gatewaySkewMs = 0;
    let counter = 0;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      objectStore = await startObjectStore();
      const idp = server.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'photos' }));
      userPoolId = UserPool!.Id!;
      issuer = `${server.url}/${userPoolId}`;
      providerName = `cognito-idp.us-east-1.amazonaws.com/${userPoolId}`;
      clientId = (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: userPoolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient!.ClientId!;
      const identity = new CognitoIdentityClient({ endpoint: server.url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
      identityPoolId = (
        await identity.send(new CreateIdentityPoolCommand({ IdentityPoolName: 'photos', AllowUnauthenticatedIdentities: false, CognitoIdentityProviders: [{ ProviderName: providerName, ClientId: clientId }] }))
      ).IdentityPoolId!;
      const iam = new IAMClient({ endpoint: server.url, region: 'us-east-1', credentials: ANY_CREDENTIALS, maxAttempts: 1 });
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'photo-owner', AssumeRolePolicyDocument: cognitoTrust(identityPoolId) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'photo-owner', PolicyName: 'own-photos', PolicyDocument: photoPolicy() }));
      await identity.send(new SetIdentityPoolRolesCommand({ IdentityPoolId: identityPoolId, Roles: { authenticated: Role!.Arn! } }));

      // The gateway opens the server's store with the server's configuration: secrets key, roles.
      services = await openServices(server.gatehouse.services.config, pino({ level: 'silent' }));
      const routes: RouteTableInput = {
        routes: {
          '/bucket/*': { authorizer: 'iam', actions: 's3' },
          '/api/*': { authorizer: 'userPool', issuer, clientIds: [clientId], requiredScopes: ['aws.cognito.signin.user.admin'] },
          '/api/admin/*': { authorizer: 'userPool', issuer, requiredScopes: ['photos/admin'] },
          '/health': { authorizer: 'none' },
        },
      };
      gateway = await createGateway({
        upstream: objectStore.url,
        routes,
        secrets: services.services.secrets,
        roles: services.services.repos.roles,
        now: () => new Date(Date.now() + gatewaySkewMs),
      });
      gatewayUrl = await gateway.listen({ port: 0, host: '127.0.0.1' });
    });
    afterEach(() => {
      gatewaySkewMs = 0;
    });
    after(async () => {
      await gateway?.close();
      await services?.close();
      await objectStore?.close();
      await server?.close();
    });

    async function signIn(): Promise<{ idToken: string; accessToken: string }> {
      const idp = server.idp();
      const username = `user${++counter}`;
      await idp.send(new AdminCreateUserCommand({ UserPoolId: userPoolId, Username: username, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: userPoolId, Username: username, Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD } }));
      return { idToken: AuthenticationResult!.IdToken!, accessToken: AuthenticationResult!.AccessToken! };
    }

    /** A signed-in user's identity-pool credentials, as an app gets them. */
    async function photographer(): Promise<{ identityId: string; credentials: AwsCredentialIdentity; provider: ReturnType<typeof fromCognitoIdentityPool> }> {
      const { idToken } = await signIn();
      const provider = fromCognitoIdentityPool({ identityPoolId, logins: { [providerName]: idToken }, clientConfig: { endpoint: server.url, region: 'us-east-1', maxAttempts: 1 } });
      const credentials = await provider();
      return { identityId: credentials.identityId, credentials, provider };
    }

    const s3 = (credentials: S3ClientConfig['credentials'], extra: Partial<S3ClientConfig> = {}) =>
      new S3Client({ endpoint: gatewayUrl, forcePathStyle: true, region: 'us-east-1', credentials, maxAttempts: 1, ...extra });

    it('lets the S3 SDK PUT and GET photos under its own identity id, and tells the upstream who it is', async () => {
      const alice = await photographer();
      const client = s3(alice.provider);
      const key = `photos/${alice.identityId}/2026/cat.jpg`;
      await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'a picture of a cat', ContentType: 'image/jpeg' }));
      assert.equal(objectStore.objects.get(`/bucket/${key}`)?.toString(), 'a picture of a cat');
      const put = objectStore.requests.at(-1)!;
      assert.equal(put.headers['x-gatehouse-identity-id'], alice.identityId);
      assert.match(String(put.headers['x-gatehouse-role-arn']), /:role\/photo-owner$/);

      const got = await client.send(new GetObjectCommand({ Bucket: 'bucket', Key: key }));
      assert.equal(await got.Body!.transformToString(), 'a picture of a cat');
      const head = await client.send(new HeadObjectCommand({ Bucket: 'bucket', Key: key }));
      assert.equal(head.ContentLength, 'a picture of a cat'.length);
      // A larger binary body, hashed and checked end to end.
      const big = Buffer.alloc(256 * 1024, 7);
      await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${alice.identityId}/big.bin`, Body: big }));
      assert.ok(objectStore.objects.get(`/bucket/photos/${alice.identityId}/big.bin`)?.equals(big));
    });

    it('refuses (403 AccessDenied) another identity’s prefix, and never forwards it', async () => {
      const alice = await photographer();
      const bob = await photographer();
      assert.notEqual(alice.identityId, bob.identityId);
      await s3(bob.provider).send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${bob.identityId}/dog.jpg`, Body: 'dog' }));
      const seen = objectStore.requests.length;
      const client = s3(alice.provider);
      await rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: `photos/${bob.identityId}/dog.jpg` })), 'AccessDenied', 403);
      await rejects(client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${bob.identityId}/dog.jpg`, Body: 'not a dog' })), 'AccessDenied', 403);
      await rejects(client.send(new PutObjectCommand({ Bucket: 'bucket', Key: 'photos/shared.jpg', Body: 'x' })), 'AccessDenied', 403);
      assert.equal(objectStore.requests.length, seen);
      assert.equal(objectStore.objects.get(`/bucket/photos/${bob.identityId}/dog.jpg`)?.toString(), 'dog');
    });

    it('refuses credentials after they expire (ExpiredToken, 403)', async () => {
      const alice = await photographer();
      const key = `photos/${alice.identityId}/late.jpg`;
      await s3(alice.credentials).send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'on time' }));
      // Two hours on, on both clocks (so the signature's date is current and only the session is old).
      gatewaySkewMs = 2 * HOUR;
      const late = s3(alice.credentials, { systemClockOffset: 2 * HOUR });
      await rejects(late.send(new GetObjectCommand({ Bucket: 'bucket', Key: key })), 'ExpiredToken', 403);
    });

    it('refuses a tampered session token and a signature made with the wrong secret (403), and malformed signing (400, as S3)', async () => {
      const alice = await photographer();
      const key = `photos/${alice.identityId}/x.jpg`;
      const token = alice.credentials.sessionToken!;
      const middle = Math.floor(token.length / 2);
      const tampered = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
      await rejects(s3({ ...alice.credentials, sessionToken: tampered }).send(new GetObjectCommand({ Bucket: 'bucket', Key: key })), 'InvalidToken', 403);
      await rejects(
        s3({ ...alice.credentials, secretAccessKey: 'wrongwrongwrongwrongwrongwrongwrongwrong' }).send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'x' })),
        'SignatureDoesNotMatch',
        403,
      );
      // Without credentials at all: 401.
      const anonymous = await fetch(`${gatewayUrl}/bucket/${key}`);
      assert.equal(anonymous.status, 401);
      assert.match(await anonymous.text(), /<Code>MissingAuthenticationToken<\/Code>/);
      // Malformed signing is a 400 on an S3 route, with S3's own codes.
      const malformedHeader = await fetch(`${gatewayUrl}/bucket/${key}`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=nonsense' } });
      assert.equal(malformedHeader.status, 400);
      assert.match(await malformedHeader.text(), /<Code>AuthorizationHeaderMalformed<\/Code>/);
      const malformedQuery = await fetch(`${gatewayUrl}/bucket/${key}?X-Amz-Signature=00`);
      assert.equal(malformedQuery.status, 400);
      assert.match(await malformedQuery.text(), /<Code>AuthorizationQueryParametersError<\/Code>/);
    });

    it('protects /api with the user pool authorizer and a required scope', async () => {
      const { idToken, accessToken } = await signIn();
      const ok = await fetch(`${gatewayUrl}/api/profile`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(ok.status, 200);
      const body = (await ok.json()) as { path: string; user: string };
      assert.equal(body.path, '/api/profile');
      assert.match(body.user, /^[0-9a-f-]{36}$/);

      const none = await fetch(`${gatewayUrl}/api/profile`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { code: string }).code, 'Unauthorized');
      assert.match(String(none.headers.get('www-authenticate')), /^Bearer/);
      // An ID token carries no scopes.
      assert.equal((await fetch(`${gatewayUrl}/api/profile`, { headers: { authorization: idToken } })).status, 401);
      // A valid token without the admin scope.
      const admin = await fetch(`${gatewayUrl}/api/admin/users`, { headers: { authorization: `Bearer ${accessToken}` } });
      assert.equal(admin.status, 403);
      assert.match(String(admin.headers.get('www-authenticate')), /insufficient_scope/);
      // A client cannot pose as someone to the upstream.
      const spoofed = await fetch(`${gatewayUrl}/health`, { headers: { 'x-gatehouse-sub': 'someone-else' } });
      assert.equal(spoofed.status, 404);
      assert.equal(objectStore.requests.at(-1)!.headers['x-gatehouse-sub'], undefined);
    });

    it('refuses paths of no route (404) and paths that could route one way and land another (400)', async () => {
      assert.equal((await fetch(`${gatewayUrl}/elsewhere/x`)).status, 404);
      // fetch resolves `..` itself: this is a plain (unsigned) request for /bucket/photos/x.
      assert.equal((await fetch(`${gatewayUrl}/health/../bucket/photos/x`)).status, 401);
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const url = new URL(gatewayUrl);
        request({ host: url.hostname, port: url.port, path: '/health/%2E%2E/bucket/photos/x' }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
      assert.equal(status, 400);
    });

    it('answers 503 AuthorizerUnavailable (S3 XML or JSON) when the authorizer throws: roles that cannot load, keys that cannot be fetched', async () => {
      const alice = await photographer();
      const jwksPort = await droppingPort();
      const broken = await createGateway({
        upstream: objectStore.url,
        routes: {
          routes: {
            '/bucket/*': { authorizer: 'iam', actions: 's3' },
            '/api/*': { authorizer: 'userPool', issuer, jwksUri: `http://127.0.0.1:${jwksPort}/jwks.json` },
          },
        },
        secrets: services.services.secrets,
        roles: async () => {
          throw new Error('the roles store is down');
        },
      });
      const brokenUrl = await broken.listen({ port: 0, host: '127.0.0.1' });
      try {
        const seen = objectStore.requests.length;
        const client = new S3Client({ endpoint: brokenUrl, forcePathStyle: true, region: 'us-east-1', credentials: alice.credentials, maxAttempts: 1 });
        await rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: `photos/${alice.identityId}/cat.jpg` })), 'AuthorizerUnavailable', 503);
        const { accessToken } = await signIn();
        const unsigned = await fetch(`${brokenUrl}/bucket/photos/x`);
        // An unsigned request is refused before the roles are needed.
        assert.equal(unsigned.status, 401);
        const api = await fetch(`${brokenUrl}/api/profile`, { headers: { authorization: `Bearer ${accessToken}` } });
        assert.equal(api.status, 503);
        assert.equal(api.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.equal(api.headers.get('x-amzn-errortype'), 'AuthorizerUnavailable');
        assert.deepEqual(await api.json(), { code: 'AuthorizerUnavailable', message: 'The authorizer could not decide (its keys or policies could not be loaded).' });
        // Without a token the keys are not needed: 401 as usual.
        assert.equal((await fetch(`${brokenUrl}/api/profile`)).status, 401);
        assert.equal(objectStore.requests.length, seen);
      } finally {
        await broken.close();
      }
    });

    it('loads a role once for all its IAM routes: the routes share one role cache and one session cache', async () => {
      const alice = await photographer();
      const repo = services.services.repos.roles;
      const loads: string[] = [];
      const twoRoutes = await createGateway({
        upstream: objectStore.url,
        routes: { routes: { '/bucket/*': { authorizer: 'iam', actions: 's3' }, '/archive/*': { authorizer: 'iam', actions: 's3' } } },
        secrets: services.services.secrets,
        roles: {
          policies: (roleName) => (loads.push(roleName), repo.policies(roleName)),
          get: (roleName) => repo.get(roleName),
        },
      });
      const url = await twoRoutes.listen({ port: 0, host: '127.0.0.1' });
      try {
        const client = new S3Client({ endpoint: url, forcePathStyle: true, region: 'us-east-1', credentials: alice.credentials, maxAttempts: 1 });
        await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${alice.identityId}/shared.jpg`, Body: 'x' }));
        // The role's policy covers the bucket only: the other route refuses, on the role it already has.
        await rejects(client.send(new PutObjectCommand({ Bucket: 'archive', Key: `photos/${alice.identityId}/shared.jpg`, Body: 'x' })), 'AccessDenied', 403);
        assert.deepEqual(loads, ['photo-owner']);
      } finally {
        await twoRoutes.close();
      }
    });

    it('answers 502 BadGateway (JSON, or S3 XML on an S3 route) when the upstream is unreachable', async () => {
      const alice = await photographer();
      const port = await droppingPort();
      const orphan = await createGateway({
        upstream: `http://127.0.0.1:${port}`,
        routes: { routes: { '/bucket/*': { authorizer: 'iam', actions: 's3' }, '/health': { authorizer: 'none' } } },
        secrets: services.services.secrets,
        roles: services.services.repos.roles,
      });
      const orphanUrl = await orphan.listen({ port: 0, host: '127.0.0.1' });
      try {
        const health = await fetch(`${orphanUrl}/health`);
        assert.equal(health.status, 502);
        assert.equal(health.headers.get('x-amzn-errortype'), 'BadGateway');
        assert.deepEqual(await health.json(), { code: 'BadGateway', message: 'The upstream did not answer.' });
        // An allowed S3 request: the S3 SDK sees the XML error.
        const client = new S3Client({ endpoint: orphanUrl, forcePathStyle: true, region: 'us-east-1', credentials: alice.credentials, maxAttempts: 1 });
        await rejects(client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${alice.identityId}/lost.jpg`, Body: 'lost' })), 'BadGateway', 502);
        // A refused one is still refused by the gateway itself (403), before the upstream is tried.
        await rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'photos/someone/else.jpg' })), 'AccessDenied', 403);
      } finally {
        await orphan.close();
      }
    });

    it('runs as `gatehouse gateway` from the same configuration as the server', async () => {
      const routesFile = join(server.store.dataDir, 'routes.yaml');
      writeFileSync(routesFile, `routes:\n  /bucket/*:\n    authorizer: iam\n    actions: s3\n`);
      const { DATABASE_URL: _ignored, ...env } = process.env;
      const args = ['--import', 'tsx', 'src/cli.ts', 'gateway', '--routes', routesFile, '--upstream', objectStore.url, '--port', '0', '--data', server.store.dataDir, '--log-level', 'warn'];
      if (server.store.databaseUrl) args.push('--database-url', server.store.databaseUrl);
      const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        const url = await new Promise<string>((resolve, reject) => {
          let output = '';
          const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 20_000);
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            const match = /ready at (http:\/\/\S+),/.exec(output);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          };
          child.stdout!.on('data', onData);
          child.stderr!.on('data', onData);
          child.on('exit', (code) => reject(new Error(`gateway exited (${code}):\n${output}`)));
        });
        const alice = await photographer();
        const client = new S3Client({ endpoint: url, forcePathStyle: true, region: 'us-east-1', credentials: alice.credentials, maxAttempts: 1 });
        await client.send(new PutObjectCommand({ Bucket: 'bucket', Key: `photos/${alice.identityId}/via-cli.jpg`, Body: 'cli' }));
        assert.equal(objectStore.objects.get(`/bucket/photos/${alice.identityId}/via-cli.jpg`)?.toString(), 'cli');
        await rejects(client.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'photos/someone/else.jpg' })), 'AccessDenied', 403);
      } finally {
        child.kill('SIGTERM');
        await new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once('exit', resolve)));
      }
    });
  });
}
