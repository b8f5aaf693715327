import { passwordSignInInput, signIn, signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { autocannonRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

/** USER_PASSWORD_AUTH sign-ins ending in tokens, against the bare argon2id verify that bounds them. */
export const signInPassword: Scenario = {
  name: 'sign-in-password',
  description: 'InitiateAuth USER_PASSWORD_AUTH sign-ins/s vs the bare argon2id verify rate, same parameters and concurrency (target ratio ≥ 0.85); p99 at half the peak',
  async run(ctx) {
    const f = await signInFixture(ctx);
    await signIn(f);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const input = passwordSignInInput(f);
    const api = new ApiClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => api.close());
    const subject = { label: 'gatehouse USER_PASSWORD_AUTH', url: `${f.gatehouse.url}/`, method: 'POST', headers: apiHeaders('InitiateAuth'), body: JSON.stringify(input), pid: f.gatehouse.child.pid } as const;
    return compareWithPrimitive(ctx, {
      scenario: 'sign-in-password',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'argon2-verify-sign-pair', label: 'argon2id verify + 2 × RS256 sign' },
      primitives,
      baseline: { op: 'argon2-verify', label: 'bare argon2id verify' },
      target: 0.85,
      atHalfPeak: { once: () => api.call('InitiateAuth', input), op: 'argon2-verify', label: 'bare argon2id verify' },
    });
  },
};
