import type { AuthenticationResultType, CreateUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { ConfigInput } from '../../src/config.js';
import { callApi, SIGN_IN_CONFIG, startGatehouse, type RunningServer } from './gatehouse.js';
import type { ScenarioContext } from './scenario.js';
import { createStore } from './stores.js';

/** Meets the default password policy (8+ characters, upper and lower case, a digit, a symbol). */
export const BENCH_PASSWORD = 'Bench-Passw0rd!';

export interface PoolFixture {
  gatehouse: RunningServer;
  poolId: string;
}

export interface SignInFixture extends PoolFixture {
  /** The part of the pool id after '_': SRP's pool name. */
  poolName: string;
  clientId: string;
  username: string;
  password: string;
}

/** Gatehouse on a fresh SQLite store, started with `config`, and one user pool made through the API. */
export async function poolFixture(ctx: ScenarioContext, poolName: string, config?: ConfigInput): Promise<PoolFixture> {
  const store = await createStore('sqlite', ctx.defer);
  const gatehouse = await startGatehouse(store, ctx.serverFlags, config);
  ctx.defer(() => gatehouse.stop());
  const { UserPool } = await callApi<{ UserPool: { Id: string } }>(gatehouse.url, 'CreateUserPool', { PoolName: poolName });
  return { gatehouse, poolId: UserPool.Id };
}

/**
 * What the sign-up and sign-in scenarios start from: Gatehouse on a fresh SQLite store with the credential
 * rate limit lifted (SIGN_IN_CONFIG), a pool with no auto-verified attributes (so nothing is ever sent), a
 * public app client allowing SRP, password and refresh sign-ins (and whatever `client` adds, e.g. OAuth
 * flows for the hosted UI), and a CONFIRMED user with a permanent password, made through the API as an
 * administrator would.
 */
export async function signInFixture(ctx: ScenarioContext, client: Partial<CreateUserPoolClientRequest> = {}): Promise<SignInFixture> {
  const { gatehouse, poolId } = await poolFixture(ctx, 'bench-sign-in', SIGN_IN_CONFIG);
  const { url } = gatehouse;
  const { UserPoolClient } = await callApi<{ UserPoolClient: { ClientId: string } }>(url, 'CreateUserPoolClient', {
    UserPoolId: poolId,
    ClientName: 'bench',
    ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    ...client,
  });
  const username = 'bench-user';
  await callApi(url, 'AdminCreateUser', {
    UserPoolId: poolId,
    Username: username,
    UserAttributes: [{ Name: 'email', Value: 'bench-user@example.com' }],
    MessageAction: 'SUPPRESS',
  });
  await callApi(url, 'AdminSetUserPassword', { UserPoolId: poolId, Username: username, Password: BENCH_PASSWORD, Permanent: true });
  return { gatehouse, poolId, poolName: poolId.slice(poolId.indexOf('_') + 1), clientId: UserPoolClient.ClientId, username, password: BENCH_PASSWORD };
}

/** The InitiateAuth input of a USER_PASSWORD_AUTH sign-in. */
export function passwordSignInInput(f: SignInFixture): Record<string, unknown> {
  return { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: f.clientId, AuthParameters: { USERNAME: f.username, PASSWORD: f.password } };
}

/** One USER_PASSWORD_AUTH sign-in, for the tokens other scenarios start from. */
export async function signIn(f: SignInFixture): Promise<AuthenticationResultType> {
  const { AuthenticationResult } = await callApi<{ AuthenticationResult?: AuthenticationResultType }>(f.gatehouse.url, 'InitiateAuth', passwordSignInInput(f));
  if (!AuthenticationResult?.AccessToken || !AuthenticationResult.RefreshToken) throw new Error('the bench user did not get tokens');
  return AuthenticationResult;
}
