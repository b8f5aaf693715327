import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  CreateIdentityProviderCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteIdentityProviderCommand,
  DeleteUserPoolCommand,
  DescribeIdentityProviderCommand,
  GetIdentityProviderByIdentifierCommand,
  ListIdentityProvidersCommand,
  UpdateIdentityProviderCommand,
  UpdateUserPoolClientCommand,
  type CognitoIdentityProviderClient,
  type CreateIdentityProviderRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { openedDetails } from '../src/federation/identity-providers.js';
import { appleKey } from './helpers/apple-idp.js';
import { rejects } from './helpers/assertions.js';
import { droppingPort } from './helpers/dropping-port.js';
import { startServer, type TestServer } from './helpers/server.js';
import { rawRow, STORES } from './helpers/stores.js';

/**
 * A tiny OpenID provider on loopback, serving only discovery documents: its own at the root and at
 * /tenant; /broken answers 500; /impostor's document names another issuer. `asked` lists the paths fetched.
 */
async function startIssuer(): Promise<{ url: string; asked: string[]; close(): Promise<void> }> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(request.url ?? '');
    const prefix = /^(\/\w+)?\/\.well-known\/openid-configuration$/.exec(request.url ?? '')?.[1] ?? '';
    if (!request.url?.endsWith('/.well-known/openid-configuration') || prefix === '/broken') return void response.writeHead(prefix ? 500 : 404).end();
    const self = `http://127.0.0.1:${(server.address() as AddressInfo).port}${prefix}`;
    const issuer = prefix === '/impostor' ? 'https://elsewhere.example.com' : self;
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ issuer, authorization_endpoint: `${self}/authorize`, token_endpoint: `${self}/token`, userinfo_endpoint: `${self}/userinfo`, jwks_uri: `${self}/jwks` }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, asked, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const OIDC_SECRET = 'oidc-client-secret-never-stored-in-clear';
const GOOGLE_SECRET = 'google-client-secret-never-stored-in-clear';

for (const store of STORES) {
  describe(`user pool identity providers (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let issuer: Awaited<ReturnType<typeof startIssuer>>;
    let poolId: string;

    const newPool = async () =>
      (await idp.send(new CreateUserPoolCommand({ PoolName: 'federated', Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] }))).UserPool!.Id!;

    before(async () => {
      server = await startServer(store.name);
      idp = server.idp();
      issuer = await startIssuer();
      poolId = await newPool();
    });
    after(async () => {
      await issuer?.close();
      await server?.close();
    });

    const oidcDetails = (extra: Record<string, string> = {}) => ({
      client_id: 'gatehouse-rp',
      client_secret: OIDC_SECRET,
      authorize_scopes: 'openid email',
      attributes_request_method: 'GET',
      oidc_issuer: issuer.url,
      ...extra,
    });
    const create = (request: Omit<CreateIdentityProviderRequest, 'UserPoolId'>, pool = poolId) =>
      idp.send(new CreateIdentityProviderCommand({ UserPoolId: pool, ...request }));
    const describeProvider = async (ProviderName: string, pool = poolId) =>
      (await idp.send(new DescribeIdentityProviderCommand({ UserPoolId: pool, ProviderName }))).IdentityProvider!;

    it('creates an OIDC provider with the endpoints of its discovery document, its client secret sealed at rest', async () => {
      const { IdentityProvider: created } = await create({
        ProviderName: 'Corp',
        ProviderType: 'OIDC',
        ProviderDetails: oidcDetails(),
        AttributeMapping: { email: 'email', 'custom:tenant': 'tid' },
        IdpIdentifiers: ['corp.example.com'],
      });
      assert.deepEqual(created!.ProviderDetails, {
        ...oidcDetails(),
        authorize_url: `${issuer.url}/authorize`,
        token_url: `${issuer.url}/token`,
        attributes_url: `${issuer.url}/userinfo`,
        jwks_uri: `${issuer.url}/jwks`,
        attributes_url_add_attributes: 'false',
      });
      assert.deepEqual(created!.AttributeMapping, { username: 'sub', email: 'email', 'custom:tenant': 'tid' }, 'the user name is the sub claim unless mapped');
      assert.deepEqual([created!.ProviderType, created!.UserPoolId, created!.IdpIdentifiers], ['OIDC', poolId, ['corp.example.com']]);

      // Sealed in the database, whole row and repository alike; opened for Describe and the sign-in flow.
      const row = await rawRow(server.store, 'identity_providers', { pool_id: poolId, provider_name: 'Corp' });
      assert.ok(row, 'the row exists');
      assert.ok(!JSON.stringify(row).includes(OIDC_SECRET), 'the plaintext secret appears nowhere in the row');
      const stored = await server.gatehouse.services.repos.identityProviders.get(poolId, 'Corp');
      assert.match(stored!.details.client_secret!, /^v1\./);
      assert.equal(openedDetails(server.gatehouse.services, stored!).client_secret, OIDC_SECRET);
      assert.equal((await describeProvider('Corp')).ProviderDetails?.client_secret, OIDC_SECRET);

      const byIdentifier = await idp.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'corp.example.com' }));
      assert.deepEqual(byIdentifier.IdentityProvider, await describeProvider('Corp'));
    });

    it('takes the endpoints an OIDC provider is given without asking its discovery document', async () => {
      const explicit = { authorize_url: `${issuer.url}/nowhere/authorize`, token_url: `${issuer.url}/nowhere/token`, jwks_uri: `${issuer.url}/nowhere/jwks` };
      const asked = issuer.asked.length;
      const { IdentityProvider: created } = await create({ ProviderName: 'Explicit', ProviderType: 'OIDC', ProviderDetails: oidcDetails({ oidc_issuer: `${issuer.url}/nowhere`, ...explicit }) });
      assert.equal(issuer.asked.length, asked, 'no discovery request');
      assert.deepEqual(created!.ProviderDetails, { ...oidcDetails({ oidc_issuer: `${issuer.url}/nowhere` }), ...explicit, attributes_url_add_attributes: 'false' });
      // An issuer with a path is discovered under it.
      const { IdentityProvider: tenant } = await create({ ProviderName: 'Tenant', ProviderType: 'OIDC', ProviderDetails: oidcDetails({ oidc_issuer: `${issuer.url}/tenant` }) });
      assert.equal(tenant!.ProviderDetails?.token_url, `${issuer.url}/tenant/token`);
    });

    it('fills in the endpoints Cognito shows for the social providers, never showing Apple\'s private key', async () => {
      const pool = await newPool();
      const { IdentityProvider: google } = await create(
        { ProviderName: 'Google', ProviderType: 'Google', ProviderDetails: { client_id: 'g.apps.googleusercontent.com', client_secret: GOOGLE_SECRET, authorize_scopes: 'email profile openid' } },
        pool,
      );
      assert.deepEqual(google!.ProviderDetails, {
        attributes_url: 'https://people.googleapis.com/v1/people/me?personFields=',
        attributes_url_add_attributes: 'true',
        authorize_scopes: 'email profile openid',
        authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
        client_id: 'g.apps.googleusercontent.com',
        client_secret: GOOGLE_SECRET,
        oidc_issuer: 'https://accounts.google.com',
        token_request_method: 'POST',
        token_url: 'https://www.googleapis.com/oauth2/v4/token',
      });
      assert.equal((await server.gatehouse.services.repos.identityProviders.get(pool, 'Google'))!.details.client_secret!.startsWith('v1.'), true);

      const { IdentityProvider: facebook } = await create(
        { ProviderName: 'Facebook', ProviderType: 'Facebook', ProviderDetails: { client_id: '1234', client_secret: 'fb-secret', authorize_scopes: 'public_profile, email', api_version: 'v17.0' } },
        pool,
      );
      assert.equal(facebook!.ProviderDetails?.authorize_url, 'https://www.facebook.com/v17.0/dialog/oauth');
      assert.equal(facebook!.ProviderDetails?.token_url, 'https://graph.facebook.com/v17.0/oauth/access_token');
      assert.equal(facebook!.AttributeMapping?.username, 'id');

      const appleDetails = { client_id: 'com.example.web', team_id: 'TEAM', key_id: 'KEY', private_key: appleKey().pem, authorize_scopes: 'email name' };
      await rejects(
        create({ ProviderName: 'SignInWithApple', ProviderType: 'SignInWithApple', ProviderDetails: { ...appleDetails, private_key: 'not-a-key' } }, pool),
        'InvalidParameterException',
        /private_key must be the PEM of an EC P-256 private key/,
      );
      const { IdentityProvider: apple } = await create({ ProviderName: 'SignInWithApple', ProviderType: 'SignInWithApple', ProviderDetails: appleDetails }, pool);
      assert.equal(apple!.ProviderDetails?.private_key, undefined, 'Describe never returns the private key');
      assert.equal(apple!.ProviderDetails?.token_url, 'https://appleid.apple.com/auth/token');
      const stored = await server.gatehouse.services.repos.identityProviders.get(pool, 'SignInWithApple');
      assert.equal(openedDetails(server.gatehouse.services, stored!).private_key, appleDetails.private_key);
    });

    it('stores a SAML provider\'s metadata as given', async () => {
      const metadata = '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://saml.example.com"/>';
      const details = { MetadataFile: metadata, IDPSignout: 'true', RequestSigningAlgorithm: 'rsa-sha256' };
      const { IdentityProvider: saml } = await create({ ProviderName: 'CorpSAML', ProviderType: 'SAML', ProviderDetails: details, AttributeMapping: { email: 'mail' } });
      assert.deepEqual(saml!.ProviderDetails, details);
      assert.deepEqual(saml!.AttributeMapping, { email: 'mail' }, 'no user name claim: SAML names the user with its NameID');
      await rejects(create({ ProviderName: 'NoMeta', ProviderType: 'SAML', ProviderDetails: { IDPSignout: 'true' } }), 'InvalidParameterException', /exactly one of MetadataURL and MetadataFile/);
      await rejects(
        create({ ProviderName: 'TwoMeta', ProviderType: 'SAML', ProviderDetails: { MetadataFile: metadata, MetadataURL: 'https://saml.example.com/metadata' } }),
        'InvalidParameterException',
        /exactly one of MetadataURL and MetadataFile/,
      );
    });

    it('updates what the request gives, keeping a client secret it leaves out, and frees replaced identifiers', async () => {
      await create({ ProviderName: 'Changing', ProviderType: 'OIDC', ProviderDetails: oidcDetails(), IdpIdentifiers: ['old.example.com'] });
      const { IdentityProvider: updated } = await idp.send(
        new UpdateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Changing',
          ProviderDetails: { client_id: 'gatehouse-rp-2', authorize_scopes: 'openid', attributes_request_method: 'POST', oidc_issuer: `${issuer.url}/tenant` },
          AttributeMapping: { email: 'mail', username: 'oid' },
          IdpIdentifiers: ['new.example.com'],
        }),
      );
      assert.equal(updated!.ProviderType, 'OIDC');
      assert.equal(updated!.ProviderDetails?.client_secret, OIDC_SECRET, 'the secret left out is kept');
      assert.equal(updated!.ProviderDetails?.client_id, 'gatehouse-rp-2');
      assert.equal(updated!.ProviderDetails?.authorize_url, `${issuer.url}/tenant/authorize`, 'discovered again');
      assert.deepEqual(updated!.AttributeMapping, { username: 'oid', email: 'mail' });
      assert.deepEqual(await describeProvider('Changing'), updated);
      await rejects(idp.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'old.example.com' })), 'ResourceNotFoundException');
      assert.equal((await idp.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'new.example.com' }))).IdentityProvider?.ProviderName, 'Changing');
      await create({ ProviderName: 'Taker', ProviderType: 'OIDC', ProviderDetails: oidcDetails(), IdpIdentifiers: ['old.example.com'] });

      // Only the mapping: the details stay as they were.
      const { IdentityProvider: remapped } = await idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Changing', AttributeMapping: { name: 'name' } }));
      assert.deepEqual(remapped!.ProviderDetails, updated!.ProviderDetails);
      assert.deepEqual(remapped!.AttributeMapping, { username: 'sub', name: 'name' });
    });

    it('lists providers by name, a page at a time', async () => {
      const pool = await newPool();
      for (const name of ['Gamma', 'Alpha', 'Beta']) await create({ ProviderName: name, ProviderType: 'OIDC', ProviderDetails: oidcDetails() }, pool);
      const first = await idp.send(new ListIdentityProvidersCommand({ UserPoolId: pool, MaxResults: 2 }));
      assert.deepEqual(first.Providers?.map((p) => [p.ProviderName, p.ProviderType]), [['Alpha', 'OIDC'], ['Beta', 'OIDC']]);
      assert.ok(first.Providers![0]!.CreationDate instanceof Date);
      const second = await idp.send(new ListIdentityProvidersCommand({ UserPoolId: pool, MaxResults: 2, NextToken: first.NextToken }));
      assert.deepEqual(second.Providers?.map((p) => p.ProviderName), ['Gamma']);
      assert.equal(second.NextToken, undefined);
      await rejects(idp.send(new ListIdentityProvidersCommand({ UserPoolId: poolId, NextToken: first.NextToken })), 'InvalidParameterException', /Paging marker/);
    });

    it('deletes a provider, its identifiers with it, and a pool\'s providers with the pool', async () => {
      const pool = await newPool();
      await create({ ProviderName: 'Leaving', ProviderType: 'OIDC', ProviderDetails: oidcDetails(), IdpIdentifiers: ['leaving.example.com'] }, pool);
      await idp.send(new DeleteIdentityProviderCommand({ UserPoolId: pool, ProviderName: 'Leaving' }));
      await rejects(describeProvider('Leaving', pool), 'ResourceNotFoundException');
      await create({ ProviderName: 'Staying', ProviderType: 'OIDC', ProviderDetails: oidcDetails(), IdpIdentifiers: ['leaving.example.com'] }, pool);

      await idp.send(new DeleteUserPoolCommand({ UserPoolId: pool }));
      assert.equal(await rawRow(server.store, 'identity_providers', { pool_id: pool }), undefined);
      assert.equal(await rawRow(server.store, 'identity_provider_identifiers', { pool_id: pool }), undefined);
    });

    it('refuses a taken name or identifier, a missing or unknown detail, and a social provider not named for its type', async () => {
      const oidc = (ProviderName: string, extra: Partial<CreateIdentityProviderRequest> = {}) => create({ ProviderName, ProviderType: 'OIDC', ProviderDetails: oidcDetails(), ...extra });
      await oidc('Dup', { IdpIdentifiers: ['dup.example.com'] });
      await rejects(oidc('Dup'), 'DuplicateProviderException', new RegExp(`Dup already exists in user pool ${poolId}`));
      await rejects(oidc('Other', { IdpIdentifiers: ['other.example.com', 'dup.example.com'] }), 'DuplicateProviderException', /dup\.example\.com is already used/);
      // The provider whose identifier was taken was not written either.
      await rejects(describeProvider('Other'), 'ResourceNotFoundException', /Identity provider Other does not exist/);
      await rejects(
        idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp', IdpIdentifiers: ['dup.example.com'] })),
        'DuplicateProviderException',
        /dup\.example\.com is already used/,
      );
      await rejects(oidc('Twice', { IdpIdentifiers: ['twice.example.com', 'twice.example.com'] }), 'InvalidParameterException', /more than once/);

      const google = (ProviderName: string, ProviderDetails: Record<string, string>) => create({ ProviderName, ProviderType: 'Google', ProviderDetails });
      await rejects(google('Google', { client_id: 'g', authorize_scopes: 'openid' }), 'InvalidParameterException', /must have client_secret/);
      await rejects(google('Google', { client_id: 'g', client_secret: 's', authorize_scopes: 'openid', team_id: 'x' }), 'InvalidParameterException', /team_id is not a ProviderDetails key/);
      await rejects(google('MyGoogle', { client_id: 'g', client_secret: 's', authorize_scopes: 'openid' }), 'InvalidParameterException', /Provider MyGoogle cannot be of type Google/);
      await rejects(
        create({ ProviderName: 'NoSecret', ProviderType: 'OIDC', ProviderDetails: { ...oidcDetails(), client_secret: '' } }),
        'InvalidParameterException',
        /must have client_secret/,
      );
      await rejects(create({ ProviderName: 'COGNITO', ProviderType: 'OIDC', ProviderDetails: oidcDetails() }), 'InvalidParameterException', /own directory/);
      await rejects(idp.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'COGNITO' })), 'UnsupportedIdentityProviderException');
    });

    it('refuses an issuer or endpoint that is not https (nor loopback), and one whose discovery fails', async () => {
      const oidc = (ProviderDetails: Record<string, string>) => create({ ProviderName: 'Bad', ProviderType: 'OIDC', ProviderDetails });
      await rejects(oidc(oidcDetails({ oidc_issuer: 'http://idp.example.com' })), 'InvalidParameterException', /oidc_issuer must be an https URL/);
      await rejects(
        oidc(oidcDetails({ oidc_issuer: 'https://idp.example.com', authorize_url: 'http://idp.example.com/authorize', token_url: 'https://idp.example.com/token', jwks_uri: 'https://idp.example.com/jwks' })),
        'InvalidParameterException',
        /authorize_url must be an https URL/,
      );
      await rejects(oidc(oidcDetails({ attributes_request_method: 'PUT' })), 'InvalidParameterException', /GET or POST/);
      await rejects(oidc(oidcDetails({ oidc_issuer: `${issuer.url}/broken` })), 'InvalidParameterException', /discovery document .*answered 500/);
      await rejects(oidc(oidcDetails({ oidc_issuer: `${issuer.url}/impostor` })), 'InvalidParameterException', /names another issuer/);
      await rejects(oidc(oidcDetails({ oidc_issuer: `http://127.0.0.1:${await droppingPort()}` })), 'InvalidParameterException', /discovery document/);
      await rejects(describeProvider('Bad'), 'ResourceNotFoundException');
    });

    it('refuses a mapping to an attribute the pool does not have', async () => {
      const mapped = (AttributeMapping: Record<string, string>) => create({ ProviderName: 'Mapped', ProviderType: 'OIDC', ProviderDetails: oidcDetails(), AttributeMapping });
      await rejects(mapped({ 'custom:nope': 'x' }), 'InvalidParameterException', /custom:nope in AttributeMapping does not exist/);
      await rejects(mapped({ sub: 'sub' }), 'InvalidParameterException', /sub cannot be mapped/);
      await rejects(
        idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Corp', AttributeMapping: { shoe_size: 'shoe' } })),
        'InvalidParameterException',
        /shoe_size/,
      );
    });

    it('answers ResourceNotFoundException for a provider or identifier the pool does not have', async () => {
      await rejects(describeProvider('Nobody'), 'ResourceNotFoundException', new RegExp(`Nobody does not exist in user pool ${poolId}`));
      await rejects(idp.send(new UpdateIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Nobody', AttributeMapping: { email: 'email' } })), 'ResourceNotFoundException');
      await rejects(idp.send(new DeleteIdentityProviderCommand({ UserPoolId: poolId, ProviderName: 'Nobody' })), 'ResourceNotFoundException');
      await rejects(idp.send(new GetIdentityProviderByIdentifierCommand({ UserPoolId: poolId, IdpIdentifier: 'nobody.example.com' })), 'ResourceNotFoundException', /has the identifier nobody\.example\.com/);
      await rejects(idp.send(new ListIdentityProvidersCommand({ UserPoolId: 'us-east-1_missing00' })), 'ResourceNotFoundException', /User pool/);
    });

    it('lets an app client list COGNITO and the pool\'s providers, nothing else', async () => {
      const pool = await newPool();
      const client = (SupportedIdentityProviders: string[]) => idp.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'web', SupportedIdentityProviders }));
      await rejects(client(['COGNITO', 'Partner']), 'InvalidParameterException', new RegExp(`^The provider Partner does not exist for User Pool ${pool}$`));
      const { UserPoolClient: created } = await client(['COGNITO']);
      const update = (SupportedIdentityProviders: string[]) =>
        idp.send(new UpdateUserPoolClientCommand({ UserPoolId: pool, ClientId: created!.ClientId, SupportedIdentityProviders }));
      await rejects(update(['Partner']), 'InvalidParameterException', /The provider Partner does not exist/);

      await create({ ProviderName: 'Partner', ProviderType: 'OIDC', ProviderDetails: oidcDetails() }, pool);
      assert.deepEqual((await update(['COGNITO', 'Partner'])).UserPoolClient?.SupportedIdentityProviders, ['COGNITO', 'Partner']);
      assert.deepEqual((await client(['Partner'])).UserPoolClient?.SupportedIdentityProviders, ['Partner']);
    });
  });
}
