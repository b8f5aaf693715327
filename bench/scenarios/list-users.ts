import { UsersRepository } from '../../src/storage/users-repository.js';
import { parseUserFilter } from '../../src/userpools/users/list-users-filter.js';
import { ApiClient } from '../lib/api-client.js';
import { openDirect } from '../lib/direct-query.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { row, type Row } from '../lib/results.js';
import type { Scenario, ScenarioContext } from '../lib/scenario.js';
import { percentile } from '../lib/stats.js';
import { postgresSkipReason, type BenchStore } from '../lib/stores.js';
import { KNOWN_ID, seededUserPool, seededUsername } from '../lib/users-seed.js';

const FULL_USERS = 1_000_000;
const QUICK_USERS = 50_000;
const LIMIT = 60;

/** The three listings: a prefix matching 1% of the pool, one exact email, and the first page of everyone. */
const LISTINGS: { label: string; filter?: string; expect: number }[] = [
  { label: 'email ^= "user12"', filter: 'email ^= "user12"', expect: LIMIT },
  { label: `email = "${seededUsername(KNOWN_ID)}@example.com"`, filter: `email = "${seededUsername(KNOWN_ID)}@example.com"`, expect: 1 },
  { label: 'no filter', expect: LIMIT },
];

/**
 * ListUsers (Limit 60) on a seeded pool of a million users (50,000 with --quick), through the whole stack,
 * one request at a time, against the same SQL run directly on the database in the same run (requests and
 * direct queries interleaved, so drift falls on both): the figure is the p95 (target < 50 ms), the ratio
 * is what the stack adds. The pool is seeded once and cached (lib/users-seed.ts).
 */
async function run(kind: BenchStore['kind'], ctx: ScenarioContext): Promise<Row[]> {
  const scenario = `list-users-1m/${kind}`;
  const count = ctx.quick ? QUICK_USERS : FULL_USERS;
  if (ctx.quick) ctx.log(`--quick: a pool of ${count.toLocaleString('en-US')} users, not ${FULL_USERS.toLocaleString('en-US')}`);
  const seeded = await seededUserPool(kind, count, { reseed: ctx.reseed, log: ctx.log, defer: ctx.defer });
  const gatehouse = await startGatehouse(seeded.store, ctx.serverFlags);
  ctx.defer(() => gatehouse.stop());
  const api = new ApiClient(gatehouse.url, 1);
  ctx.defer(() => api.close());
  const direct = await openDirect(seeded.store);
  ctx.defer(() => direct.close());

  const users = `${count.toLocaleString('en-US')} users`;
  const rows: Row[] = [
    row({
      scenario,
      metric: `seed ${users}${seeded.cached ? ' (cached)' : ''}`,
      unit: 's',
      value: seeded.seedSeconds,
      note: seeded.cached ? `seeded ${seeded.seededAt}, reused (--reseed to redo)` : 'seeded in this run, straight into the users table in batched transactions',
    }),
  ];
  const samples = ctx.quick ? 100 : 500;
  const warmup = ctx.quick ? 10 : 30;
  for (const listing of LISTINGS) {
    const input = { UserPoolId: seeded.poolId, Limit: LIMIT, ...(listing.filter && { Filter: listing.filter }) };
    const page = await api.call<{ Users: unknown[] }>('ListUsers', input);
    if (page.Users.length !== listing.expect) throw new Error(`ListUsers ${listing.label} returned ${page.Users.length} users, expected ${listing.expect}`);
    // The server's own query, as its repository builds it for this filter (a username filter would be normalised; these are not).
    const filter = parseUserFilter(listing.filter, (name) => name);
    const query = await direct.capture((db) => new UsersRepository(db).list(seeded.poolId, LIMIT, filter));
    ctx.log(`${listing.label}: ${await direct.plan(query)}`);

    const through: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < warmup + samples; i++) {
      let started = performance.now();
      await api.call('ListUsers', input);
      const stack = performance.now() - started;
      started = performance.now();
      const found = await direct.run(query);
      const db = performance.now() - started;
      // The repository asks for one row more than the page, to know whether another page follows.
      const expected = listing.expect === LIMIT ? LIMIT + 1 : listing.expect;
      if (i === 0 && found.length !== expected) throw new Error(`the direct query returned ${found.length} rows, expected ${expected}`);
      if (i >= warmup) {
        through.push(stack);
        bare.push(db);
      }
    }
    through.sort((a, b) => a - b);
    bare.sort((a, b) => a - b);
    const [p50, p95, b50, b95] = [percentile(through, 50), percentile(through, 95), percentile(bare, 50), percentile(bare, 95)];
    ctx.log(`${listing.label}: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms through the stack; p50 ${b50.toFixed(2)} ms, p95 ${b95.toFixed(2)} ms direct (${samples} each)`);
    rows.push(
      row({
        scenario,
        metric: `ListUsers ${listing.label} p95${ctx.quick ? ` (${users})` : ''}`,
        unit: 'ms',
        value: p95,
        baseline: { label: `the same SQL direct on ${kind}`, value: b95 },
        target: { on: 'value', op: '<', limit: 50 },
        note: `p50 ${p50.toFixed(2)} ms vs ${b50.toFixed(2)} ms direct; ${samples} requests, one at a time`,
      }),
    );
  }
  return rows;
}

export const listUsersSqlite: Scenario = {
  name: 'list-users-1m/sqlite',
  description: 'ListUsers p95 (Limit 60; email prefix, exact email, no filter) on 1M seeded users, SQLite (target < 50 ms), vs the same SQL direct; seeded once and cached',
  run: (ctx) => run('sqlite', ctx),
};

export const listUsersPostgres: Scenario = {
  name: 'list-users-1m/postgres',
  description: 'The same on PostgreSQL (needs DATABASE_URL; a cached gh_bench_users_* schema)',
  skipReason: postgresSkipReason,
  run: (ctx) => run('postgres', ctx),
};
