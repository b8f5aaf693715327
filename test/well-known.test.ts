import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserPoolClientCommand, CreateUserPoolCommand, DeleteUserPoolCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { importJWK, type JWK } from 'jose';
import { allowInsecureRequests, discovery } from 'openid-client';
import { startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

for (const store of STORES) {
  describe(`JWKS and OpenID discovery per pool (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    let otherPoolId: string;
    before(async () => {
      server = await startServer(store.name);
      idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'well-known' }))).UserPool!.Id!;
      otherPoolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'other' }))).UserPool!.Id!;
    });
    after(() => server?.close());

    const issuerOf = (id: string) => `${server.url}/${id}`;

    async function jwks(id: string): Promise<{ response: Response; keys: JWK[] }> {
      const response = await fetch(`${issuerOf(id)}/.well-known/jwks.json`);
      assert.equal(response.status, 200);
      return { response, keys: ((await response.json()) as { keys: JWK[] }).keys };
    }

    it('serves public RS256 signing keys, and no private members', async () => {
      const { response, keys } = await jwks(poolId);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.match(response.headers.get('cache-control') ?? '', /max-age=\d+/);
      assert.ok(keys.length >= 1);
      for (const key of keys) {
        assert.ok(key.kid, 'kid');
        assert.equal(key.alg, 'RS256');
        assert.equal(key.kty, 'RSA');
        assert.equal(key.use, 'sig');
        assert.equal(key.e, 'AQAB');
        assert.ok(key.n && Buffer.from(key.n, 'base64url').length >= 256, 'a 2048-bit modulus at least');
        for (const member of PRIVATE_MEMBERS) assert.equal(member in key, false, `no ${member}`);
        await importJWK(key, 'RS256'); // a usable public key
      }
      const again = await jwks(poolId);
      assert.deepEqual(again.keys, keys, 'stable between requests');
    });

    it('each pool has its own keys', async () => {
      const mine = (await jwks(poolId)).keys.map((k) => k.kid);
      const theirs = (await jwks(otherPoolId)).keys.map((k) => k.kid);
      assert.equal(
        mine.some((kid) => theirs.includes(kid)),
        false,
      );
    });

    it('publishes the discovery document at the issuer', async () => {
      const response = await fetch(`${issuerOf(poolId)}/.well-known/openid-configuration`);
      assert.equal(response.status, 200);
      assert.ok(response.headers.get('cache-control'));
      const config = (await response.json()) as Record<string, unknown>;
      const issuer = issuerOf(poolId);
      assert.equal(config.issuer, issuer);
      assert.equal(config.jwks_uri, `${issuer}/.well-known/jwks.json`);
      assert.equal(config.authorization_endpoint, `${issuer}/oauth2/authorize`);
      assert.equal(config.token_endpoint, `${issuer}/oauth2/token`);
      assert.equal(config.userinfo_endpoint, `${issuer}/oauth2/userInfo`);
      assert.equal(config.revocation_endpoint, `${issuer}/oauth2/revoke`);
      assert.deepEqual(config.id_token_signing_alg_values_supported, ['RS256']);
      assert.deepEqual(config.subject_types_supported, ['public']);
      assert.ok((config.response_types_supported as string[]).includes('code'));
      assert.ok((config.scopes_supported as string[]).includes('openid'));
      // The jwks_uri it names is the one that answers.
      assert.equal((await fetch(config.jwks_uri as string)).status, 200);
    });

    it('answers 404 in the AWS error shape for a pool that does not exist', async () => {
      const deleted = (await idp.send(new CreateUserPoolCommand({ PoolName: 'short-lived' }))).UserPool!.Id!;
      await idp.send(new DeleteUserPoolCommand({ UserPoolId: deleted }));
      for (const id of ['us-east-1_missing00', deleted, 'not-a-pool-id', 'us-east-1_..']) {
        for (const document of ['jwks.json', 'openid-configuration']) {
          const response = await fetch(`${server.url}/${id}/.well-known/${document}`);
          assert.equal(response.status, 404, `${id} ${document}`);
          assert.match(response.headers.get('content-type') ?? '', /json/);
          assert.ok(response.headers.get('x-amzn-errortype'));
          const body = (await response.json()) as { __type?: string; message?: string };
          assert.equal(typeof body.__type, 'string');
          assert.match(body.__type!, /NotFoundException$/);
          assert.equal(typeof body.message, 'string');
        }
      }
    });

    it('openid-client discovers the pool', async () => {
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'oidc' }));
      const config = await discovery(new URL(issuerOf(poolId)), UserPoolClient!.ClientId!, undefined, undefined, { execute: [allowInsecureRequests] });
      const metadata = config.serverMetadata();
      assert.equal(metadata.issuer, issuerOf(poolId));
      assert.equal(metadata.jwks_uri, `${issuerOf(poolId)}/.well-known/jwks.json`);
      assert.equal(metadata.token_endpoint, `${issuerOf(poolId)}/oauth2/token`);
      assert.equal(config.clientMetadata().client_id, UserPoolClient!.ClientId);
    });
  });
}
