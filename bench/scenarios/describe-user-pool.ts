import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBareFastify } from '../lib/baselines.js';
import { residentBytes } from '../lib/children.js';
import { apiHeaders, callApi, startGatehouse } from '../lib/gatehouse.js';
import { compareLoad, type LoadTarget } from '../lib/load.js';
import { row, type Row } from '../lib/results.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { createStore, postgresSkipReason, type BenchStore } from '../lib/stores.js';

const MB = 2 ** 20;

/**
 * DescribeUserPool through the whole stack (routing, model validation, storage, serialisation) against a
 * bare Fastify route answering the same request with a body of the same size: the ratio is what the
 * protocol stack and storage cost over the framework itself.
 */
async function run(kind: BenchStore['kind'], ctx: ScenarioContext): Promise<Row[]> {
  const scenario = `describe-user-pool/${kind}`;
  const store = await createStore(kind, ctx.defer);
  const gatehouse = await startGatehouse(store, ctx.serverFlags);
  ctx.defer(() => gatehouse.stop());

  const created = await callApi<{ UserPool: { Id: string } }>(gatehouse.url, 'CreateUserPool', { PoolName: 'bench' });
  const body = JSON.stringify({ UserPoolId: created.UserPool.Id });
  // The baseline answers with exactly what Gatehouse answers, so both move the same bytes.
  const answer = await callApi(gatehouse.url, 'DescribeUserPool', JSON.parse(body));
  const replyFile = join(ctx.workDir, 'describe-user-pool.json');
  writeFileSync(replyFile, JSON.stringify(answer));
  const bare = await startBareFastify(replyFile);
  ctx.defer(() => bare.stop());

  const request = { method: 'POST', headers: apiHeaders('DescribeUserPool'), body } as const;
  const subject: LoadTarget = { label: `gatehouse (${kind})`, url: `${gatehouse.url}/`, pid: gatehouse.child.pid, ...request };
  const baseline: LoadTarget = { label: 'bare fastify', url: `${bare.url}/`, pid: bare.child.pid, ...request };
  const { subject: g, baseline: b } = await compareLoad(subject, baseline, ctx.load, ctx.log);

  const against = (value: number) => ({ label: 'bare fastify', value });
  const rows = [
    row({
      scenario,
      metric: 'throughput',
      unit: 'req/s',
      value: g.rps,
      baseline: against(b.rps),
      target: { on: 'ratio', op: '>=', limit: 0.5 },
      samples: { value: g.samples.map((s) => s.rps), baseline: b.samples.map((s) => s.rps) },
    }),
    row({ scenario, metric: 'latency p50', unit: 'ms', value: g.p50Ms, baseline: against(b.p50Ms) }),
    row({ scenario, metric: 'latency p99', unit: 'ms', value: g.p99Ms, baseline: against(b.p99Ms) }),
  ];
  if (g.cpuUsPerRequest !== undefined && b.cpuUsPerRequest !== undefined) {
    // Work per request, whatever else the machine was doing: steadier than req/s on a shared machine.
    rows.push(row({ scenario, metric: 'server CPU/request', unit: 'µs', value: g.cpuUsPerRequest, baseline: against(b.cpuUsPerRequest) }));
  }
  const [gRss, bRss] = [residentBytes(gatehouse.child.pid), residentBytes(bare.child.pid)];
  if (gRss !== undefined && bRss !== undefined) {
    rows.push(row({ scenario, metric: 'RSS after load', unit: 'MB', value: gRss / MB, baseline: against(bRss / MB) }));
  }
  return rows;
}

export const describeUserPoolSqlite: Scenario = {
  name: 'describe-user-pool/sqlite',
  description: 'DescribeUserPool req/s on SQLite vs a bare Fastify route (target ratio ≥ 0.5), p50/p99 latency',
  run: (ctx) => run('sqlite', ctx),
};

export const describeUserPoolPostgres: Scenario = {
  name: 'describe-user-pool/postgres',
  description: 'The same on PostgreSQL (needs DATABASE_URL)',
  skipReason: postgresSkipReason,
  run: (ctx) => run('postgres', ctx),
};
