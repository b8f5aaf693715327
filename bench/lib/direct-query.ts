import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '../../src/storage/schema.js';
import type { BenchStore } from './stores.js';

/**
 * The database without Gatehouse: the baseline of the ListUsers scenarios. `capture` runs a repository
 * method once on a Kysely of its own and keeps the SQL and parameters it sent, so the baseline replays
 * exactly the query the server runs; `run` then executes that query with the bare driver (better-sqlite3,
 * a statement prepared once as the server's cache does; or one pg connection) and returns the rows.
 */
export interface DirectDatabase {
  capture(call: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery>;
  run(query: CompiledQuery): Promise<unknown[]>;
  /** The engine's plan for the query, for the log. */
  plan(query: CompiledQuery): Promise<string>;
  close(): Promise<void>;
}

async function captureWith(dialect: SqliteDialect | PostgresDialect, call: (db: Kysely<Database>) => Promise<unknown>): Promise<CompiledQuery> {
  const queries: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect, log: (event) => void queries.push(event.query) });
  try {
    await call(db);
  } finally {
    await db.destroy();
  }
  if (queries.length !== 1) throw new Error(`expected one query, the call ran ${queries.length}`);
  return queries[0];
}

export async function openDirect(store: BenchStore): Promise<DirectDatabase> {
  if (store.kind === 'sqlite') {
    const file = join(store.dataDir, 'gatehouse.sqlite');
    const database = new SQLite(file, { readonly: true });
    const statements = new Map<string, SQLite.Statement>();
    const prepared = (sql: string) => {
      let statement = statements.get(sql);
      if (!statement) statements.set(sql, (statement = database.prepare(sql)));
      return statement;
    };
    return {
      capture: (call) => captureWith(new SqliteDialect({ database: new SQLite(file, { readonly: true }) }), call),
      run: async (query) => prepared(query.sql).all(...query.parameters),
      plan: async (query) =>
        (database.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as { detail: string }[]).map((r) => r.detail).join('; '),
      close: async () => {
        database.close();
      },
    };
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  return {
    capture: (call) => captureWith(new PostgresDialect({ pool: new pg.Pool({ connectionString: store.databaseUrl, max: 1 }) }), call),
    run: async (query) => (await client.query({ text: query.sql, values: [...query.parameters] })).rows,
    plan: async (query) => {
      const { rows } = await client.query<{ 'QUERY PLAN': string }>({ text: `explain ${query.sql}`, values: [...query.parameters] });
      return rows.map((r) => r['QUERY PLAN'].trim()).join('; ');
    },
    close: () => client.end(),
  };
}
