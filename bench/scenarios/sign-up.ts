import { randomBytes } from 'node:crypto';
import { signInFixture } from '../lib/auth-fixture.js';
import { apiHeaders, BENCH_PASSWORD_HASHING, callApi } from '../lib/gatehouse.js';
import { autocannonRunner, type LoadTarget } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

/**
 * SignUp with a unique username per request, in a pool with no auto-verified attributes, so no code and
 * no message is made (checked on the first call): the argon2id hash is the cost, and the baseline is
 * that hash alone, at the same parameters and the same number in flight, in a process of its own.
 */
export const signUp: Scenario = {
  name: 'sign-up',
  description: 'SignUp req/s (unique usernames, nothing sent) vs the bare argon2id hash rate, same parameters and concurrency (target ratio ≥ 0.85)',
  async run(ctx) {
    const f = await signInFixture(ctx);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const prefix = randomBytes(4).toString('hex');
    let next = 0;
    const input = (username: string) => ({
      ClientId: f.clientId,
      Username: username,
      Password: f.password,
      UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }],
    });
    const first = await callApi(f.gatehouse.url, 'SignUp', input(`${prefix}-first`));
    if (first.CodeDeliveryDetails) throw new Error('SignUp sent a code: the pool should have no auto-verified attributes');

    const subject: LoadTarget = {
      label: 'gatehouse SignUp',
      url: `${f.gatehouse.url}/`,
      method: 'POST',
      headers: apiHeaders('SignUp'),
      body: JSON.stringify(input(`${prefix}-template`)),
      setupRequest: (request) => ({ ...request, body: JSON.stringify(input(`${prefix}-${next++}`)) }),
      pid: f.gatehouse.child.pid,
    };
    return compareWithPrimitive(ctx, {
      scenario: 'sign-up',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'argon2-hash-srp-verifier', label: 'argon2id hash + SRP verifier' },
      primitives,
      baseline: { op: 'argon2-hash', label: 'bare argon2id hash' },
      target: 0.85,
    });
  },
};
