import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateTermsCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteTermsCommand,
  DeleteUserPoolClientCommand,
  DescribeTermsByClientCommand,
  DescribeTermsCommand,
  ListTermsCommand,
  UpdateTermsCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects } from './helpers/assertions.js';
import { startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const CALLBACK = 'http://localhost:3000/callback';

for (const store of STORES) {
  describe(`terms documents (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;

    before(async () => {
      server = await startServer(store.name);
      idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'terms' }))).UserPool!.Id!;
    });
    after(() => server?.close());

    const newClient = async () =>
      (
        await idp.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'web',
            AllowedOAuthFlowsUserPoolClient: true,
            SupportedIdentityProviders: ['COGNITO'],
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: [CALLBACK],
          }),
        )
      ).UserPoolClient!.ClientId!;
    const create = (ClientId: string, TermsName: string, Links: Record<string, string>) =>
      idp.send(new CreateTermsCommand({ UserPoolId: poolId, ClientId, TermsName, TermsSource: 'LINK', Enforcement: 'NONE', Links }));
    /** The hosted sign-up page of the client, as a browser gets it. */
    const signUpPage = async (clientId: string) => {
      const pkce = 'code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256';
      const response = await fetch(`${server.url}/${poolId}/signup?response_type=code&client_id=${clientId}&redirect_uri=${encodeURIComponent(CALLBACK)}&${pkce}`, { redirect: 'manual' });
      assert.equal(response.status, 200, `${response.status} ${response.headers.get('location')}`);
      return response.text();
    };

    it('creates, describes, lists, updates and deletes a client\'s documents, one of each name', async () => {
      const clientId = await newClient();
      const { Terms: created } = await create(clientId, 'terms-of-use', { 'cognito:default': 'https://example.com/terms' });
      assert.match(created!.TermsId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.deepEqual(
        { ...created, CreationDate: undefined, LastModifiedDate: undefined },
        { TermsId: created!.TermsId, UserPoolId: poolId, ClientId: clientId, TermsName: 'terms-of-use', TermsSource: 'LINK', Enforcement: 'NONE', Links: { 'cognito:default': 'https://example.com/terms' }, CreationDate: undefined, LastModifiedDate: undefined },
      );
      await rejects(create(clientId, 'terms-of-use', { 'cognito:default': 'https://example.com/other' }), 'TermsExistsException');
      const { Terms: policy } = await create(clientId, 'privacy-policy', { 'cognito:english': 'https://example.com/privacy' });

      assert.deepEqual((await idp.send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId }))).Terms?.Links, created!.Links);
      const byClient = await idp.send(new DescribeTermsByClientCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: 'privacy-policy' }));
      assert.equal(byClient.Terms?.TermsId, policy!.TermsId);

      const first = await idp.send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 1 }));
      assert.equal(first.Terms?.length, 1);
      const second = await idp.send(new ListTermsCommand({ UserPoolId: poolId, MaxResults: 1, NextToken: first.NextToken }));
      assert.deepEqual([first.Terms![0]!.TermsId, second.Terms![0]!.TermsId].sort(), [created!.TermsId, policy!.TermsId].sort());
      assert.equal(second.NextToken, undefined);

      const { Terms: updated } = await idp.send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId, Links: { 'cognito:default': 'https://example.com/terms-v2' } }));
      assert.deepEqual([updated?.TermsName, updated?.Links], ['terms-of-use', { 'cognito:default': 'https://example.com/terms-v2' }]);
      await rejects(idp.send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId, TermsName: 'privacy-policy' })), 'TermsExistsException');

      await idp.send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId }));
      await rejects(idp.send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId })), 'ResourceNotFoundException');
      await rejects(idp.send(new DeleteTermsCommand({ UserPoolId: poolId, TermsId: created!.TermsId })), 'ResourceNotFoundException');
      // The client's documents go with the client.
      await idp.send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
      await rejects(idp.send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: policy!.TermsId })), 'ResourceNotFoundException');
    });

    it('refuses bad documents: an unknown client or name, no links, a link a browser would run', async () => {
      const clientId = await newClient();
      await rejects(create('nosuchclient', 'terms-of-use', { 'cognito:default': 'https://example.com/t' }), 'ResourceNotFoundException');
      await rejects(create(clientId, 'cookie-policy', { 'cognito:default': 'https://example.com/t' }), 'InvalidParameterException', /pattern/);
      await rejects(create(clientId, 'terms-of-use', { 'cognito:klingon': 'https://example.com/t' }), 'InvalidParameterException', /pattern/);
      await rejects(
        idp.send(new CreateTermsCommand({ UserPoolId: poolId, ClientId: clientId, TermsName: 'terms-of-use', TermsSource: 'LINK', Enforcement: 'NONE' })),
        'InvalidParameterException',
        /Links are required/,
      );
      await rejects(create(clientId, 'terms-of-use', { 'cognito:default': 'javascript:alert(1)' }), 'InvalidParameterException', /not an http or https URL/);
      const { Terms: good } = await create(clientId, 'terms-of-use', { 'cognito:default': 'https://example.com/terms' });
      await rejects(
        idp.send(new UpdateTermsCommand({ UserPoolId: poolId, TermsId: good!.TermsId, Links: { 'cognito:default': 'data:text/html,<script>alert(1)</script>' } })),
        'InvalidParameterException',
        /not an http or https URL/,
      );
      assert.deepEqual((await idp.send(new DescribeTermsCommand({ UserPoolId: poolId, TermsId: good!.TermsId }))).Terms?.Links, { 'cognito:default': 'https://example.com/terms' });
    });

    it('links both documents from the hosted sign-up page once the client has both', async () => {
      const clientId = await newClient();
      await create(clientId, 'terms-of-use', { 'cognito:default': 'https://example.com/terms?a=1&b=2' });
      assert.doesNotMatch(await signUpPage(clientId), /terms of use/, 'one document alone is not shown');
      await create(clientId, 'privacy-policy', { 'cognito:french': 'https://example.com/fr/privacy', 'cognito:english': 'https://example.com/en/privacy' });
      const page = await signUpPage(clientId);
      assert.match(page, /<a href="https:\/\/example\.com\/terms\?a=1&amp;b=2">terms of use<\/a>/);
      assert.match(page, /<a href="https:\/\/example\.com\/en\/privacy">privacy policy<\/a>/, 'the English link before the default');
    });
  });
}
