import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, type TestServer } from './helpers/server.js';
import { rawRow, STORES, type TestStore } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';

/** The app client's row exactly as the database holds it, read past Gatehouse's repositories. */
const rawClientRow = (store: TestStore, clientId: string) => rawRow(store, 'user_pool_clients', { client_id: clientId });

const MISSING_POOL = 'us-east-1_missing00';

for (const store of STORES) {
  describe(`app clients through the AWS SDK (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    const create = async (input: Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName'> & { ClientName?: string }) =>
      (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ...input }))).UserPoolClient!;

    before(async () => {
      server = await startServer(store.name);
      idp = server.idp();
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({ PoolName: 'clients', Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] }),
      );
      poolId = UserPool!.Id!;
    });
    after(() => server?.close());

    it('CreateUserPoolClient applies Cognito defaults, with no secret unless asked', async () => {
      const client = await create({ ClientName: 'defaults' });
      assert.match(client.ClientId!, /^[a-z0-9]{26}$/);
      assert.equal(client.UserPoolId, poolId);
      assert.equal(client.ClientName, 'defaults');
      assert.equal(client.ClientSecret, undefined);
      // 30 days, 1 hour, 1 hour — in the units a request defaults to (TOKENS.md §1).
      assert.equal(client.RefreshTokenValidity, 30);
      assert.equal(client.AccessTokenValidity, 1);
      assert.equal(client.IdTokenValidity, 1);
      assert.deepEqual(client.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'hours', RefreshToken: 'days' });
      assert.equal(client.EnableTokenRevocation, true);
      assert.equal(client.AuthSessionValidity, 3);
      assert.equal(client.PreventUserExistenceErrors, 'LEGACY');
      assert.equal(client.AllowedOAuthFlowsUserPoolClient, false);
      assert.equal(client.EnablePropagateAdditionalUserContextData, false);
      assert.equal(client.ExplicitAuthFlows, undefined);
      assert.ok(client.CreationDate instanceof Date && Math.abs(client.CreationDate.getTime() - Date.now()) < 60_000);
      assert.deepEqual(client.LastModifiedDate, client.CreationDate);

      const described = (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }))).UserPoolClient;
      assert.deepEqual(described, client);
      assert.notEqual((await create({})).ClientId, client.ClientId, 'every client gets its own id');
    });

    it('GenerateSecret gives a 51-character secret that DescribeUserPoolClient returns again', async () => {
      const client = await create({ GenerateSecret: true });
      assert.match(client.ClientSecret!, /^[a-z0-9]{51}$/);
      const described = (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }))).UserPoolClient!;
      assert.equal(described.ClientSecret, client.ClientSecret);
      assert.notEqual((await create({ GenerateSecret: true })).ClientSecret, client.ClientSecret);
      // GenerateSecret false is the same as leaving it out.
      assert.equal((await create({ GenerateSecret: false })).ClientSecret, undefined);
    });

    it('accepts a caller-chosen ClientSecret, and refuses it together with GenerateSecret', async () => {
      const secret = 'my_own_client_secret_0123456789';
      const client = await create({ ClientSecret: secret });
      assert.equal(client.ClientSecret, secret);
      assert.equal(
        (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }))).UserPoolClient!.ClientSecret,
        secret,
      );
      await rejects(create({ GenerateSecret: true, ClientSecret: secret }), 'InvalidParameterException', /GenerateSecret/);
      // The model's ClientSecretType: 24-64 of [\w+]. The secret is sensitive, so the message must not echo it.
      await assert.rejects(create({ ClientSecret: 'too_short_secret' }), (error: Error) => {
        assert.equal(error.name, 'InvalidParameterException');
        assert.match(error.message, /clientSecret/);
        assert.doesNotMatch(error.message, /too_short_secret/);
        return true;
      });
      await rejects(create({ ClientSecret: 'has-dashes-which-the-model-refuses' }), 'InvalidParameterException', /clientSecret/);
    });

    it('UpdateUserPoolClient replaces the settings (left-out ones return to defaults) and keeps the secret', async () => {
      const client = await create({
        ClientName: 'before',
        GenerateSecret: true,
        AccessTokenValidity: 2,
        RefreshTokenValidity: 7,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: false,
        ReadAttributes: ['email', 'custom:tenant'],
        AuthSessionValidity: 10,
      });
      assert.equal(client.AccessTokenValidity, 2);
      assert.deepEqual(client.ReadAttributes, ['email', 'custom:tenant']);

      const { UserPoolClient: updated } = await idp.send(
        new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ClientName: 'after', IdTokenValidity: 30, TokenValidityUnits: { IdToken: 'minutes' } }),
      );
      assert.equal(updated!.ClientName, 'after');
      assert.equal(updated!.ClientId, client.ClientId);
      assert.equal(updated!.ClientSecret, client.ClientSecret);
      assert.equal(updated!.IdTokenValidity, 30);
      assert.deepEqual(updated!.TokenValidityUnits, { AccessToken: 'hours', IdToken: 'minutes', RefreshToken: 'days' });
      // Everything the update left out is back to its default, as Cognito's API reference warns.
      assert.equal(updated!.AccessTokenValidity, 1);
      assert.equal(updated!.RefreshTokenValidity, 30);
      assert.equal(updated!.ExplicitAuthFlows, undefined);
      assert.equal(updated!.ReadAttributes, undefined);
      assert.equal(updated!.PreventUserExistenceErrors, 'LEGACY');
      assert.equal(updated!.EnableTokenRevocation, true);
      assert.equal(updated!.AuthSessionValidity, 3);
      assert.deepEqual(updated!.CreationDate, client.CreationDate);
      assert.ok(updated!.LastModifiedDate!.getTime() >= client.LastModifiedDate!.getTime());

      const described = (await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }))).UserPoolClient!;
      assert.deepEqual(described, updated);
      // A name left out of the update stays: a client always has one.
      const renamed = await idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }));
      assert.equal(renamed.UserPoolClient!.ClientName, 'after');
      // A public client stays public.
      const open = await create({});
      const openUpdated = await idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: open.ClientId, ClientName: 'still-public' }));
      assert.equal(openUpdated.UserPoolClient!.ClientSecret, undefined);
      await rejects(
        idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: 'nosuchclient0000000000000a' })),
        'ResourceNotFoundException',
        /User pool client nosuchclient0000000000000a does not exist\./,
      );
    });

    it('refuses token validity outside Cognito ranges, on create and on update', async () => {
      const bad: [string, Parameters<typeof create>[0]][] = [
        ['access over a day', { AccessTokenValidity: 25 }],
        ['access under 5 minutes', { AccessTokenValidity: 4, TokenValidityUnits: { AccessToken: 'minutes' } }],
        ['id over a day', { IdTokenValidity: 2, TokenValidityUnits: { IdToken: 'days' } }],
        ['id under 5 minutes', { IdTokenValidity: 299, TokenValidityUnits: { IdToken: 'seconds' } }],
        ['refresh over 10 years', { RefreshTokenValidity: 3651 }],
        ['refresh under an hour', { RefreshTokenValidity: 59, TokenValidityUnits: { RefreshToken: 'minutes' } }],
        ['refresh shorter than access', { AccessTokenValidity: 3, RefreshTokenValidity: 2, TokenValidityUnits: { RefreshToken: 'hours' } }],
        ['beyond the model range', { AccessTokenValidity: 86401 }],
      ];
      for (const [what, input] of bad) {
        await assert.rejects(create(input), (error: Error) => {
          assert.equal(error.name, 'InvalidParameterException', `${what}: ${error.name} ${error.message}`);
          return true;
        });
      }
      const ok = await create({});
      await rejects(
        idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: ok.ClientId, AccessTokenValidity: 25 })),
        'InvalidParameterException',
        /AccessTokenValidity/,
      );
    });

    it('accepts the edges of the ranges and keeps validity values whole numbers', async () => {
      const edges = await create({
        AccessTokenValidity: 5,
        IdTokenValidity: 86400,
        RefreshTokenValidity: 3650,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'seconds', RefreshToken: 'days' },
      });
      assert.equal(edges.AccessTokenValidity, 5);
      assert.equal(edges.IdTokenValidity, 86400);
      assert.equal(edges.RefreshTokenValidity, 3650);
      // A refresh validity of 0 means "not given": 30 days.
      assert.equal((await create({ RefreshTokenValidity: 0 })).RefreshTokenValidity, 30);
      // Units without a value: the one-hour default must still be an integer on the wire (the model's type).
      const daysOnly = await create({ TokenValidityUnits: { AccessToken: 'days', IdToken: 'days', RefreshToken: 'hours' } });
      for (const value of [daysOnly.AccessTokenValidity, daysOnly.IdTokenValidity, daysOnly.RefreshTokenValidity]) {
        assert.ok(Number.isInteger(value), `validity ${value} is an integer`);
      }
      const seconds = { days: 86400, hours: 3600, minutes: 60, seconds: 1 } as const;
      const units = daysOnly.TokenValidityUnits!;
      assert.equal(daysOnly.AccessTokenValidity! * seconds[units.AccessToken!], 3600);
      assert.equal(daysOnly.IdTokenValidity! * seconds[units.IdToken!], 3600);
      assert.equal(daysOnly.RefreshTokenValidity, 720);
      assert.equal(units.RefreshToken, 'hours');
    });

    it('applies the OAuth rules', async () => {
      await rejects(create({ AllowedOAuthFlowsUserPoolClient: true }), 'InvalidOAuthFlowException');
      await rejects(
        create({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: ['openid'] }),
        'InvalidOAuthFlowException',
        /client secret/,
      );
      await rejects(
        create({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['api/read'], CallbackURLs: ['https://app.example/cb'] }),
        'ScopeDoesNotExistException',
        /api\/read/,
      );
      await rejects(
        create({ AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code'], AllowedOAuthScopes: ['openid'], CallbackURLs: ['http://app.example/cb'] }),
        'InvalidParameterException',
        /HTTPS/,
      );
      await rejects(create({ CallbackURLs: ['https://app.example/cb#frag'] }), 'InvalidParameterException');
      await rejects(create({ LogoutURLs: ['http://app.example/bye'] }), 'InvalidParameterException');
      await rejects(
        create({ CallbackURLs: ['https://app.example/cb'], DefaultRedirectURI: 'https://app.example/other' }),
        'InvalidParameterException',
        /DefaultRedirectURI/,
      );

      const client = await create({
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'email', 'profile'],
        SupportedIdentityProviders: ['COGNITO'],
        CallbackURLs: ['https://app.example/cb', 'http://localhost:3000/cb', 'myapp://callback'],
        LogoutURLs: ['http://127.0.0.1:3000/bye'],
        DefaultRedirectURI: 'https://app.example/cb',
      });
      assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
      assert.deepEqual(client.AllowedOAuthFlows, ['code']);
      assert.deepEqual(client.AllowedOAuthScopes, ['openid', 'email', 'profile']);
      assert.deepEqual(client.CallbackURLs, ['https://app.example/cb', 'http://localhost:3000/cb', 'myapp://callback']);
      assert.equal(client.DefaultRedirectURI, 'https://app.example/cb');
      // The same rules hold on update.
      await rejects(
        idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, AllowedOAuthFlowsUserPoolClient: true })),
        'InvalidOAuthFlowException',
      );
    });

    it('refuses ReadAttributes and WriteAttributes the pool does not have', async () => {
      await rejects(create({ ReadAttributes: ['email', 'custom:nope'] }), 'InvalidParameterException', /custom:nope/);
      await rejects(create({ WriteAttributes: ['shoe_size'] }), 'InvalidParameterException', /shoe_size/);
      await rejects(create({ WriteAttributes: ['sub'] }), 'InvalidParameterException', /sub/);
      const client = await create({ ReadAttributes: ['email', 'email_verified', 'custom:tenant'], WriteAttributes: ['email', 'custom:tenant'] });
      assert.deepEqual(client.WriteAttributes, ['email', 'custom:tenant']);
      await rejects(
        idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ReadAttributes: ['custom:nope'] })),
        'InvalidParameterException',
      );
    });

    it('ListUserPoolClients pages with MaxResults and NextToken, and never lists secrets', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'listing' }));
      const listPool = UserPool!.Id!;
      const created: string[] = [];
      for (let i = 0; i < 5; i++) {
        const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: listPool, ClientName: `c${i}`, GenerateSecret: true }));
        created.push(UserPoolClient!.ClientId!);
      }
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: listPool, MaxResults: 2, NextToken }));
        assert.ok(page.UserPoolClients!.length <= 2);
        for (const entry of page.UserPoolClients!) {
          assert.deepEqual(Object.keys(entry).sort(), ['ClientId', 'ClientName', 'UserPoolId']);
          assert.equal(entry.UserPoolId, listPool);
          seen.push(entry.ClientId!);
        }
        NextToken = page.NextToken;
        pages++;
      } while (NextToken);
      assert.equal(pages, 3);
      assert.deepEqual([...seen].sort(), [...created].sort());
      assert.equal(new Set(seen).size, seen.length, 'no client twice');

      const all = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: listPool }));
      assert.equal(all.UserPoolClients!.length, 5);
      assert.equal(all.NextToken, undefined);
      const first = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: listPool, MaxResults: 2 }));
      // A token belongs to its listing: another pool's listing refuses it.
      await rejects(idp.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, NextToken: first.NextToken })), 'InvalidParameterException');
      await rejects(idp.send(new ListUserPoolClientsCommand({ UserPoolId: listPool, MaxResults: 0 })), 'InvalidParameterException', /maxResults/);
      await rejects(idp.send(new ListUserPoolClientsCommand({ UserPoolId: listPool, MaxResults: 61 })), 'InvalidParameterException', /maxResults/);
    });

    it('DeleteUserPoolClient removes the client; a client is only found in its own pool', async () => {
      const client = await create({ GenerateSecret: true });
      const { UserPool: other } = await idp.send(new CreateUserPoolCommand({ PoolName: 'other' }));
      await rejects(
        idp.send(new DescribeUserPoolClientCommand({ UserPoolId: other!.Id, ClientId: client.ClientId })),
        'ResourceNotFoundException',
        /User pool client .* does not exist\./,
      );
      await rejects(idp.send(new DeleteUserPoolClientCommand({ UserPoolId: other!.Id, ClientId: client.ClientId })), 'ResourceNotFoundException');

      await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }));
      await rejects(
        idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId })),
        'ResourceNotFoundException',
        new RegExp(`User pool client ${client.ClientId} does not exist\\.`),
      );
      await rejects(idp.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId })), 'ResourceNotFoundException');
      const listed = await idp.send(new ListUserPoolClientsCommand({ UserPoolId: poolId, MaxResults: 60 }));
      assert.ok(!listed.UserPoolClients!.some((c) => c.ClientId === client.ClientId));
    });

    it('every client operation on a missing pool is ResourceNotFoundException', async () => {
      const message = new RegExp(`^User pool ${MISSING_POOL} does not exist\\.$`);
      const ClientId = 'nosuchclient0000000000000a';
      await rejects(idp.send(new CreateUserPoolClientCommand({ UserPoolId: MISSING_POOL, ClientName: 'x' })), 'ResourceNotFoundException', message);
      await rejects(idp.send(new DescribeUserPoolClientCommand({ UserPoolId: MISSING_POOL, ClientId })), 'ResourceNotFoundException', message);
      await rejects(idp.send(new UpdateUserPoolClientCommand({ UserPoolId: MISSING_POOL, ClientId })), 'ResourceNotFoundException', message);
      await rejects(idp.send(new DeleteUserPoolClientCommand({ UserPoolId: MISSING_POOL, ClientId })), 'ResourceNotFoundException', message);
      await rejects(idp.send(new ListUserPoolClientsCommand({ UserPoolId: MISSING_POOL })), 'ResourceNotFoundException', message);
      await assert.rejects(idp.send(new ListUserPoolClientsCommand({ UserPoolId: MISSING_POOL })), (error: { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(error.$metadata?.httpStatusCode, 404);
        return true;
      });
    });

    it('stores the client secret encrypted at rest', async () => {
      const chosen = 'plain_text_secret_must_not_be_stored_0001';
      const withChosen = await create({ ClientSecret: chosen });
      const generated = await create({ GenerateSecret: true });
      for (const [client, secret] of [
        [withChosen, chosen],
        [generated, generated.ClientSecret!],
      ] as const) {
        const row = await rawClientRow(server.store, client.ClientId!);
        assert.ok(row, 'the row exists');
        assert.equal(typeof row.secret, 'string');
        assert.match(row.secret as string, /^v1\./, 'sealed by the secret box');
        assert.ok(!JSON.stringify(row).includes(secret), 'the plaintext secret appears nowhere in the row');
        // The stored value is what the repositories see too; only the service decrypts it.
        const stored = await server.gatehouse.services.repos.appClients.get(poolId, client.ClientId!);
        assert.equal(stored!.encryptedSecret, row.secret);
      }
      const open = await create({});
      assert.equal((await rawClientRow(server.store, open.ClientId!)).secret, null);
    });
  });
}
