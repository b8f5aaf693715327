import { poolFixture } from '../lib/auth-fixture.js';
import { BENCH_PASSWORD_HASHING, callApi, SIGN_IN_CONFIG } from '../lib/gatehouse.js';
import { expectStatus, HttpClient } from '../lib/http-client.js';
import { autocannonRunner } from '../lib/load.js';
import { startPrimitives } from '../lib/primitives.js';
import type { Scenario } from '../lib/scenario.js';
import { compareWithPrimitive } from '../lib/versus-primitive.js';

const SCOPE = 'https://api.bench.example/read';

/**
 * A machine client's token request: client_credentials with HTTP Basic client authentication and a
 * resource-server scope, which signs one access token. The token endpoint checks a client secret, so it
 * draws on the credential rate limit, lifted here (SIGN_IN_CONFIG) as for the sign-in scenarios.
 */
export const clientCredentials: Scenario = {
  name: 'client-credentials',
  description: 'POST /oauth2/token client_credentials (HTTP Basic, a resource-server scope) tokens/s vs the bare RS256 (node:crypto, 2048-bit) signing rate at the same concurrency (target ratio ≥ 0.8); p99 at half the peak',
  async run(ctx) {
    const { gatehouse, poolId } = await poolFixture(ctx, 'bench-oauth', SIGN_IN_CONFIG);
    const { url } = gatehouse;
    await callApi(url, 'CreateResourceServer', { UserPoolId: poolId, Identifier: 'https://api.bench.example', Name: 'bench API', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] });
    const { UserPoolClient } = await callApi<{ UserPoolClient: { ClientId: string; ClientSecret: string } }>(url, 'CreateUserPoolClient', {
      UserPoolId: poolId,
      ClientName: 'bench-machine',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [SCOPE],
    });
    const basic = Buffer.from(`${encodeURIComponent(UserPoolClient.ClientId)}:${encodeURIComponent(UserPoolClient.ClientSecret)}`).toString('base64');
    const headers = { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' };
    const body = new URLSearchParams({ grant_type: 'client_credentials', scope: SCOPE }).toString();
    const path = `/${poolId}/oauth2/token`;

    const primitives = await startPrimitives({ passwordHashing: BENCH_PASSWORD_HASHING }, ctx.defer);
    const http = new HttpClient(url, ctx.load.connections);
    ctx.defer(() => http.close());
    const once = async () => {
      const answer = expectStatus(await http.send('POST', path, headers, body), 200, 'client_credentials');
      if (!(JSON.parse(answer.text) as { access_token?: string }).access_token) throw new Error(`no access token: ${answer.text}`);
    };
    await once();

    const subject = { label: 'gatehouse client_credentials', url: `${url}${path}`, method: 'POST', headers, body, pid: gatehouse.child.pid } as const;
    return compareWithPrimitive(ctx, {
      scenario: 'client-credentials',
      subject: autocannonRunner(subject, ctx.load.connections),
      overHttp: { target: subject, op: 'rs256-sign', label: 'RS256 sign' },
      primitives,
      baseline: { op: 'rs256-sign', label: 'bare RS256 sign' },
      target: 0.8,
      atHalfPeak: { once, op: 'rs256-sign', label: 'bare RS256 sign' },
    });
  },
};
