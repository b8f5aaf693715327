import { apiHeaders, callApi, SIGN_IN_CONFIG, startGatehouse } from '../lib/gatehouse.js';
import { compareLoad, type LoadTarget } from '../lib/load.js';
import { row } from '../lib/results.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { createStore } from '../lib/stores.js';

/** A server of `workers` processes on a store of its own, with one app client; its RevokeToken request. */
async function revokeTarget(ctx: ScenarioContext, workers: number, label: string): Promise<LoadTarget> {
  const store = await createStore('sqlite', ctx.defer);
  const gatehouse = await startGatehouse(store, ctx.serverFlags, { ...SIGN_IN_CONFIG, workers });
  ctx.defer(() => gatehouse.stop());
  const { UserPool } = await callApi<{ UserPool: { Id: string } }>(gatehouse.url, 'CreateUserPool', { PoolName: 'bench' });
  const { UserPoolClient } = await callApi<{ UserPoolClient: { ClientId: string } }>(gatehouse.url, 'CreateUserPoolClient', { UserPoolId: UserPool.Id, ClientName: 'bench' });
  // A token never issued: the cheapest request that still counts against the credential limit.
  const body = JSON.stringify({ ClientId: UserPoolClient.ClientId, Token: 'never-issued' });
  await callApi(gatehouse.url, 'RevokeToken', JSON.parse(body));
  // No pid: with workers, the primary's own CPU time would leave out the workers'.
  return { label, url: `${gatehouse.url}/`, method: 'POST', headers: apiHeaders('RevokeToken'), body };
}

/**
 * What sharing the rate limits across `serve --workers` costs: a credential check there asks the primary
 * over IPC, in one process it asks a map. Both servers run on the servers' one core, so the ratio is the
 * ask's share of the cheapest credential check; a password check (argon2) hides it.
 */
export const workersCredentialCheck: Scenario = {
  name: 'workers/credential-check',
  description: 'RevokeToken (a credential check) req/s with --workers 2, the limit asked of the primary, vs one process, all on one core (no target)',
  async run(ctx) {
    const single = await revokeTarget(ctx, 1, 'one process');
    const cluster = await revokeTarget(ctx, 2, '2 workers');
    const { subject, baseline } = await compareLoad(cluster, single, ctx.load, ctx.log);
    return [
      row({
        scenario: 'workers/credential-check',
        metric: 'RevokeToken throughput',
        unit: 'req/s',
        value: subject.rps,
        baseline: { label: 'one process', value: baseline.rps },
        samples: { value: subject.samples.map((s) => s.rps), baseline: baseline.samples.map((s) => s.rps) },
        note: 'every process on the servers\' one core; the difference is the rate-limit question to the primary and its answer',
      }),
    ];
  },
};
