import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects } from './helpers/assertions.js';
import { FormBrowser, readForm } from './helpers/form-browser.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

/**
 * Hosted UI and OAuth endpoint guards found missing by an audit: each test asserts the behaviour Cognito
 * documents (or the RFC it follows).
 */
const OTHER_CALLBACK = 'https://other.example.com/cb';
const CERTIFICATE = 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000';

for (const store of STORES) {
  describe(`hosted UI guards (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    let issuer: string;
    /** A confidential client of the pool. */
    let webId: string;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'guarded' }));
      poolId = UserPool!.Id!;
      issuer = `${server.url}/${poolId}`;
      const create = async (input: Partial<CreateUserPoolClientRequest>) =>
        (
          await idp.send(
            new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'c', AllowedOAuthFlowsUserPoolClient: true, SupportedIdentityProviders: ['COGNITO'], ...input }),
          )
        ).UserPoolClient!;
      webId = (await create({ GenerateSecret: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: [OTHER_CALLBACK] })).ClientId!;
    });

    after(() => server?.close());

    it('a custom domain serves its own pool only, not every pool under /<poolId>/ (Cognito: a domain belongs to one user pool)', async () => {
      const { UserPool: tenant } = await idp.send(new CreateUserPoolCommand({ PoolName: 'tenant-b' }));
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: tenant!.Id!, Domain: 'auth.tenant-b.example', CustomDomainConfig: { CertificateArn: CERTIFICATE } }));
      const { app } = server.gatehouse;
      const query = `response_type=code&client_id=${webId}&redirect_uri=${encodeURIComponent(OTHER_CALLBACK)}&state=s`;
      const host = { host: 'auth.tenant-b.example' };
      // The other pool's authorization endpoint and sign-in page, on tenant B's domain.
      const authorize = await app.inject({ url: `/${poolId}/oauth2/authorize?${query}`, headers: host });
      assert.equal(authorize.statusCode, 404, `authorize answered ${authorize.statusCode} ${authorize.headers.location ?? ''}`);
      const page = await app.inject({ url: `/${poolId}/login?${query}`, headers: host });
      assert.equal(page.statusCode, 404, 'another pool’s sign-in form under this domain’s origin');
      // The issuer's own address still serves the pool.
      assert.equal((await fetch(`${issuer}/oauth2/authorize?${query}`, { redirect: 'manual' })).status, 302);
    });

    it('refuses a callback or sign-out URL with a fragment component, even an empty one (RFC 6749 §3.1.2; Cognito: "Not include a fragment component")', async () => {
      for (const field of ['CallbackURLs', 'LogoutURLs'] as const) {
        await rejects(
          idp.send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName: 'fragment',
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ['code'],
              AllowedOAuthScopes: ['openid'],
              SupportedIdentityProviders: ['COGNITO'],
              CallbackURLs: [OTHER_CALLBACK],
              [field]: ['https://app.example.com/cb#'],
            }),
          ),
          'InvalidParameterException',
          /must not contain a fragment/,
        );
      }
    });
  });

  describe(`hosted UI guards: the sign-in form's rate limit (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let loginUrl: string;

    before(async () => {
      server = await startServer(store.name, { ...FAST_HASHING, credentialRateLimit: { perSecond: 0.001, burst: 2 } });
      const idp = server.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'limited' }));
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId: UserPool!.Id!,
          ClientName: 'web',
          GenerateSecret: true,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          CallbackURLs: [OTHER_CALLBACK],
          SupportedIdentityProviders: ['COGNITO'],
        }),
      );
      const query = new URLSearchParams({ response_type: 'code', client_id: UserPoolClient!.ClientId!, redirect_uri: OTHER_CALLBACK, scope: 'openid' });
      loginUrl = `${server.url}/${UserPool!.Id}/login?${query}`;
    });
    after(() => server?.close());

    it('answers a password guess beyond the allowance with 429, as the other credential pages and /oauth2/token do', async () => {
      const browser = new FormBrowser();
      const { action, hidden } = readForm(await (await browser.get(loginUrl)).text(), server.url);
      const guess = () => browser.post(action, { ...hidden, username: 'someone', password: 'a-guess' });
      for (let i = 0; i < 2; i++) assert.equal((await guess()).status, 400, `guess ${i + 1} is within the burst: a wrong password`);
      const limited = await guess();
      assert.match(await limited.text(), /Too many requests/);
      assert.equal(limited.status, 429, 'a throttled sign-in looks like a wrong password (400) to clients and monitoring');
    });
  });
}
