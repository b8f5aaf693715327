import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddCustomAttributesCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  ListTagsForResourceCommand,
  ListUserPoolsCommand,
  SetUserPoolMfaConfigCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateUserPoolCommand,
  CreateUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';

for (const store of STORES) {
  describe(`user pools through the AWS SDK (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    before(async () => {
      server = await startServer(store.name);
      idp = server.idp();
    });
    after(() => server?.close());

    it('CreateUserPool applies Cognito defaults and formats', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'defaults' }));
      assert.ok(UserPool);
      assert.match(UserPool.Id!, /^us-east-1_[0-9A-Za-z]{9}$/);
      assert.equal(UserPool.Name, 'defaults');
      assert.equal(UserPool.Arn, `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${UserPool.Id}`);
      assert.deepEqual(UserPool.Policies?.PasswordPolicy, {
        MinimumLength: 8,
        RequireUppercase: true,
        RequireLowercase: true,
        RequireNumbers: true,
        RequireSymbols: true,
        TemporaryPasswordValidityDays: 7,
      });
      assert.equal(UserPool.DeletionProtection, 'INACTIVE');
      assert.equal(UserPool.MfaConfiguration, 'OFF');
      assert.equal(UserPool.UserPoolTier, 'ESSENTIALS');
      assert.equal(UserPool.EstimatedNumberOfUsers, 0);
      assert.ok(UserPool.CreationDate instanceof Date && Math.abs(UserPool.CreationDate.getTime() - Date.now()) < 60_000);
      const names = UserPool.SchemaAttributes!.map((a) => a.Name);
      for (const standard of ['sub', 'email', 'email_verified', 'phone_number', 'preferred_username', 'updated_at']) {
        assert.ok(names.includes(standard), `standard attribute ${standard}`);
      }
      const sub = UserPool.SchemaAttributes!.find((a) => a.Name === 'sub')!;
      assert.equal(sub.Required, true);
      assert.equal(sub.Mutable, false);
    });

    it('takes the region of the pool id from the SigV4 credential scope', async () => {
      const { UserPool } = await server.idp('eu-west-1').send(new CreateUserPoolCommand({ PoolName: 'ireland' }));
      assert.match(UserPool!.Id!, /^eu-west-1_/);
      assert.match(UserPool!.Arn!, /^arn:aws:cognito-idp:eu-west-1:/);
      const irish = await server.idp('eu-west-1').send(new ListUserPoolsCommand({ MaxResults: 60 }));
      assert.ok(irish.UserPools!.some((p) => p.Id === UserPool!.Id));
      const virginian = await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      assert.ok(!virginian.UserPools!.some((p) => p.Id === UserPool!.Id), 'ListUserPools lists only the caller region');
    });

    it('CreateUserPool keeps schema, custom attributes, sign-in names and policies', async () => {
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({
          PoolName: 'custom',
          UsernameAttributes: ['email'],
          AutoVerifiedAttributes: ['email'],
          Policies: { PasswordPolicy: { MinimumLength: 12, RequireNumbers: true } },
          Schema: [
            { Name: 'email', Required: true },
            { Name: 'tenant', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '1', MaxLength: '64' } },
            { Name: 'level', AttributeDataType: 'Number', Mutable: false },
          ],
          UserPoolTags: { team: 'identity' },
        }),
      );
      const described = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool!;
      assert.deepEqual(described.UsernameAttributes, ['email']);
      assert.equal(described.SchemaAttributes!.find((a) => a.Name === 'email')!.Required, true);
      const tenant = described.SchemaAttributes!.find((a) => a.Name === 'custom:tenant')!;
      assert.deepEqual(tenant.StringAttributeConstraints, { MinLength: '1', MaxLength: '64' });
      assert.equal(described.SchemaAttributes!.find((a) => a.Name === 'custom:level')!.Mutable, false);
      assert.equal(described.Policies!.PasswordPolicy!.MinimumLength, 12);
      assert.equal(described.Policies!.PasswordPolicy!.RequireUppercase, false);
      assert.deepEqual(described.UserPoolTags, { team: 'identity' });
    });

    it('CreateUserPool refuses what Cognito refuses', async () => {
      await rejects(
        idp.send(new CreateUserPoolCommand({ PoolName: 'both', UsernameAttributes: ['email'], AliasAttributes: ['email'] })),
        'InvalidParameterException',
        /aliasAttributes or usernameAttributes/,
      );
      await rejects(
        idp.send(new CreateUserPoolCommand({ PoolName: 'req', Schema: [{ Name: 'x', AttributeDataType: 'String', Required: true }] })),
        'InvalidParameterException',
        /Required custom attributes/,
      );
      await rejects(idp.send(new CreateUserPoolCommand({ PoolName: '' })), 'InvalidParameterException', /poolName/);
    });

    it('UpdateUserPool replaces settable settings and keeps the schema', async () => {
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({ PoolName: 'upd', MfaConfiguration: 'OFF', Schema: [{ Name: 'tenant', AttributeDataType: 'String' }], DeletionProtection: 'ACTIVE' }),
      );
      await idp.send(new UpdateUserPoolCommand({ UserPoolId: UserPool!.Id, Policies: { PasswordPolicy: { MinimumLength: 10 } } }));
      const after = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool!;
      assert.equal(after.Policies!.PasswordPolicy!.MinimumLength, 10);
      // Cognito's UpdateUserPool resets what the request leaves out: deletion protection returns to INACTIVE.
      assert.equal(after.DeletionProtection, 'INACTIVE');
      assert.ok(after.SchemaAttributes!.some((a) => a.Name === 'custom:tenant'));
      assert.ok(after.LastModifiedDate!.getTime() >= UserPool!.LastModifiedDate!.getTime());
      await rejects(idp.send(new UpdateUserPoolCommand({ UserPoolId: 'us-east-1_missing00' })), 'ResourceNotFoundException');
    });

    it('AddCustomAttributes adds new attributes and refuses duplicates', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'attrs' }));
      await idp.send(new AddCustomAttributesCommand({ UserPoolId: UserPool!.Id, CustomAttributes: [{ Name: 'plan', AttributeDataType: 'String' }] }));
      const described = (await idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool!;
      assert.ok(described.SchemaAttributes!.some((a) => a.Name === 'custom:plan'));
      await rejects(
        idp.send(new AddCustomAttributesCommand({ UserPoolId: UserPool!.Id, CustomAttributes: [{ Name: 'plan', AttributeDataType: 'String' }] })),
        'InvalidParameterException',
        /already has name custom:plan/,
      );
      await rejects(
        idp.send(new AddCustomAttributesCommand({ UserPoolId: 'us-east-1_missing00', CustomAttributes: [{ Name: 'x' }] })),
        'ResourceNotFoundException',
      );
      // The model leaves Name optional; an attribute without one is bad input, not a server error.
      await rejects(idp.send(new AddCustomAttributesCommand({ UserPoolId: UserPool!.Id, CustomAttributes: [{ AttributeDataType: 'String' }] })), 'InvalidParameterException', /needs a Name/);
      await rejects(idp.send(new CreateUserPoolCommand({ PoolName: 'nameless', Schema: [{ AttributeDataType: 'Number' }] })), 'InvalidParameterException', /needs a Name/);
    });

    it('Get/SetUserPoolMfaConfig store the configuration', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'mfa' }));
      const initial = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id }));
      assert.equal(initial.MfaConfiguration, 'OFF');
      await rejects(
        idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id, MfaConfiguration: 'ON' })),
        'InvalidParameterException',
        /^Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration\.$/,
      );
      const sms = { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms', ExternalId: 'x' } };
      for (const factor of [{ SoftwareTokenMfaConfiguration: { Enabled: true } }, { SmsMfaConfiguration: sms }, { EmailMfaConfiguration: { Message: 'Code {####}' } }]) {
        await rejects(
          idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id, MfaConfiguration: 'OFF', ...factor })),
          'InvalidParameterException',
          /^Invalid MFA configuration given, can't turn off MFA and configure an MFA together\.$/,
        );
      }
      assert.deepEqual(await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id })).then(({ $metadata, ...config }) => config), { MfaConfiguration: 'OFF' }, 'nothing stored');
      // Turning a factor off while MFA is off is no contradiction.
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id, MfaConfiguration: 'OFF', SoftwareTokenMfaConfiguration: { Enabled: false } }));
      const set = await idp.send(
        new SetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }),
      );
      assert.equal(set.MfaConfiguration, 'OPTIONAL');
      const got = await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: UserPool!.Id }));
      assert.deepEqual(got.SoftwareTokenMfaConfiguration, { Enabled: true });
      assert.equal((await idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool!.MfaConfiguration, 'OPTIONAL');
    });

    it('CreateUserPool and UpdateUserPool refuse to require MFA with no factor to offer, in Cognito\'s words', async () => {
      const smsRequired = /^SMS configuration and Auto verification for phone_number are required when MFA is required\/optional$/;
      for (const MfaConfiguration of ['ON', 'OPTIONAL'] as const) {
        await rejects(idp.send(new CreateUserPoolCommand({ PoolName: 'mfa-without-sms', MfaConfiguration })), 'InvalidParameterException', smsRequired);
      }
      const sms = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms', ExternalId: 'x' };
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'mfa-with-sms', MfaConfiguration: 'ON', SmsConfiguration: sms }));
      const poolId = UserPool!.Id!;
      // An update replaces the settings: without its SmsConfiguration the pool has nothing to send codes with.
      await rejects(idp.send(new UpdateUserPoolCommand({ UserPoolId: poolId, MfaConfiguration: 'ON' })), 'InvalidParameterException', smsRequired);
      assert.equal((await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }))).UserPool!.MfaConfiguration, 'ON');
      // A factor turned on with SetUserPoolMfaConfig is kept by UpdateUserPool, so it may require MFA without SMS.
      await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, SoftwareTokenMfaConfiguration: { Enabled: true } }));
      await idp.send(new UpdateUserPoolCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL' }));
      assert.equal((await idp.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }))).MfaConfiguration, 'OPTIONAL');
    });

    it('TagResource, UntagResource and ListTagsForResource work on the pool ARN', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'tags', UserPoolTags: { a: '1' } }));
      const arn = UserPool!.Arn!;
      await idp.send(new TagResourceCommand({ ResourceArn: arn, Tags: { b: '2', c: '3' } }));
      await idp.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['a'] }));
      assert.deepEqual((await idp.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, { b: '2', c: '3' });
      await rejects(
        idp.send(new ListTagsForResourceCommand({ ResourceArn: 'arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_missing00' })),
        'ResourceNotFoundException',
      );
    });

    it('ListUserPools pages with NextToken', async () => {
      const region = 'ap-southeast-2';
      const client = server.idp(region);
      const created = [];
      for (let i = 0; i < 5; i++) created.push((await client.send(new CreateUserPoolCommand({ PoolName: `page-${i}` }))).UserPool!.Id!);
      const seen: string[] = [];
      let NextToken: string | undefined;
      let pages = 0;
      do {
        const page = await client.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken }));
        assert.ok(page.UserPools!.length <= 2);
        seen.push(...page.UserPools!.map((p) => p.Id!));
        NextToken = page.NextToken;
        pages++;
      } while (NextToken);
      assert.equal(pages, 3);
      assert.deepEqual(seen.sort(), created.sort());
      await rejects(client.send(new ListUserPoolsCommand({ MaxResults: 2, NextToken: 'not-a-token' })), 'InvalidParameterException');
      await rejects(client.send(new ListUserPoolsCommand({ MaxResults: 0 })), 'InvalidParameterException', /maxResults/);
    });

    it('DeleteUserPool honours deletion protection and deletes the clients with the pool', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'del', DeletionProtection: 'ACTIVE' }));
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientName: 'c' }));
      await rejects(idp.send(new DeleteUserPoolCommand({ UserPoolId: UserPool!.Id })), 'InvalidParameterException', /deletion protection/);
      await idp.send(new UpdateUserPoolCommand({ UserPoolId: UserPool!.Id, DeletionProtection: 'INACTIVE' }));
      await idp.send(new DeleteUserPoolCommand({ UserPoolId: UserPool!.Id }));
      await rejects(idp.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id })), 'ResourceNotFoundException', /does not exist/);
      assert.equal(await server.gatehouse.services.repos.appClients.find(UserPoolClient!.ClientId!), undefined);
      await rejects(
        idp.send(new DescribeUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientId: UserPoolClient!.ClientId })),
        'ResourceNotFoundException',
      );
      await rejects(idp.send(new DeleteUserPoolCommand({ UserPoolId: UserPool!.Id })), 'ResourceNotFoundException');
    });
  });
}
