/** The principal of identity pools in trust policies and policy variables, as in AWS. */
export const COGNITO_IDENTITY = 'cognito-identity.amazonaws.com';

/**
 * The trust policy the Cognito console writes for an identity pool's role: this identity pool, signed-in
 * (or guest) identities. Shared by the tests and the bench.
 */
export function cognitoTrust(identityPoolId: string, amr: 'authenticated' | 'unauthenticated' = 'authenticated'): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: COGNITO_IDENTITY },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${COGNITO_IDENTITY}:aud`]: identityPoolId }, 'ForAnyValue:StringLike': { [`${COGNITO_IDENTITY}:amr`]: amr } },
      },
    ],
  });
}
