import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  DeleteResourceServerCommand,
  DeleteUserPoolClientCommand,
  DeleteUserPoolCommand,
  DeleteUserPoolDomainCommand,
  DescribeResourceServerCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  DescribeUserPoolDomainCommand,
  GetUICustomizationCommand,
  ListResourceServersCommand,
  SetUICustomizationCommand,
  UpdateResourceServerCommand,
  UpdateUserPoolClientCommand,
  UpdateUserPoolDomainCommand,
  type CognitoIdentityProviderClient,
  type CreateUserPoolClientRequest,
  type ResourceServerScopeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { ConfigError, loadConfig } from '../src/config.js';
import { startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';

const MISSING_POOL = 'us-east-1_missing00';
const HOSTED_UI_DOMAIN = 'auth.gatehouse.test';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';
const OTHER_CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/99999999-4e5f-6789-abcd-ef0123456789';
/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64)]);
const GIF = Buffer.from('R0lGODlhAQABAAAAACw=', 'base64');
const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"><rect width="1" height="1"/></svg>');

const scopes = (...names: string[]): ResourceServerScopeType[] => names.map((ScopeName) => ({ ScopeName, ScopeDescription: `the ${ScopeName} scope` }));

for (const store of STORES) {
  describe(`user pool domains, resource servers and UI customization through the AWS SDK (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    /** Unique per test run, so prefixes never collide between the tests of one server. */
    let serial = 0;
    const prefix = (name: string) => `${name}-${store.name}-${++serial}`;
    const createPool = async (name = 'pool') => (await idp.send(new CreateUserPoolCommand({ PoolName: name }))).UserPool!.Id!;
    const createClient = async (UserPoolId: string, input: Omit<CreateUserPoolClientRequest, 'UserPoolId' | 'ClientName'> = {}) =>
      (await idp.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName: 'app', ...input }))).UserPoolClient!;
    const describePool = async (UserPoolId: string) => (await idp.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool!;
    const describeDomain = async (Domain: string) => (await idp.send(new DescribeUserPoolDomainCommand({ Domain }))).DomainDescription!;

    before(async () => {
      server = await startServer(store.name, { hostedUiDomain: HOSTED_UI_DOMAIN });
      idp = server.idp();
    });
    after(() => server?.close());

    describe('user pool domains', () => {
      it('CreateUserPoolDomain gives a pool a prefix domain that DescribeUserPoolDomain and DescribeUserPool show', async () => {
        const poolId = await createPool();
        const domain = prefix('myapp');
        const created = await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
        // As Cognito, no alias target for a prefix domain: its DNS name is the service's (hostedUiDomain).
        assert.equal(created.CloudFrontDomain, undefined);
        assert.equal(created.ManagedLoginVersion, 1);

        const description = await describeDomain(domain);
        assert.equal(description.UserPoolId, poolId);
        assert.equal(description.AWSAccountId, '000000000000');
        assert.equal(description.Domain, domain);
        // The host that serves the hosted UI stands where Cognito names its CloudFront distribution.
        assert.equal(description.CloudFrontDistribution, new URL(server.url).hostname);
        assert.equal(description.Status, 'ACTIVE');
        assert.match(description.Version!, /^\d{14}$/);
        assert.deepEqual(description.CustomDomainConfig, {});
        assert.equal(description.ManagedLoginVersion, 1);

        const pool = await describePool(poolId);
        assert.equal(pool.Domain, domain);
        assert.equal(pool.CustomDomain, undefined);
      });

      it('a prefix belongs to one pool, and a pool has one prefix domain', async () => {
        const first = await createPool();
        const second = await createPool();
        const domain = prefix('taken');
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: first, Domain: domain }));
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: second, Domain: domain })),
          'InvalidParameterException',
          /^Domain already associated with another user pool\.$/,
        );
        await rejects(idp.send(new CreateUserPoolDomainCommand({ UserPoolId: first, Domain: domain })), 'InvalidParameterException', /another user pool/);
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: first, Domain: prefix('second') })),
          'InvalidParameterException',
          /already has a prefix domain/,
        );
        await rejects(idp.send(new CreateUserPoolDomainCommand({ UserPoolId: MISSING_POOL, Domain: prefix('nopool') })), 'ResourceNotFoundException');
        assert.equal((await describeDomain(domain)).UserPoolId, first);
      });

      it('refuses prefixes Cognito refuses', async () => {
        const poolId = await createPool();
        for (const bad of ['MyApp', 'my_app', '-myapp', 'myapp-', 'a'.repeat(64)]) {
          await rejects(idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: bad })), 'InvalidParameterException', /invalid character/);
        }
        for (const word of ['aws', 'amazon', 'cognito']) {
          await rejects(
            idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `my-${word}-login` })),
            'InvalidParameterException',
            new RegExp(`reserved word: ${word}`),
          );
        }
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix('v'), ManagedLoginVersion: 3 })),
          'InvalidParameterException',
          /ManagedLoginVersion/,
        );
        assert.equal((await describePool(poolId)).Domain, undefined);
      });

      it('a custom domain needs an ACM certificate, and sits beside the prefix domain', async () => {
        const poolId = await createPool();
        const custom = `auth-${store.name}.example.com`;
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom })),
          'InvalidParameterException',
          /CertificateArn/,
        );
        // The model requires the certificate inside CustomDomainConfig.
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: {} as { CertificateArn: string } })),
          'InvalidParameterException',
          /certificateArn/,
        );
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: { CertificateArn: 'arn:aws:iam::123456789012:server-certificate/x' } })),
          'InvalidParameterException',
          /ACM/,
        );
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'Auth.Example.com', CustomDomainConfig: { CertificateArn: CERTIFICATE } })),
          'InvalidParameterException',
          /fully qualified/,
        );
        // Where a prefix domain would be served is no name for a custom domain.
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `login.${HOSTED_UI_DOMAIN}`, CustomDomainConfig: { CertificateArn: CERTIFICATE } })),
          'InvalidParameterException',
          /where the prefix domain login is served/,
        );

        const created = await idp.send(
          new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: { CertificateArn: CERTIFICATE }, ManagedLoginVersion: 2 }),
        );
        assert.equal(created.CloudFrontDomain, new URL(server.url).hostname);
        assert.equal(created.ManagedLoginVersion, 2);
        const description = await describeDomain(custom);
        assert.deepEqual(description.CustomDomainConfig, { CertificateArn: CERTIFICATE });
        assert.equal(description.ManagedLoginVersion, 2);

        const prefixDomain = prefix('beside');
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefixDomain }));
        const pool = await describePool(poolId);
        assert.equal(pool.CustomDomain, custom);
        assert.equal(pool.Domain, prefixDomain);
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `other-${store.name}.example.com`, CustomDomainConfig: { CertificateArn: CERTIFICATE } })),
          'InvalidParameterException',
          /already has a custom domain/,
        );
        const otherPool = await createPool();
        await rejects(
          idp.send(new CreateUserPoolDomainCommand({ UserPoolId: otherPool, Domain: custom, CustomDomainConfig: { CertificateArn: CERTIFICATE } })),
          'InvalidParameterException',
          /another user pool/,
        );
      });

      it('UpdateUserPoolDomain changes the certificate and the managed login version', async () => {
        const poolId = await createPool();
        const custom = `login-${store.name}.example.org`;
        const domain = prefix('upd');
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: { CertificateArn: CERTIFICATE } }));
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));

        const updated = await idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: { CertificateArn: OTHER_CERTIFICATE } }));
        assert.equal(updated.CloudFrontDomain, new URL(server.url).hostname);
        assert.equal(updated.ManagedLoginVersion, 1);
        assert.deepEqual((await describeDomain(custom)).CustomDomainConfig, { CertificateArn: OTHER_CERTIFICATE });

        const version = await idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, ManagedLoginVersion: 2 }));
        assert.equal(version.ManagedLoginVersion, 2);
        assert.equal(version.CloudFrontDomain, undefined, 'a prefix domain has no alias target');
        assert.equal((await describeDomain(domain)).ManagedLoginVersion, 2);
        assert.equal((await describeDomain(custom)).ManagedLoginVersion, 1, 'the other domain keeps its version');

        await rejects(
          idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, CustomDomainConfig: { CertificateArn: CERTIFICATE } })),
          'InvalidParameterException',
          /custom domains only/,
        );
        // Refused as a whole: the managed login version sent with it is not applied, and the prefix domain
        // stays without a certificate, whatever ARN was sent (even one that is not ACM's).
        for (const CertificateArn of [CERTIFICATE, 'arn:aws:iam::123456789012:server-certificate/not-acm']) {
          await rejects(
            idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, ManagedLoginVersion: 1, CustomDomainConfig: { CertificateArn } })),
            'InvalidParameterException',
            /custom domains only/,
          );
        }
        const unchanged = await describeDomain(domain);
        assert.equal(unchanged.ManagedLoginVersion, 2);
        assert.deepEqual(unchanged.CustomDomainConfig, {});
        await rejects(idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain, ManagedLoginVersion: 0 })), 'InvalidParameterException');
        const otherPool = await createPool();
        await rejects(
          idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: otherPool, Domain: domain, ManagedLoginVersion: 1 })),
          'InvalidParameterException',
          /No such domain/,
        );
        await rejects(idp.send(new UpdateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix('none'), ManagedLoginVersion: 1 })), 'InvalidParameterException');
      });

      it('DeleteUserPoolDomain frees the domain; describing an unknown domain answers an empty description', async () => {
        const poolId = await createPool();
        const domain = prefix('gone');
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
        const otherPool = await createPool();
        await rejects(idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: otherPool, Domain: domain })), 'InvalidParameterException', /No such domain/);
        await idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
        assert.deepEqual(await describeDomain(domain), {});
        assert.equal((await describePool(poolId)).Domain, undefined);
        await rejects(idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain })), 'InvalidParameterException', /No such domain/);
        await rejects(idp.send(new DeleteUserPoolDomainCommand({ UserPoolId: MISSING_POOL, Domain: domain })), 'ResourceNotFoundException');
        // Free again, for any pool.
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: otherPool, Domain: domain }));
        assert.equal((await describeDomain(domain)).UserPoolId, otherPool);
      });

      it('looks a domain up for the hosted UI through repos.domains', async () => {
        const poolId = await createPool();
        const domain = prefix('lookup');
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
        const { repos } = server.gatehouse.services;
        const found = await repos.domains.findByDomain(domain);
        assert.equal(found?.poolId, poolId);
        assert.equal(found?.kind, 'prefix');
        assert.equal(found?.certificateArn, undefined);
        assert.ok(found?.createdAt instanceof Date);
        assert.equal(await repos.domains.findByDomain('nobody-has-this'), undefined);
        assert.deepEqual((await repos.domains.findByPool(poolId)).map((d) => d.domain), [domain]);
      });
    });

    describe('resource servers', () => {
      it('Create, Describe, Update, List and Delete a resource server', async () => {
        const poolId = await createPool();
        const identifier = 'https://api.example.com';
        const { ResourceServer } = await idp.send(
          new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'Orders API', Scopes: scopes('read', 'write') }),
        );
        assert.deepEqual(ResourceServer, { UserPoolId: poolId, Identifier: identifier, Name: 'Orders API', Scopes: scopes('read', 'write') });
        const described = await idp.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: identifier }));
        assert.deepEqual(described.ResourceServer, ResourceServer);

        // An update replaces the name and the scopes.
        const updated = await idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'Orders', Scopes: scopes('read', 'admin') }));
        assert.deepEqual(updated.ResourceServer!.Scopes, scopes('read', 'admin'));
        assert.equal(updated.ResourceServer!.Name, 'Orders');
        const cleared = await idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'Orders' }));
        assert.deepEqual(cleared.ResourceServer!.Scopes, []);

        const listed = await idp.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10 }));
        assert.deepEqual(listed.ResourceServers, [cleared.ResourceServer]);
        assert.equal(listed.NextToken, undefined);

        await idp.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: identifier }));
        await rejects(idp.send(new DescribeResourceServerCommand({ UserPoolId: poolId, Identifier: identifier })), 'ResourceNotFoundException');
        await rejects(idp.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: identifier })), 'ResourceNotFoundException');
        await rejects(idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: identifier, Name: 'x' })), 'ResourceNotFoundException');
        assert.deepEqual((await idp.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10 }))).ResourceServers, []);
        await rejects(idp.send(new ListResourceServersCommand({ UserPoolId: MISSING_POOL, MaxResults: 10 })), 'ResourceNotFoundException');
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: MISSING_POOL, Identifier: 'x', Name: 'x' })), 'ResourceNotFoundException');
      });

      it('refuses duplicates and what the model refuses', async () => {
        const poolId = await createPool();
        await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders' }));
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Again' })), 'InvalidParameterException', /orders already exists/);
        // The same identifier in another pool is another resource server.
        await idp.send(new CreateResourceServerCommand({ UserPoolId: await createPool(), Identifier: 'orders', Name: 'Orders' }));
        await rejects(
          idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'dup', Name: 'Dup', Scopes: scopes('read', 'read') })),
          'InvalidParameterException',
          /read/,
        );
        await rejects(idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders', Scopes: scopes('a', 'a') })), 'InvalidParameterException');
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'has space', Name: 'x' })), 'InvalidParameterException', /identifier/);
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'quote"', Name: 'x' })), 'InvalidParameterException', /identifier/);
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'x', Name: 'x', Scopes: scopes('a/b') })), 'InvalidParameterException', /scopeName/);
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'x', Name: 'bad<name>' })), 'InvalidParameterException', /name/);
        const tooMany = scopes(...Array.from({ length: 101 }, (_, i) => `s${i}`));
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'many', Name: 'Many', Scopes: tooMany })), 'InvalidParameterException', /100/);
        const { ResourceServer } = await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'many', Name: 'Many', Scopes: tooMany.slice(0, 100) }));
        assert.equal(ResourceServer!.Scopes!.length, 100);
      });

      it('allows 25 resource servers per pool and lists them a page at a time', async () => {
        const poolId = await createPool();
        const identifiers = Array.from({ length: 25 }, (_, i) => `api-${String(i).padStart(2, '0')}`);
        for (const Identifier of identifiers) await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier, Name: Identifier, Scopes: scopes('read') }));
        await rejects(idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'api-25', Name: 'one too many' })), 'LimitExceededException');

        const seen: string[] = [];
        let NextToken: string | undefined;
        let pages = 0;
        do {
          const page = await idp.send(new ListResourceServersCommand({ UserPoolId: poolId, MaxResults: 10, NextToken }));
          seen.push(...page.ResourceServers!.map((s) => s.Identifier!));
          NextToken = page.NextToken;
          pages++;
        } while (NextToken);
        assert.equal(pages, 3);
        assert.deepEqual(seen, identifiers);
        await rejects(
          idp.send(new ListResourceServersCommand({ UserPoolId: await createPool(), MaxResults: 10, NextToken: 'bm90IGEgdG9rZW4' })),
          'InvalidParameterException',
        );
      });
    });

    describe('resource-server scopes on app clients', () => {
      it('a client may allow the scopes of its pool’s resource servers, and only those', async () => {
        const poolId = await createPool();
        await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com', Name: 'API', Scopes: scopes('read', 'write') }));
        const oauth = { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code' as const], CallbackURLs: ['https://app.example/cb'] };

        const client = await createClient(poolId, { ...oauth, AllowedOAuthScopes: ['openid', 'https://api.example.com/read'] });
        assert.deepEqual(client.AllowedOAuthScopes, ['openid', 'https://api.example.com/read']);
        await rejects(
          createClient(poolId, { ...oauth, AllowedOAuthScopes: ['openid', 'https://api.example.com/delete'] }),
          'ScopeDoesNotExistException',
          /^Invalid scope requested: https:\/\/api\.example\.com\/delete$/,
        );
        await rejects(createClient(poolId, { ...oauth, AllowedOAuthScopes: ['https://other.example.com/read'] }), 'ScopeDoesNotExistException');
        await rejects(createClient(poolId, { ...oauth, AllowedOAuthScopes: ['read'] }), 'ScopeDoesNotExistException', /read/);
        // Another pool's resource servers are not this pool's.
        const otherPool = await createPool();
        await rejects(createClient(otherPool, { ...oauth, AllowedOAuthScopes: ['https://api.example.com/read'] }), 'ScopeDoesNotExistException');

        // The same rules on update.
        const updated = await idp.send(
          new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ...oauth, AllowedOAuthScopes: ['https://api.example.com/write'] }),
        );
        assert.deepEqual(updated.UserPoolClient!.AllowedOAuthScopes, ['https://api.example.com/write']);
        await rejects(
          idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ...oauth, AllowedOAuthScopes: ['https://api.example.com/nope'] })),
          'ScopeDoesNotExistException',
        );
      });

      it('client_credentials needs a secret and custom scopes only', async () => {
        const poolId = await createPool();
        await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'orders', Name: 'Orders', Scopes: scopes('read') }));
        const m2m = { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['client_credentials' as const] };
        const client = await createClient(poolId, { ...m2m, GenerateSecret: true, AllowedOAuthScopes: ['orders/read'] });
        assert.deepEqual(client.AllowedOAuthFlows, ['client_credentials']);
        assert.ok(client.ClientSecret);
        await rejects(createClient(poolId, { ...m2m, AllowedOAuthScopes: ['orders/read'] }), 'InvalidOAuthFlowException', /client secret/);
        await rejects(createClient(poolId, { ...m2m, GenerateSecret: true, AllowedOAuthScopes: ['orders/read', 'openid'] }), 'InvalidOAuthFlowException', /custom/);
      });

      it('a resource server or scope in use can be deleted; the client keeps naming it until it is updated', async () => {
        const poolId = await createPool();
        await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'billing', Name: 'Billing', Scopes: scopes('read', 'write') }));
        const oauth = { AllowedOAuthFlowsUserPoolClient: true, AllowedOAuthFlows: ['code' as const], CallbackURLs: ['https://app.example/cb'] };
        const client = await createClient(poolId, { ...oauth, AllowedOAuthScopes: ['billing/read', 'billing/write'] });

        await idp.send(new UpdateResourceServerCommand({ UserPoolId: poolId, Identifier: 'billing', Name: 'Billing', Scopes: scopes('read') }));
        await rejects(
          idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ...oauth, AllowedOAuthScopes: ['billing/read', 'billing/write'] })),
          'ScopeDoesNotExistException',
          /billing\/write/,
        );
        await idp.send(new DeleteResourceServerCommand({ UserPoolId: poolId, Identifier: 'billing' }));
        const described = await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId }));
        assert.deepEqual(described.UserPoolClient!.AllowedOAuthScopes, ['billing/read', 'billing/write']);
        await rejects(
          idp.send(new UpdateUserPoolClientCommand({ UserPoolId: poolId, ClientId: client.ClientId, ...oauth, AllowedOAuthScopes: ['billing/read'] })),
          'ScopeDoesNotExistException',
        );
        const { repos } = server.gatehouse.services;
        assert.deepEqual(await repos.resourceServers.list(poolId), []);
      });
    });

    describe('UI customization', () => {
      it('needs a domain first', async () => {
        const poolId = await createPool();
        await rejects(idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable { color: red; }' })), 'InvalidParameterException', /domain/);
        await rejects(idp.send(new SetUICustomizationCommand({ UserPoolId: MISSING_POOL, CSS: '' })), 'ResourceNotFoundException');
      });

      it('round-trips the pool’s CSS and logo, and a client falls back to the pool’s until it has its own', async () => {
        const poolId = await createPool();
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix('styled') }));
        const first = await createClient(poolId);
        const second = await createClient(poolId);
        const css = '.banner-customizable { background-color: #123456; }\n.submitButton-customizable:hover { color: white; }';

        const before = await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId }));
        assert.deepEqual(before.UICustomization, { UserPoolId: poolId, ClientId: 'ALL' });

        const set = await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: css, ImageFile: PNG }));
        assert.equal(set.UICustomization!.UserPoolId, poolId);
        assert.equal(set.UICustomization!.ClientId, 'ALL');
        assert.equal(set.UICustomization!.CSS, css);
        assert.match(set.UICustomization!.CSSVersion!, /^\d{14}$/);
        assert.ok(set.UICustomization!.CreationDate instanceof Date);
        assert.ok(set.UICustomization!.LastModifiedDate instanceof Date);

        const got = await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId }));
        assert.deepEqual(got.UICustomization, set.UICustomization);
        // The logo is kept byte for byte, for the hosted UI pages to serve.
        const stored = await server.gatehouse.services.repos.uiCustomizations.get(poolId, 'ALL');
        assert.deepEqual(stored?.image, PNG);
        assert.equal(stored?.css, css);

        const fallback = await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: first.ClientId }));
        assert.equal(fallback.UICustomization!.ClientId, 'ALL');
        assert.equal(fallback.UICustomization!.CSS, css);

        const own = await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: first.ClientId, CSS: '.label-customizable { font-weight: 400; }', ImageFile: JPEG }));
        assert.equal(own.UICustomization!.ClientId, first.ClientId);
        const firstGot = await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: first.ClientId }));
        assert.equal(firstGot.UICustomization!.CSS, '.label-customizable { font-weight: 400; }');
        const secondGot = await idp.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: second.ClientId }));
        assert.equal(secondGot.UICustomization!.ClientId, 'ALL');

        // A set replaces: no CSS now means none, and the creation date stays.
        const replaced = await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, ImageFile: SVG }));
        assert.equal(replaced.UICustomization!.CSS, undefined);
        assert.equal(replaced.UICustomization!.CreationDate!.getTime(), set.UICustomization!.CreationDate!.getTime());
        assert.deepEqual((await server.gatehouse.services.repos.uiCustomizations.get(poolId, 'ALL'))?.image, SVG);

        await rejects(idp.send(new GetUICustomizationCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException');
        await rejects(idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: 'nosuchclient', CSS: '' })), 'ResourceNotFoundException');

        // Deleting the client deletes its customization.
        await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: first.ClientId }));
        assert.equal(await server.gatehouse.services.repos.uiCustomizations.get(poolId, first.ClientId!), undefined);
      });

      it('accepts only small PNG, JPEG and SVG images and CSS that stays CSS', async () => {
        const poolId = await createPool();
        await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix('strict') }));
        const set = (input: { CSS?: string; ImageFile?: Uint8Array }) => idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, ...input }));

        await rejects(set({ ImageFile: GIF }), 'InvalidParameterException', /PNG, JPEG or SVG/);
        await rejects(set({ ImageFile: Buffer.from('just text') }), 'InvalidParameterException', /PNG, JPEG or SVG/);
        await rejects(set({ ImageFile: Buffer.concat([PNG, Buffer.alloc(100 * 1024)]) }), 'InvalidParameterException', /100 KB/);
        await rejects(set({ ImageFile: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }), 'InvalidParameterException', /SVG/);
        await rejects(set({ ImageFile: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>') }), 'InvalidParameterException', /SVG/);

        await rejects(set({ CSS: '.banner-customizable { color: red; }</style><script>alert(1)</script>' }), 'InvalidParameterException', /</);
        await rejects(set({ CSS: '.banner-customizable { width: expression(alert(1)); }' }), 'InvalidParameterException', /expression/);
        await rejects(set({ CSS: '.banner-customizable { width: EXPRESSION /**/ (alert(1)); }' }), 'InvalidParameterException', /expression/);
        await rejects(set({ CSS: '@import url(https://evil.example/x.css);' }), 'InvalidParameterException', /@import/);
        await rejects(set({ CSS: '.a { b\\65havior: url(x.htc) }' }), 'InvalidParameterException', /escapes/);
        await rejects(set({ CSS: 'x'.repeat(131_073) }), 'InvalidParameterException');

        const ok = await set({ CSS: '.logo-customizable { max-width: 60%; }', ImageFile: PNG });
        assert.equal(ok.UICustomization!.CSS, '.logo-customizable { max-width: 60%; }');
      });
    });

    it('deleting a pool deletes its domains, resource servers and UI customizations, and frees its domains', async () => {
      const poolId = await createPool('doomed');
      const domain = prefix('doomed');
      const custom = `doomed-${store.name}.example.net`;
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: domain }));
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: custom, CustomDomainConfig: { CertificateArn: CERTIFICATE } }));
      await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'doomed-api', Name: 'API', Scopes: scopes('read') }));
      const client = await createClient(poolId);
      await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.label-customizable { color: red; }', ImageFile: PNG }));
      await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, ClientId: client.ClientId, CSS: '.label-customizable { color: blue; }' }));

      await idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));

      const { repos } = server.gatehouse.services;
      assert.deepEqual(await repos.domains.findByPool(poolId), []);
      assert.deepEqual(await repos.resourceServers.list(poolId), []);
      assert.equal(await repos.uiCustomizations.get(poolId, 'ALL'), undefined);
      assert.equal(await repos.uiCustomizations.get(poolId, client.ClientId!), undefined);
      assert.deepEqual(await describeDomain(domain), {});

      const heir = await createPool('heir');
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: heir, Domain: domain }));
      await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: heir, Domain: custom, CustomDomainConfig: { CertificateArn: CERTIFICATE } }));
      const pool = await describePool(heir);
      assert.equal(pool.Domain, domain);
      assert.equal(pool.CustomDomain, custom);
    });
  });
}

describe('the hosted UI domain setting', () => {
  it('comes from hostedUiDomain or GATEHOUSE_HOSTED_UI_DOMAIN, and is a bare lower-case host name', () => {
    assert.equal(loadConfig({}, { GATEHOUSE_HOSTED_UI_DOMAIN: 'auth.example.com' }).hostedUiDomain, 'auth.example.com');
    assert.equal(loadConfig({}, {}).hostedUiDomain, undefined);
    for (const bad of ['https://auth.example.com', 'auth.example.com:8443', 'Auth.Example.com', 'localhost', 'auth.example.com/x']) {
      assert.throws(
        () => loadConfig({}, { GATEHOUSE_HOSTED_UI_DOMAIN: bad }),
        (error: Error) => error instanceof ConfigError && /hostedUiDomain: the hosted UI domain is a host name/.test(error.message),
        bad,
      );
    }
  });
});
