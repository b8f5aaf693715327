import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { BootstrapError } from '../src/bootstrap.js';
import { ConfigError, configSchema, loadConfig, type DeclaredPoolInput } from '../src/config.js';
import { createGatehouse } from '../src/server.js';
import { ANY_CREDENTIALS, startServer, type TestServer } from './helpers/server.js';
import { createStore, STORES, type TestStore } from './helpers/stores.js';

const POOL_ID = 'us-east-1_Declared01';
const WEB_CLIENT = 'declaredwebclient000000001';
const SERVER_CLIENT = 'declaredserverclient000001';
const SERVER_SECRET = 'declared_server_secret_0123456789';

/** A config's declared pools: one with fixed ids, one whose id (and client id) Gatehouse derives. */
function declaredPools(changes: { minimumLength?: number; extraAttribute?: boolean; secret?: string } = {}): DeclaredPoolInput[] {
  return [
    {
      Id: POOL_ID,
      PoolName: 'declared',
      Policies: { PasswordPolicy: { MinimumLength: changes.minimumLength ?? 10, RequireNumbers: true } },
      Schema: [
        { Name: 'email', Required: true },
        { Name: 'tenant', AttributeDataType: 'String' },
        ...(changes.extraAttribute ? [{ Name: 'plan', AttributeDataType: 'String' }] : []),
      ],
      Clients: [
        { ClientId: WEB_CLIENT, ClientName: 'web', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
        { ClientId: SERVER_CLIENT, ClientName: 'server', ClientSecret: changes.secret ?? SERVER_SECRET, PreventUserExistenceErrors: 'ENABLED' },
      ],
    },
    { PoolName: 'derived', Clients: [{ ClientName: 'derived-client' }] },
  ];
}

async function allPools(idp: CognitoIdentityProviderClient) {
  return (await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }))).UserPools!;
}

async function clientsOf(idp: CognitoIdentityProviderClient, poolId: string) {
  return (await idp.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }))).UserPoolClients!;
}

async function describePool(idp: CognitoIdentityProviderClient, poolId: string) {
  return (await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!;
}

async function describeClient(idp: CognitoIdentityProviderClient, poolId: string, clientId: string) {
  return (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }))).UserPoolClient!;
}

/** createGatehouse on a declared config must fail; returns the error for the caller to inspect. */
async function bootstrapFailure(store: TestStore, pools: DeclaredPoolInput[]): Promise<BootstrapError> {
  const config = configSchema.parse({
    port: 0,
    logLevel: 'silent',
    dataDir: store.dataDir,
    ...(store.databaseUrl && { databaseUrl: store.databaseUrl }),
    userPools: pools,
  });
  let caught: unknown;
  await createGatehouse(config).then(
    (gatehouse) => gatehouse.close(),
    (error: unknown) => {
      caught = error;
    },
  );
  assert.ok(caught instanceof BootstrapError, `expected a BootstrapError, got ${String(caught)}`);
  return caught;
}

for (const store of STORES) {
  describe(`declared user pools (${store.name})`, { skip: store.skip }, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
    });
    /** A store for one test, dropped at the end of the suite. */
    const freshStore = async (): Promise<TestStore> => {
      const fresh = await createStore(store.name);
      cleanups.push(() => fresh.drop());
      return fresh;
    };

    it('creates the declared pools and clients at start, with their fixed ids and secret', async () => {
      const server = await startServer(store.name, { userPools: declaredPools() }, {}, await freshStore());
      try {
        const idp = server.idp();
        const pool = await describePool(idp, POOL_ID);
        assert.equal(pool.Name, 'declared');
        assert.equal(pool.Policies!.PasswordPolicy!.MinimumLength, 10);
        assert.equal(pool.Policies!.PasswordPolicy!.RequireNumbers, true);
        assert.equal(pool.SchemaAttributes!.find((a) => a.Name === 'email')!.Required, true);
        assert.ok(pool.SchemaAttributes!.some((a) => a.Name === 'custom:tenant'));
        assert.equal(pool.Arn, `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${POOL_ID}`);

        const web = await describeClient(idp, POOL_ID, WEB_CLIENT);
        assert.equal(web.ClientName, 'web');
        assert.equal(web.ClientSecret, undefined);
        assert.deepEqual(web.ExplicitAuthFlows, ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
        const backend = await describeClient(idp, POOL_ID, SERVER_CLIENT);
        assert.equal(backend.ClientSecret, SERVER_SECRET);
        assert.equal(backend.PreventUserExistenceErrors, 'ENABLED');
        // Declared members the config left out get the API's defaults.
        assert.equal(backend.RefreshTokenValidity, 30);

        const derived = (await allPools(idp)).find((p) => p.Name === 'derived');
        assert.ok(derived, 'the pool without an Id is created too');
        assert.match(derived.Id!, /^us-east-1_[0-9A-Za-z]{9}$/);
        const derivedClients = await clientsOf(idp, derived.Id!);
        assert.equal(derivedClients.length, 1);
        assert.match(derivedClients[0].ClientId!, /^[a-z0-9]{26}$/);
      } finally {
        await server.stop();
      }
    });

    it('a restart on the same store keeps ids, secret and creation dates, and duplicates nothing', async () => {
      const shared = await freshStore();
      const first = await startServer(store.name, { userPools: declaredPools() }, {}, shared);
      let idp = first.idp();
      const poolsBefore = await allPools(idp);
      const derivedId = poolsBefore.find((p) => p.Name === 'derived')!.Id!;
      const derivedClientId = (await clientsOf(idp, derivedId))[0].ClientId!;
      const poolBefore = await describePool(idp, POOL_ID);
      const backendBefore = await describeClient(idp, POOL_ID, SERVER_CLIENT);
      // A client added through the API to a declared pool is the user's: a restart leaves it alone.
      const { UserPoolClient: added } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: POOL_ID, ClientName: 'added', GenerateSecret: true }));
      await first.stop();

      const second = await startServer(store.name, { userPools: declaredPools() }, {}, shared);
      try {
        idp = second.idp();
        const poolsAfter = await allPools(idp);
        assert.deepEqual(poolsAfter.map((p) => p.Id).sort(), poolsBefore.map((p) => p.Id).sort());
        assert.equal(poolsAfter.length, 2);
        assert.equal(poolsAfter.find((p) => p.Name === 'derived')!.Id, derivedId, 'the derived pool id is stable');
        const derivedClients = await clientsOf(idp, derivedId);
        assert.deepEqual(derivedClients.map((c) => c.ClientId), [derivedClientId], 'the derived client id is stable');

        const declaredClients = (await clientsOf(idp, POOL_ID)).map((c) => c.ClientId).sort();
        assert.deepEqual(declaredClients, [SERVER_CLIENT, WEB_CLIENT, added!.ClientId].sort());
        assert.equal((await describeClient(idp, POOL_ID, added!.ClientId!)).ClientSecret, added!.ClientSecret);

        const poolAfter = await describePool(idp, POOL_ID);
        assert.deepEqual(poolAfter.CreationDate, poolBefore.CreationDate);
        assert.equal(poolAfter.SchemaAttributes!.length, poolBefore.SchemaAttributes!.length);
        const backendAfter = await describeClient(idp, POOL_ID, SERVER_CLIENT);
        assert.equal(backendAfter.ClientSecret, SERVER_SECRET);
        assert.deepEqual(backendAfter.CreationDate, backendBefore.CreationDate);
        // Nothing declared changed, so nothing was modified.
        assert.deepEqual(poolAfter.LastModifiedDate, poolBefore.LastModifiedDate);
        assert.deepEqual(backendAfter.LastModifiedDate, backendBefore.LastModifiedDate);
        assert.deepEqual(backendAfter, backendBefore);
      } finally {
        await second.stop();
      }
    });

    it('a restart with changed declarations brings the pool and clients up to date', async () => {
      const shared = await freshStore();
      const first = await startServer(store.name, { userPools: declaredPools() }, {}, shared);
      const webBefore = await describeClient(first.idp(), POOL_ID, WEB_CLIENT);
      await first.stop();

      const newSecret = 'rotated_server_secret_9876543210';
      const second = await startServer(store.name, { userPools: declaredPools({ minimumLength: 14, extraAttribute: true, secret: newSecret }) }, {}, shared);
      try {
        const idp = second.idp();
        const pool = await describePool(idp, POOL_ID);
        assert.equal(pool.Policies!.PasswordPolicy!.MinimumLength, 14);
        const names = pool.SchemaAttributes!.map((a) => a.Name);
        assert.ok(names.includes('custom:tenant'), 'existing custom attributes stay');
        assert.ok(names.includes('custom:plan'), 'a newly declared custom attribute is added');
        assert.equal(names.filter((n) => n === 'custom:tenant').length, 1);
        assert.equal((await describeClient(idp, POOL_ID, SERVER_CLIENT)).ClientSecret, newSecret);
        // An unchanged declared client keeps its id and settings.
        const webAfter = await describeClient(idp, POOL_ID, WEB_CLIENT);
        assert.deepEqual(webAfter.ExplicitAuthFlows, webBefore.ExplicitAuthFlows);
        assert.equal((await allPools(idp)).length, 2);
        assert.equal((await clientsOf(idp, POOL_ID)).length, 2);
      } finally {
        await second.stop();
      }
    });

    it('a declared pool without Id gets the same derived id on every store', async () => {
      const pools: DeclaredPoolInput[] = [{ PoolName: 'same-everywhere' }];
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const server = await startServer(store.name, { userPools: pools }, {}, await freshStore());
        try {
          ids.push((await allPools(server.idp()))[0].Id!);
        } finally {
          await server.stop();
        }
      }
      assert.match(ids[0], /^us-east-1_[0-9A-Za-z]{9}$/);
      assert.equal(ids[1], ids[0]);
    });

    it('an invalid declared member stops start-up with a BootstrapError naming the pool', async () => {
      // One store for every case: each names a pool of its own, so an earlier failure leaves nothing in the way.
      const shared = await freshStore();
      const longName = 'p'.repeat(129);
      const tooLong = await bootstrapFailure(shared, [{ PoolName: longName }]);
      assert.match(tooLong.message, /^userPools\[0\] \(p+\): InvalidParameterException: .*poolName.*length less than or equal to 128/);

      const badEnum = await bootstrapFailure(shared, [{ Id: POOL_ID, PoolName: 'fine' }, { PoolName: 'bad-enum', MfaConfiguration: 'SOMETIMES' }]);
      assert.match(badEnum.message, /^userPools\[1\] \(bad-enum\): InvalidParameterException: .*mfaConfiguration.*enum value set/);

      const badSecret = await bootstrapFailure(shared, [{ PoolName: 'bad-client', Clients: [{ ClientName: 'c', ClientSecret: 'short-secret' }] }]);
      assert.match(badSecret.message, /^userPools\[0\] \(bad-client\): .*clientSecret/);
      assert.doesNotMatch(badSecret.message, /short-secret/, 'a secret is never echoed');

      const badRule = await bootstrapFailure(shared, [{ PoolName: 'bad-rule', Clients: [{ ClientName: 'c', CallbackURLs: ['http://app.example/cb'] }] }]);
      assert.match(badRule.message, /^userPools\[0\] \(bad-rule\): InvalidParameterException: .*HTTPS/);
    });

    it('POST /_dev/reset wipes API-created pools and declares the configured ones again', async () => {
      const server: TestServer = await startServer(store.name, { userPools: declaredPools() }, {}, await freshStore());
      try {
        const idp = server.idp();
        const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'scratch' }));
        await idp.send(new CreateUserPoolClientCommand({ UserPoolId: POOL_ID, ClientName: 'scratch-client' }));
        assert.equal((await allPools(idp)).length, 3);

        const response = await fetch(`${server.url}/_dev/reset`, { method: 'POST' });
        assert.equal(response.status, 200);
        assert.deepEqual(await response.json(), { reset: true });

        const pools = await allPools(idp);
        assert.deepEqual(pools.map((p) => p.Name).sort(), ['declared', 'derived']);
        assert.ok(!pools.some((p) => p.Id === UserPool!.Id));
        await assert.rejects(idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id })), { name: 'ResourceNotFoundException' });
        assert.deepEqual((await clientsOf(idp, POOL_ID)).map((c) => c.ClientId).sort(), [SERVER_CLIENT, WEB_CLIENT].sort());
        assert.equal((await describeClient(idp, POOL_ID, SERVER_CLIENT)).ClientSecret, SERVER_SECRET);
      } finally {
        await server.stop();
      }
    });

    it('production mode has no /_dev routes', async () => {
      const server = await startServer(
        store.name,
        { mode: 'production', secretsKey: 'k'.repeat(32), accessKeys: [ANY_CREDENTIALS], userPools: declaredPools() },
        {},
        await freshStore(),
      );
      try {
        const idp = server.idp();
        const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'keep-me' }));
        const reset = await fetch(`${server.url}/_dev/reset`, { method: 'POST' });
        // Absent: answered exactly as a path that never existed is.
        const nowhere = await fetch(`${server.url}/_dev/no-such-route`, { method: 'POST' });
        assert.equal(reset.status, 404);
        assert.equal(reset.status, nowhere.status);
        assert.notDeepEqual(await reset.json(), { reset: true });
        assert.equal(reset.headers.get('x-amzn-errortype'), nowhere.headers.get('x-amzn-errortype'));
        // Nothing was wiped.
        assert.equal((await idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool!.Name, 'keep-me');
        assert.equal((await describePool(idp, POOL_ID)).Name, 'declared');
      } finally {
        await server.stop();
      }
    });
  });
}

describe('production configuration', () => {
  it('needs a secrets key of at least 32 characters', () => {
    assert.throws(() => loadConfig({ mode: 'production' }, {}), (error: Error) => error instanceof ConfigError && /secretsKey/.test(error.message));
    assert.throws(
      () => loadConfig({ mode: 'production' }, { GATEHOUSE_SECRETS_KEY: 'k'.repeat(31) }),
      (error: Error) => error instanceof ConfigError && /secretsKey: the secrets key must be at least 32 characters/.test(error.message),
    );
    assert.equal(loadConfig({ mode: 'production' }, { GATEHOUSE_SECRETS_KEY: 'k'.repeat(32) }).mode, 'production');
  });
});
