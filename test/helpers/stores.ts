import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
