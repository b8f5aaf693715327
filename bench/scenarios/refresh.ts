import { signIn, signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { autocannonRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

/**
 * REFRESH_TOKEN_AUTH with one refresh token (no rotation: the client does not ask for it), which signs a
 * new ID and access token each time: against half the bare RS256 signing rate.
 */
export const refresh: Scenario = {
  name: 'refresh',
  description: 'InitiateAuth REFRESH_TOKEN_AUTH/s vs ½ × the bare RS256 (node:crypto, 2048-bit) signing rate at the same concurrency (target ratio ≥ 0.8); p99 at half the peak',
  async run(ctx) {
    const f = await signInFixture(ctx);
    const tokens = await signIn(f);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const input = { AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: f.clientId, AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken } };
    const api = new ApiClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => api.close());
    const subject = { label: 'gatehouse REFRESH_TOKEN_AUTH', url: `${f.gatehouse.url}/`, method: 'POST', headers: apiHeaders('InitiateAuth'), body: JSON.stringify(input), pid: f.gatehouse.child.pid } as const;
    return compareWithPrimitive(ctx, {
      scenario: 'refresh',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'rs256-sign-pair', label: '2 × RS256 sign' },
      primitives,
      baseline: { op: 'rs256-sign', label: 'bare RS256 sign', scale: 0.5 },
      target: 0.8,
      atHalfPeak: { once: () => api.call('InitiateAuth', input), op: 'rs256-sign-pair', label: 'bare 2 × RS256 sign' },
    });
  },
};
