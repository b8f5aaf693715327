import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { onceAnEpoch } from './read-epochs.js';
import { OwnWrites, writtenTable } from './own-writes.js';
import type { Database } from './schema.js';
import { BoundedMap } from '../bounded-map.js';
import { StartupError } from '../startup-errors.js';

export type Db = Kysely<Database>;

export interface DatabaseOptions {
  /** PostgreSQL when set; otherwise SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
}

export interface OpenDatabase {
  db: Db;
  kind: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials, for the start-up log. */
  location: string;
}

const INT8_OID = 20;

export function openDatabase(options: DatabaseOptions): OpenDatabase {
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    // Loaded only for PostgreSQL: on SQLite (the default) pg's modules would cost start-up time and ~4 MB of
    // idle memory for nothing (npm run bench).
    const pg = createRequire(import.meta.url)('pg') as typeof import('pg');
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      // Times are bigint milliseconds, which fit a JavaScript number exactly.
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    return {
      db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
      kind: 'postgres',
      location: `postgres://${url.host}${url.pathname}`,
    };
  }
  const file = join(options.dataDir, 'gatehouse.sqlite');
  let database: SQLite.Database;
  try {
    mkdirSync(options.dataDir, { recursive: true });
    database = new SQLite(file);
  } catch (error) {
    throw new StartupError(`cannot open the data folder ${options.dataDir} (--data or GATEHOUSE_DATA): ${(error as Error).message}`);
  }
  // WAL lets readers run beside the writer; a busy timeout makes writers from other processes wait, not fail.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  const writes = new OwnWrites();
  const cached = withStatementCache(database, writes);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  const dataVersion = database.prepare('PRAGMA data_version').pluck();
  sqliteHandles.set(db, {
    prepare: (source) => cached.prepare(source) as unknown as SQLite.Statement,
    inTransaction: () => database.inTransaction,
    dataVersion: onceAnEpoch(() => dataVersion.get() as number),
    ownWrites: (tables) => writes.version(tables),
  });
  return { db, kind: 'sqlite', location: file };
}

/** The better-sqlite3 database behind a SQLite Kysely: what PreparedQuery runs its statements on directly. */
export interface SqliteHandle {
  /** A statement from the same cache Kysely's driver uses. */
  prepare(source: string): SQLite.Statement;
  /** True while a transaction holds the single connection (between its BEGIN and its COMMIT or ROLLBACK). */
  inTransaction(): boolean;
  /**
   * SQLite's `PRAGMA data_version`: changes whenever another connection (another process) commits. Read
   * once per request and turn of the event loop (read-epochs.ts).
   */
  dataVersion(): number;
  /**
   * A count of the writing statements this connection has run on any of `tables` (undefined: on any
   * table), which data_version does not count: its own commits.
   */
  ownWrites(tables: readonly string[] | undefined): number;
}

const sqliteHandles = new WeakMap<Db, SqliteHandle>();

/** The handle of `db` when it is the SQLite database itself (not PostgreSQL, not a transaction on it). */
export function sqliteHandleOf(db: Db): SqliteHandle | undefined {
  return sqliteHandles.get(db);
}

/**
 * Kysely's SQLite driver prepares every query afresh; compiling the same SQL again on every call was about
 * a third of a DescribeUserPool handler's time (npm run bench). Statements are kept by their text: the
 * queries are a small, fixed set, and the driver runs one query at a time on its single connection, so a
 * cached statement is never in use twice at once. SQLite re-prepares them itself after a schema change.
 */
function withStatementCache(database: SQLite.Database, writes: OwnWrites, limit = 256): SqliteDatabase {
  // Bounded, should a query ever be built with a varying text (e.g. IN lists of any length).
  const statements = new BoundedMap<string, SQLite.Statement>(limit);
  return {
    close: () => database.close(),
    prepare(source) {
      let statement = statements.get(source);
      if (!statement) {
        statement = countingWrites(database.prepare(source), writes);
        statements.set(source, statement);
      }
      return statement;
    },
  };
}

/**
 * A statement that may change the database (INSERT … RETURNING too, which is also a reader) counts each
 * run on its table before it starts, so a read of that table cached before it can never be taken for
 * current after it (see PreparedQuery's cache). Counting one that then fails only costs a cache miss.
 */
function countingWrites(statement: SQLite.Statement, writes: OwnWrites): SQLite.Statement {
  if (statement.readonly) return statement;
  const table = writtenTable(statement.source);
  for (const method of ['run', 'all', 'get', 'iterate'] as const) {
    const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
    (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      writes.count(table);
      return original(...args);
    };
  }
  return statement;
}

/** For /ready: the database answers a trivial query. */
export async function isDatabaseReachable(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
