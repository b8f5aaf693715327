import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AddUserPoolClientSecretCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientSecretCommand,
  DescribeUserPoolClientCommand,
  InitiateAuthCommand,
  ListUserPoolClientSecretsCommand,
  RevokeTokenCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejects } from './helpers/assertions.js';
import { createMachineClient, MACHINE_SCOPE } from './helpers/machine-client.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const USERNAME = 'rotating';

for (const store of STORES) {
  describe(`client secret rotation (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'rotation' }))).UserPool!.Id!;
      await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: USERNAME, MessageAction: 'SUPPRESS' }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: USERNAME, Password: PASSWORD, Permanent: true }));
    });
    after(() => server?.close());

    const confidentialClient = async () => {
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'confidential', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      return { clientId: UserPoolClient!.ClientId!, secret: UserPoolClient!.ClientSecret!, created: UserPoolClient!.CreationDate! };
    };
    /** A password sign-in with SECRET_HASH computed from `secret`. */
    const signIn = (clientId: string, secret: string) =>
      idp.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME, PASSWORD, SECRET_HASH: createHmac('sha256', secret).update(`${USERNAME}${clientId}`).digest('base64') },
        }),
      );
    const secretsOf = async (clientId: string) => (await idp.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: clientId }))).ClientSecrets ?? [];

    it('adds a second secret that works beside the first, then retires the first', async () => {
      const { clientId, secret: first, created } = await confidentialClient();
      const [original] = await secretsOf(clientId);
      assert.equal(original?.ClientSecretId, `${clientId}--${created.getTime()}`);
      assert.equal(original?.ClientSecretValue, undefined, 'a listing never shows a value');

      const { ClientSecretDescriptor: added } = await idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }));
      const second = added!.ClientSecretValue!;
      assert.match(second, /^[a-z0-9]{51}$/, 'generated like a client created with GenerateSecret');
      assert.deepEqual((await secretsOf(clientId)).map((s) => s.ClientSecretId), [original!.ClientSecretId, added!.ClientSecretId]);
      await rejects(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId })), 'LimitExceededException');

      // Both work meanwhile: SECRET_HASH, and a client secret sent as such (RevokeToken).
      for (const secret of [first, second]) {
        const { AuthenticationResult } = await signIn(clientId, secret);
        assert.ok(AuthenticationResult?.RefreshToken);
        await idp.send(new RevokeTokenCommand({ ClientId: clientId, ClientSecret: secret, Token: AuthenticationResult.RefreshToken }));
      }
      await rejects(signIn(clientId, 'not-a-secret-of-this-client-at-all-000'), 'NotAuthorizedException', /Unable to verify secret hash/);

      await idp.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: original!.ClientSecretId }));
      await rejects(signIn(clientId, first), 'NotAuthorizedException', /Unable to verify secret hash/);
      assert.ok((await signIn(clientId, second)).AuthenticationResult?.AccessToken);
      const described = await idp.send(new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
      assert.equal(described.UserPoolClient?.ClientSecret, second);
    });

    it('takes a chosen secret without echoing it, and keeps the last secret', async () => {
      const { clientId } = await confidentialClient();
      const chosen = 'Chosen_rotation_secret_0123456789';
      const { ClientSecretDescriptor } = await idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecret: chosen }));
      assert.equal(ClientSecretDescriptor?.ClientSecretValue, undefined);
      assert.ok((await signIn(clientId, chosen)).AuthenticationResult?.AccessToken);

      const [older, newer] = await secretsOf(clientId);
      await idp.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: older!.ClientSecretId }));
      await rejects(
        idp.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: newer!.ClientSecretId })),
        'InvalidParameterException',
        /last client secret/,
      );
      await rejects(idp.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: older!.ClientSecretId })), 'ResourceNotFoundException');
      assert.ok((await signIn(clientId, chosen)).AuthenticationResult?.AccessToken);
    });

    it('the token endpoint takes either secret in HTTP Basic while both are live, then only the new one', async () => {
      const { id: clientId, secret: first } = await createMachineClient(idp, poolId);
      const token = (secret: string) =>
        fetch(`${server.url}/${poolId}/oauth2/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'client_credentials', scope: MACHINE_SCOPE }),
        });
      const { ClientSecretDescriptor } = await idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId }));
      const second = ClientSecretDescriptor!.ClientSecretValue!;
      for (const secret of [first, second]) assert.equal((await token(secret)).status, 200);
      const [original] = await secretsOf(clientId);
      await idp.send(new DeleteUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecretId: original!.ClientSecretId }));
      const refused = await token(first);
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { error: string }).error, 'invalid_client');
      assert.equal((await token(second)).status, 200);
    });

    it('refuses a secret for a public client, a chosen secret that is too short, and a client that does not exist', async () => {
      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'public' }));
      const publicId = UserPoolClient!.ClientId!;
      await rejects(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: publicId })), 'InvalidParameterException', /only a confidential client/);
      assert.deepEqual(await secretsOf(publicId), []);
      const { clientId } = await confidentialClient();
      await rejects(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: clientId, ClientSecret: 'short' })), 'InvalidParameterException', /length greater than or equal to 24/);
      await rejects(idp.send(new AddUserPoolClientSecretCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException');
      await rejects(idp.send(new ListUserPoolClientSecretsCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException');
    });
  });
}
