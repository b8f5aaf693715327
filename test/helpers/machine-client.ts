import { CreateResourceServerCommand, CreateUserPoolClientCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** The scope a machine client asks for: its pool's one resource server, `https://api.example.com`, and its `read`. */
export const MACHINE_SCOPE = 'https://api.example.com/read';

/** A resource server and a confidential client that may get its scope with client_credentials. */
export async function createMachineClient(idp: CognitoIdentityProviderClient, poolId: string): Promise<{ id: string; secret: string }> {
  await idp.send(new CreateResourceServerCommand({ UserPoolId: poolId, Identifier: 'https://api.example.com', Name: 'API', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
  const { UserPoolClient } = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'machine',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [MACHINE_SCOPE],
    }),
  );
  return { id: UserPoolClient!.ClientId!, secret: UserPoolClient!.ClientSecret! };
}
