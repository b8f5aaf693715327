import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import type { UsersTable } from '../../src/storage/schema.js';
import { INDEXED_ATTRIBUTES } from '../../src/storage/users-repository.js';
import { createSrpVerifier } from '../../src/userpools/auth/srp.js';
import { hashPassword, type PasswordCredentials } from '../../src/userpools/users/password-store.js';
import { BENCH_PASSWORD_HASHING, callApi, ROOT, startGatehouse } from './gatehouse.js';
import { postgresUrl, type BenchStore } from './stores.js';

/**
 * A user pool of many users for the ListUsers scenarios, written straight into the users table in batched
 * transactions (through the API it would take hours of argon2), and kept between runs: a SQLite folder
 * under .bench/seeded/, or a PostgreSQL schema, named by the user count and a key of the schema version
 * (the migration files) and of this seeding format. A finished seed leaves a marker row in gatehouse_meta
 * (written in the last transaction), so an interrupted one is redone. `reseed` throws the cache away.
 *
 * Users are user000000 … user999999 (one in `step` of them for a smaller pool, always including
 * user123456), with email <username>@example.com and a name, CONFIRMED, each with the same credentials
 * document (one real argon2id hash and SRP verifier: they cost time to make and do not matter to a
 * listing, but a row should be as large as a real one).
 */

/** Bump when the rows written here change, so old caches are re-seeded. */
const SEED_FORMAT = 1;
const MARKER_KEY = 'bench:seed';
const SEEDED_DIR = join(ROOT, '.bench', 'seeded');
/** The id space: six digits. */
const ID_SPACE = 1_000_000;
/** Users every filter of the scenarios expects to find. */
export const KNOWN_ID = 123_456;
const SQLITE_BATCH = 10_000;
/** Rows per INSERT … unnest() on PostgreSQL. */
const POSTGRES_BATCH = 5_000;
const POSTGRES_BATCHES_PER_TRANSACTION = 4;

export interface SeedInfo {
  format: number;
  key: string;
  count: number;
  poolId: string;
  seedSeconds: number;
  seededAt: string;
}

export interface SeededPool extends SeedInfo {
  store: BenchStore;
  /** True when the users were there already, from an earlier run. */
  cached: boolean;
}

export const seededUsername = (id: number) => `user${String(id).padStart(6, '0')}`;

/** The schema version the cache is keyed by: this format and the migrations that exist. */
function cacheKey(): string {
  const migrations = readdirSync(join(ROOT, 'src', 'storage', 'migrations')).filter((f) => f.endsWith('.ts')).sort();
  return createHash('sha256').update(JSON.stringify({ SEED_FORMAT, migrations })).digest('hex').slice(0, 10);
}

/** The ids of a pool of `count` users: evenly spread over the six-digit space, KNOWN_ID among them. */
function idsOf(count: number): { step: number; offset: number } {
  if (!Number.isInteger(count) || count < 1 || count > ID_SPACE || ID_SPACE % count !== 0) throw new Error(`cannot seed ${count} users: it must divide ${ID_SPACE}`);
  const step = ID_SPACE / count;
  return { step, offset: KNOWN_ID % step };
}

function credentialsDocument(poolId: string): Promise<string> {
  const poolName = poolId.slice(poolId.indexOf('_') + 1);
  return hashPassword('Seeded-Passw0rd!', BENCH_PASSWORD_HASHING).then((hash) => {
    const credentials: PasswordCredentials = { hash, temporary: false, srp: createSrpVerifier(poolName, seededUsername(0), 'Seeded-Passw0rd!', randomBytes) };
    return JSON.stringify(credentials);
  });
}

/** Row i of the pool, with every column the repository writes (typed as the table, so none is missed). */
function seededRow(poolId: string, id: number, credentials: string, now: number): UsersTable {
  const username = seededUsername(id);
  const sub = randomUUID();
  const attributes: Record<string, string> = { sub, email: `${username}@example.com`, email_verified: 'true', name: `User ${id}` };
  const indexed = Object.fromEntries(INDEXED_ATTRIBUTES.map((name) => [name, attributes[name] ?? null])) as Pick<UsersTable, (typeof INDEXED_ATTRIBUTES)[number]>;
  return {
    pool_id: poolId,
    username_key: username,
    username,
    sub,
    status: 'CONFIRMED',
    enabled: 1,
    attributes: JSON.stringify(attributes),
    credentials,
    ...indexed,
    version: 1,
    created_at: now,
    updated_at: now,
    failed_sign_ins: 0,
    locked_until: null,
  };
}

interface SeedTarget {
  store: BenchStore;
  readMarker(): Promise<SeedInfo | undefined>;
  /** Drops whatever is there (and stale caches of other keys) and leaves an empty place for a store. */
  wipe(): Promise<void>;
  /**
   * Inserts the rows in batches inside transactions, then, in one last transaction, sets the pool's user
   * count and writes `marker()` (called then, so it can carry the seeding time).
   */
  insert(rows: Iterable<UsersTable[]>, pool: { poolId: string; count: number }, marker: () => SeedInfo, progress: (done: number) => void): Promise<void>;
  close(): Promise<void>;
}

function sqliteTarget(count: number, key: string): SeedTarget {
  const name = `sqlite-users-${count}-${key}`;
  const dataDir = join(SEEDED_DIR, name);
  const file = join(dataDir, 'gatehouse.sqlite');
  return {
    store: { kind: 'sqlite', dataDir },
    async readMarker() {
      if (!existsSync(file)) return undefined;
      const db = new SQLite(file, { readonly: true });
      try {
        const row = db.prepare('select value from gatehouse_meta where key = ?').get(MARKER_KEY) as { value: string } | undefined;
        return row ? (JSON.parse(row.value) as SeedInfo) : undefined;
      } catch {
        return undefined;
      } finally {
        db.close();
      }
    },
    async wipe() {
      mkdirSync(SEEDED_DIR, { recursive: true });
      for (const entry of readdirSync(SEEDED_DIR)) {
        if (entry === name || (entry.startsWith('sqlite-users-') && !entry.endsWith(`-${key}`))) rmSync(join(SEEDED_DIR, entry), { recursive: true, force: true });
      }
      mkdirSync(dataDir, { recursive: true });
    },
    async insert(batches, pool, marker, progress) {
      const db = new SQLite(file);
      try {
        // Only for the seeding connection: a big page cache for the eight index B-trees, no fsync per batch.
        db.pragma('synchronous = OFF');
        db.pragma('cache_size = -1048576');
        let columns: (keyof UsersTable)[] | undefined;
        let statement: SQLite.Statement | undefined;
        let done = 0;
        for (const rows of batches) {
          columns ??= Object.keys(rows[0]) as (keyof UsersTable)[];
          statement ??= db.prepare(`insert into users (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`);
          const insert = statement;
          const cols = columns;
          db.transaction(() => {
            for (const row of rows) insert.run(cols.map((c) => row[c]));
          })();
          done += rows.length;
          progress(done);
          // Back to the event loop between batches, so Ctrl-C is handled during a long seed.
          await new Promise((resolve) => setImmediate(resolve));
        }
        db.transaction(() => {
          db.prepare('update user_pools set user_count = ? where pool_id = ?').run(pool.count, pool.poolId);
          db.prepare('insert into gatehouse_meta (key, value) values (?, ?)').run(MARKER_KEY, JSON.stringify(marker()));
        })();
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
    },
    async close() {},
  };
}

function postgresTarget(count: number, key: string, defer: (cleanup: () => Promise<void> | void) => void): SeedTarget {
  if (!postgresUrl) throw new Error('DATABASE_URL is not set');
  const schema = `gh_bench_users_${count}_${key}`;
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  // Gatehouse keeps nothing in its data folder on PostgreSQL; a temporary one will do.
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  defer(() => rmSync(dataDir, { recursive: true, force: true }));
  const client = new pg.Client({ connectionString: postgresUrl });
  const connected = client.connect();
  return {
    store: { kind: 'postgres', dataDir, databaseUrl: url.toString() },
    async readMarker() {
      await connected;
      const exists = await client.query('select 1 from information_schema.tables where table_schema = $1 and table_name = $2', [schema, 'gatehouse_meta']);
      if (exists.rowCount === 0) return undefined;
      const { rows } = await client.query<{ value: string }>(`select value from ${schema}.gatehouse_meta where key = $1`, [MARKER_KEY]);
      return rows[0] ? (JSON.parse(rows[0].value) as SeedInfo) : undefined;
    },
    async wipe() {
      await connected;
      const { rows } = await client.query<{ name: string }>(`select schema_name as name from information_schema.schemata where schema_name like 'gh\\_bench\\_users\\_%'`);
      for (const { name } of rows) {
        if (name === schema || !name.endsWith(`_${key}`)) await client.query(`drop schema ${name} cascade`);
      }
      await client.query(`create schema ${schema}`);
    },
    async insert(batches, pool, marker, progress) {
      await connected;
      await client.query(`set search_path = ${schema}`);
      // One INSERT … SELECT FROM unnest() per batch, one array parameter per column, typed as the
      // migrations made the column: far less to parse and bind than a multi-row VALUES list.
      const { rows: types } = await client.query<{ name: string; type: string }>(
        `select column_name as name, format_type(atttypid, atttypmod) as type
           from information_schema.columns join pg_attribute on attrelid = $1::regclass and attname = column_name
          where table_schema = $2 and table_name = 'users'`,
        [`${schema}.users`, schema],
      );
      const typeOf = new Map(types.map((t) => [t.name, t.type]));
      let columns: (keyof UsersTable)[] | undefined;
      let statement = '';
      let done = 0;
      let inTransaction = 0;
      for (const rows of batches) {
        if (!columns) {
          columns = Object.keys(rows[0]) as (keyof UsersTable)[];
          const arrays = columns.map((c, i) => {
            if (!typeOf.has(c)) throw new Error(`users.${c} is not a column of ${schema}.users`);
            return `$${i + 1}::${typeOf.get(c)}[]`;
          });
          statement = `insert into users (${columns.join(', ')}) select * from unnest(${arrays.join(', ')})`;
        }
        if (inTransaction === 0) await client.query('begin');
        await client.query(
          statement,
          columns.map((c) => rows.map((row) => row[c])),
        );
        done += rows.length;
        if (++inTransaction === POSTGRES_BATCHES_PER_TRANSACTION) {
          await client.query('commit');
          inTransaction = 0;
          progress(done);
        }
      }
      if (inTransaction === 0) await client.query('begin');
      await client.query('update user_pools set user_count = $1 where pool_id = $2', [pool.count, pool.poolId]);
      await client.query('insert into gatehouse_meta (key, value) values ($1, $2)', [MARKER_KEY, JSON.stringify(marker())]);
      await client.query('commit');
      progress(done);
      // What autovacuum would soon do after a bulk load: statistics for the planner, a visibility map.
      await client.query('vacuum analyze users');
    },
    close: () => client.end(),
  };
}

function* batchesOf(poolId: string, count: number, credentials: string, size: number): Generator<UsersTable[]> {
  const { step, offset } = idsOf(count);
  const now = Date.now();
  for (let first = 0; first < count; first += size) {
    const rows: UsersTable[] = [];
    for (let i = first; i < Math.min(count, first + size); i++) rows.push(seededRow(poolId, offset + i * step, credentials, now));
    yield rows;
  }
}

/**
 * The seeded pool of `count` users on `kind`, from the cache when it is there (and `reseed` is not set),
 * otherwise made now: Gatehouse creates the schema and the pool (through the API), then the users go in.
 */
export async function seededUserPool(
  kind: BenchStore['kind'],
  count: number,
  options: { reseed: boolean; log: (message: string) => void; defer: (cleanup: () => Promise<void> | void) => void },
): Promise<SeededPool> {
  const key = cacheKey();
  const target = kind === 'sqlite' ? sqliteTarget(count, key) : postgresTarget(count, key, options.defer);
  options.defer(() => target.close());
  const where = kind === 'sqlite' ? target.store.dataDir : `schema gh_bench_users_${count}_${key}`;
  const existing = options.reseed ? undefined : await target.readMarker();
  if (existing) {
    options.log(`using the ${count.toLocaleString('en-US')} users seeded ${existing.seededAt} in ${existing.seedSeconds.toFixed(0)} s (${where}; --reseed to redo)`);
    return { ...existing, store: target.store, cached: true };
  }

  options.log(`seeding ${count.toLocaleString('en-US')} users into ${where}${options.reseed ? ' (--reseed)' : ''}; this happens once per schema version`);
  const started = performance.now();
  await target.wipe();
  const gatehouse = await startGatehouse(target.store);
  let poolId: string;
  try {
    ({ UserPool: { Id: poolId } } = await callApi<{ UserPool: { Id: string } }>(gatehouse.url, 'CreateUserPool', { PoolName: 'bench-list-users' }));
  } finally {
    await gatehouse.stop();
  }
  const credentials = await credentialsDocument(poolId);
  let reported = 0;
  const progress = (done: number) => {
    if (done === reported || (done < count && done - reported < count / 20)) return;
    reported = done;
    const seconds = (performance.now() - started) / 1000;
    options.log(`seeded ${done.toLocaleString('en-US')} / ${count.toLocaleString('en-US')} users (${seconds.toFixed(0)} s, ${Math.round(done / seconds).toLocaleString('en-US')}/s)`);
  };
  let result: SeedInfo | undefined;
  const marker = (): SeedInfo => (result = { format: SEED_FORMAT, key, count, poolId, seedSeconds: (performance.now() - started) / 1000, seededAt: new Date().toISOString() });
  await target.insert(batchesOf(poolId, count, credentials, kind === 'sqlite' ? SQLITE_BATCH : POSTGRES_BATCH), { poolId, count }, marker, progress);
  if (!result) throw new Error('the seeding finished without writing its marker');
  options.log(`seeded ${count.toLocaleString('en-US')} users in ${result.seedSeconds.toFixed(0)} s (${((performance.now() - started) / 1000).toFixed(0)} s with the final vacuum/checkpoint)`);
  return { ...result, store: target.store, cached: false };
}
