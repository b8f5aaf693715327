import { signInFixture } from '../lib/auth-fixture.js';
import { BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { authorizationCodeSignIn, HOSTED_UI_CLIENT } from '../lib/hosted-ui-client.js';
import { HttpClient } from '../lib/http-client.js';
import { closedLoopRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { median } from '../lib/stats.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

/**
 * The hosted UI's authorization-code flow end to end, as a browser new to the pool and a public app (PKCE)
 * make it: authorize, the sign-in page, the credentials posted (one argon2id verify), the code exchanged
 * for tokens (two RS256 signatures: access, then ID with at_hash). The baseline is
 * the argon2id verify alone; the HTTP floor (what is left to gain) is the same four requests to a bare
 * node:http server that runs the verify for the sign-in and the two signatures for the token request.
 */
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

export const authorizationCode: Scenario = {
  name: 'authorization-code',
  description:
    'hosted-UI authorization-code round trips/s (GET authorize, GET login, POST login, POST token with PKCE) vs the bare argon2id verify rate at the same concurrency (target ratio ≥ 0.8); p99 at half the peak',
  async run(ctx) {
    const f = await signInFixture(ctx, HOSTED_UI_CLIENT);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const http = new HttpClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => http.close());
    const roundTrip = () => authorizationCodeSignIn(http, f);
    await roundTrip();

    const subject = closedLoopRunner('gatehouse authorization-code round trip', f.gatehouse.child.pid, roundTrip, ctx.load.connections);
    const rows = await compareWithPrimitive(ctx, {
      scenario: 'authorization-code',
      subject,
      primitives,
      baseline: { op: 'argon2-verify', label: 'bare argon2id verify' },
      target: 0.8,
      per: 'round trip',
      // The same four requests, each running what its counterpart needs at least.
      overHttp: {
        label: '4 requests: none, none, argon2id verify, 2 × RS256 sign',
        requests: [
          { method: 'GET', op: 'none' },
          { method: 'GET', op: 'none' },
          { method: 'POST', op: 'argon2-verify', headers: FORM, body: 'username=bench-user&password=x' },
          { method: 'POST', op: 'rs256-sign-pair', headers: FORM, body: 'grant_type=authorization_code&code=x' },
        ],
      },
      atHalfPeak: { once: roundTrip, op: 'argon2-verify', label: 'bare argon2id verify' },
    });
    // The first run was the warm-up.
    rows[0].note = `4 HTTP requests per round trip; the client (bench process) used ${Math.round(median(subject.clientCpuUs.slice(1)))} µs CPU per round trip on the same machine`;
    return rows;
  },
};
