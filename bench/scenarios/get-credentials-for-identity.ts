import { signIn, signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING, callApi, IDENTITY_TARGET_PREFIX } from '../lib/gatehouse.js';
import { autocannonRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';
import { cognitoTrust } from '../../test/helpers/trust-policies.js';

/** CreateRole through the IAM query API (unsigned: development mode); its ARN. */
async function createRole(url: string, roleName: string, trust: string): Promise<string> {
  const form = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: roleName, AssumeRolePolicyDocument: trust });
  const response = await fetch(`${url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  const text = await response.text();
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(text)?.[1];
  if (response.status !== 200 || !arn) throw new Error(`CreateRole answered ${response.status}: ${text}`);
  return arn;
}

/**
 * The enhanced flow's second call for a signed-in user: the user pool ID token in Logins is verified
 * (RS256), the identity and its pool read, the role's trust policy evaluated and session credentials
 * issued. The identity was made once, beforehand, with GetId.
 */
export const getCredentialsForIdentity: Scenario = {
  name: 'get-credentials-for-identity',
  description: 'GetCredentialsForIdentity req/s (a user pool ID token in Logins) vs the bare RS256 (node:crypto) verify rate at the same concurrency (target ratio ≥ 0.25); p99 at half the peak',
  async run(ctx) {
    const f = await signInFixture(ctx);
    const { IdToken } = await signIn(f);
    const { url } = f.gatehouse;
    const identityApi = <T>(operation: string, input: unknown) => callApi<T>(url, operation, input, IDENTITY_TARGET_PREFIX);
    // Gatehouse names a user pool provider <issuer host>/<pool id>, as Cognito's cognito-idp.<region>.amazonaws.com/<pool id>.
    const provider = `${new URL(url).host}/${f.poolId}`;
    const { IdentityPoolId } = await identityApi<{ IdentityPoolId: string }>('CreateIdentityPool', {
      IdentityPoolName: 'bench',
      AllowUnauthenticatedIdentities: false,
      CognitoIdentityProviders: [{ ProviderName: provider, ClientId: f.clientId }],
    });
    const roleArn = await createRole(url, 'bench-signed-in', cognitoTrust(IdentityPoolId));
    await identityApi('SetIdentityPoolRoles', { IdentityPoolId, Roles: { authenticated: roleArn } });
    const Logins = { [provider]: IdToken! };
    const { IdentityId } = await identityApi<{ IdentityId: string }>('GetId', { IdentityPoolId, Logins });
    const input = { IdentityId, Logins };

    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const api = new ApiClient(url, ctx.load.connections, IDENTITY_TARGET_PREFIX);
    ctx.defer(() => api.close());
    const once = async () => {
      const answer = await api.call<{ Credentials?: { SessionToken?: string } }>('GetCredentialsForIdentity', input);
      if (!answer.Credentials?.SessionToken) throw new Error(`no credentials: ${JSON.stringify(answer)}`);
    };
    await once();

    const headers = apiHeaders('GetCredentialsForIdentity', IDENTITY_TARGET_PREFIX);
    const subject = { label: 'gatehouse GetCredentialsForIdentity', url: `${url}/`, method: 'POST', headers, body: JSON.stringify(input), pid: f.gatehouse.child.pid } as const;
    return compareWithPrimitive(ctx, {
      scenario: 'get-credentials-for-identity',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'rs256-verify', label: 'RS256 verify' },
      primitives,
      baseline: { op: 'rs256-verify', label: 'bare RS256 verify' },
      target: 0.25,
      atHalfPeak: { once, op: 'rs256-verify', label: 'bare RS256 verify' },
    });
  },
};
