import { signInFixture } from '../lib/auth-fixture.js';
import { ApiClient } from '../lib/api-client.js';
import { apiHeaders, BENCH_PASSWORD_HASHING } from '../lib/gatehouse.js';
import { closedLoopRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { median } from '../lib/stats.js';
import { checkAgainstAuthenticationHelper, SrpClient, type ChallengeParameters } from '../lib/srp-client.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

interface Challenge {
  ChallengeName?: string;
  ChallengeParameters: ChallengeParameters;
}

/**
 * Complete USER_SRP_AUTH sign-ins: InitiateAuth with SRP_A, the client's proof computed from the
 * PASSWORD_VERIFIER challenge (lib/srp-client.ts: what can be is precomputed, one native modexp is left
 * per round trip), RespondToAuthChallenge ending in tokens. The baseline is the server's own share of the
 * work, bare: its three modular exponentiations and the two token signatures; the HTTP floor is the same
 * two requests to a bare node:http server that does that work in the second.
 */
export const signInSrp: Scenario = {
  name: 'sign-in-srp',
  description: 'USER_SRP_AUTH round trips/s (InitiateAuth + RespondToAuthChallenge) vs the bare server modexps + 2 RS256 signatures per round trip (target ratio ≥ 0.7); p99 at half the peak',
  async run(ctx) {
    const f = await signInFixture(ctx);
    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const client = new SrpClient(f.poolName, f.password);
    const api = new ApiClient(f.gatehouse.url, ctx.load.connections);
    ctx.defer(() => api.close());

    const initiate = (srpA: string) => api.call<Challenge>('InitiateAuth', { AuthFlow: 'USER_SRP_AUTH', ClientId: f.clientId, AuthParameters: { USERNAME: f.username, SRP_A: srpA } });
    const roundTrip = async () => {
      const ephemeral = client.start();
      const challenge = await initiate(ephemeral.srpA);
      const answer = await api.call<{ AuthenticationResult?: { AccessToken?: string } }>('RespondToAuthChallenge', {
        ClientId: f.clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: client.answer(ephemeral, challenge.ChallengeParameters),
      });
      if (!answer.AuthenticationResult?.AccessToken) throw new Error(`SRP sign-in did not end in tokens: ${JSON.stringify(answer)}`);
    };

    // The client's math must be AuthenticationHelper's: checked on a real challenge before anything is timed.
    const ephemeral = client.start();
    const check = checkAgainstAuthenticationHelper(client, f.poolName, f.password, ephemeral, (await initiate(ephemeral.srpA)).ChallengeParameters);
    ctx.log(`client proof equals amazon-cognito-identity-js AuthenticationHelper's (${check.libraryMs.toFixed(0)} ms there in jsbn, ${check.nativeMs.toFixed(2)} ms here natively)`);
    await roundTrip();

    // The bench process's own CPU per round trip is kept, to show what the client took from the two cores.
    const subject = closedLoopRunner('gatehouse USER_SRP_AUTH round trip', f.gatehouse.child.pid, roundTrip, ctx.load.connections);
    // The HTTP floor's requests carry bodies of the same size: a real challenge answered once.
    const sample = client.start();
    const initiateBody = JSON.stringify({ AuthFlow: 'USER_SRP_AUTH', ClientId: f.clientId, AuthParameters: { USERNAME: f.username, SRP_A: sample.srpA } });
    const respondBody = JSON.stringify({
      ClientId: f.clientId,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: client.answer(sample, (await initiate(sample.srpA)).ChallengeParameters),
    });
    const rows = await compareWithPrimitive(ctx, {
      scenario: 'sign-in-srp',
      subject,
      primitives,
      baseline: { op: 'srp-server-round-trip', label: 'bare 3 SRP modexps + 2 RS256 signs' },
      target: 0.7,
      per: 'round trip',
      // InitiateAuth runs nothing there, RespondToAuthChallenge the server's whole share of the round trip.
      overHttp: {
        label: '2 requests: none, then 3 SRP modexps + 2 RS256 signs',
        requests: [
          { method: 'POST', op: 'none', headers: apiHeaders('InitiateAuth'), body: initiateBody },
          { method: 'POST', op: 'srp-server-round-trip', headers: apiHeaders('RespondToAuthChallenge'), body: respondBody },
        ],
      },
      atHalfPeak: { once: roundTrip, op: 'srp-server-round-trip', label: 'bare 3 SRP modexps + 2 RS256 signs' },
    });
    // The first run was the warm-up.
    rows[0].note = `the client (bench process) used ${Math.round(median(subject.clientCpuUs.slice(1)))} µs CPU per round trip on the same machine (a, A, x and k·g^x precomputed; one native modexp left per round trip)`;
    return rows;
  },
};
