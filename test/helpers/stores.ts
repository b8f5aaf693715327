import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';

/** A fresh, empty store for one test server: a temporary SQLite folder, or a new PostgreSQL schema. */
export interface TestStore {
  name: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl?: string;
  drop(): Promise<void>;
}

export type StoreName = TestStore['name'];

/** PostgreSQL runs when DATABASE_URL is set (CI sets it); otherwise its tests are skipped with a reason. */
export const postgresUrl = process.env.DATABASE_URL;

export const STORES: { name: StoreName; skip: string | false }[] = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: postgresUrl ? false : 'DATABASE_URL is not set: PostgreSQL tests skipped' },
];

export async function createStore(name: StoreName): Promise<TestStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  if (name === 'sqlite') {
    return { name, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  if (!postgresUrl) throw new Error('DATABASE_URL is not set');
  // Each server gets its own schema, so test files can run in parallel against one database.
  const schema = `gh_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name,
    dataDir,
    databaseUrl: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Rows exactly as the database holds them, read past Gatehouse's repositories (what a leaked database would
 * show): `select * from <table> where <column> = <value> and …`.
 */
export async function rawRows(store: TestStore, table: string, where: Record<string, string>): Promise<Record<string, unknown>[]> {
  const columns = Object.keys(where);
  const values = Object.values(where);
  const query = (placeholder: (i: number) => string) => `select * from ${table} where ${columns.map((c, i) => `${c} = ${placeholder(i)}`).join(' and ')}`;
  if (store.name === 'sqlite') {
    const db = new SQLite(join(store.dataDir, 'gatehouse.sqlite'), { readonly: true });
    try {
      return db.prepare(query(() => '?')).all(...values) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: store.databaseUrl });
  await client.connect();
  try {
    return (await client.query(query((i) => `$${i + 1}`), values)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

/** The first of rawRows; undefined at run time when there is none. */
export async function rawRow(store: TestStore, table: string, where: Record<string, string>): Promise<Record<string, unknown>> {
  return (await rawRows(store, table, where))[0];
}
