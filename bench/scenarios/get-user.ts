import { signIn, signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { autocannonRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

/** GetUser with one access token: signature, revocation and user checks, against the bare RS256 verify. */
export const getUser: Scenario = {
  name: 'get-user',
  description: 'GetUser req/s vs the bare RS256 (node:crypto) verify rate at the same concurrency (target ratio ≥ 0.25); p99 at half the peak',
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
