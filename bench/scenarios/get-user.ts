import type { AuthenticationResultType } from '@aws-sdk/client-cognito-identity-provider';
import { signIn, signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { autocannonRunner, type LoadTarget } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

const DESCRIPTION = 'vs the bare RS256 (node:crypto) verify rate at the same concurrency (target ratio ≥ 0.25)';

/**
 * GetUser with one access token, as an app calls it until the token expires: revocation and user checks
 * each time; the signature is verified on first use and remembered (SigningKeys.recall).
 */
export const getUser: Scenario = {
  name: 'get-user',
  description: `GetUser req/s with one access token ${DESCRIPTION}; p99 at half the peak`,
  async run(ctx) {
    const f = await signInFixture(ctx);
    const tokens = await signIn(f);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const input = { AccessToken: tokens.AccessToken };
    const api = new ApiClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => api.close());
    const subject = { label: 'gatehouse GetUser', url: `${f.gatehouse.url}/`, method: 'POST', headers: apiHeaders('GetUser'), body: JSON.stringify(input), pid: f.gatehouse.child.pid } as const;
    return compareWithPrimitive(ctx, {
      scenario: 'get-user',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'rs256-verify', label: 'RS256 verify' },
      primitives,
      baseline: { op: 'rs256-verify', label: 'bare RS256 verify' },
      target: 0.25,
      atHalfPeak: { once: () => api.call('GetUser', input), op: 'rs256-verify', label: 'bare RS256 verify' },
    });
  },
};

/** More access tokens than SigningKeys remembers (4,096), presented in turn: each is verified afresh. */
const NEW_TOKENS = 5_000;

/** GetUser where every request brings a token this server has not verified yet: the first-use cost. */
export const getUserNewToken: Scenario = {
  name: 'get-user-new-token',
  description: `GetUser req/s, each request with a token not verified yet (${NEW_TOKENS.toLocaleString('en')} in turn) ${DESCRIPTION}`,
  async run(ctx) {
    const f = await signInFixture(ctx);
    const { RefreshToken } = await signIn(f);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const api = new ApiClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => api.close());
    // Each refresh of the one sign-in mints a new access token (same origin_jti, so none is revoked).
    const refresh = { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: f.clientId, AuthParameters: { REFRESH_TOKEN: RefreshToken } };
    const tokens: string[] = [];
    const mint = async () => {
      while (tokens.length < NEW_TOKENS) {
        const { AuthenticationResult } = await api.call<{ AuthenticationResult: AuthenticationResultType }>('InitiateAuth', refresh);
        tokens.push(AuthenticationResult.AccessToken!);
      }
    };
    await Promise.all(Array.from({ length: ctx.load.connections }, mint));
    ctx.log(`get-user-new-token: minted ${tokens.length} access tokens`);
    let next = 0;
    const body = (token: string) => JSON.stringify({ AccessToken: token });
    const subject: LoadTarget = {
      label: 'gatehouse GetUser (new token)',
      url: `${f.gatehouse.url}/`,
      method: 'POST',
      headers: apiHeaders('GetUser'),
      body: body(tokens[0]),
      setupRequest: (request) => ({ ...request, body: body(tokens[next++ % tokens.length]) }),
      pid: f.gatehouse.child.pid,
    };
    return compareWithPrimitive(ctx, {
      scenario: 'get-user-new-token',
      subject: autocannonRunner(subject, ctx.load.connections),
      primitives,
      baseline: { op: 'rs256-verify', label: 'bare RS256 verify' },
      target: 0.25,
      note: `${NEW_TOKENS.toLocaleString('en')} access tokens in turn: none is remembered when it comes round again`,
    });
  },
};
