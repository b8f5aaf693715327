import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { movePostgresOffServerCpu } from './cpus.js';

/** A fresh, empty store for one Gatehouse child: a temporary SQLite folder, or a new PostgreSQL schema. */
export interface BenchStore {
  kind: 'sqlite' | 'postgres';
  dataDir: string;
  databaseUrl?: string;
}

export const postgresUrl = process.env.DATABASE_URL;

export function postgresSkipReason(): string | undefined {
  return postgresUrl ? undefined : 'DATABASE_URL is not set (e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)';
}

/**
 * `defer` receives the store's removal before anything is created, so a bench interrupted half-way
 * through creating it still cleans up; removal is idempotent.
 */
export async function createStore(kind: BenchStore['kind'], defer: (cleanup: () => Promise<void>) => void): Promise<BenchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') {
    defer(async () => removeDir());
    return { kind, dataDir };
  }

  if (!postgresUrl) throw new Error('DATABASE_URL is not set');
  const restoreAffinity = movePostgresOffServerCpu();
  // A schema of its own, as the tests do, so a bench never touches anyone's tables and is easy to drop.
  const schema = `gh_bench_${randomBytes(6).toString('hex')}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  defer(async () => {
    removeDir();
    await admin(`drop schema if exists ${schema} cascade`);
    restoreAffinity();
  });
  await admin(`create schema ${schema}`);
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return { kind, dataDir, databaseUrl: url.toString() };
}
