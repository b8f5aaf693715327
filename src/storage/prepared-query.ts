import type { Compilable, CompiledQuery } from 'kysely';
import { BoundedMap } from '../bounded-map.js';
import { sqliteHandleOf, type Db, type SqliteHandle } from './database.js';
import { readTables } from './own-writes.js';
import type { Database } from './schema.js';

/** Stands in for argument `index` while the query is built, so its place among the parameters can be found. */
class Placeholder {
  constructor(readonly index: number) {}
}

/**
 * A query built and compiled once, then run with new argument values. Kysely builds and compiles a query
 * on every call, about 10 µs of a DescribeUserPool's CPU (npm run bench -- describe); the reads made on
 * nearly every request (a pool, a client, a user) skip that here. The SQL is the same as the builder's, so
 * the driver's statement cache still serves it.
 *
 * `build` receives placeholders in place of its arguments and must use each one as a plain value
 * (`where(column, '=', arg)`), not in an expression, a list or a condition on it.
 */
export class PreparedQuery<Row, Args extends unknown[]> {
  private readonly compiled: CompiledQuery<Row>;
  /** For each parameter of the compiled query: the argument that fills it, or -1 for a value built in. */
  private readonly slots: number[];
  private readonly sqlite: SqliteHandle | undefined;
  private readonly cache: SnapshotCache<Row> | undefined;

  /**
   * `arity`: how many arguments `build` takes, when its parameter list cannot say (rest parameters).
   * `cached`: on SQLite, keep up to this many answers for as long as the database has not changed (below).
   */
  constructor(
    private readonly db: Db,
    build: (...args: Args) => Compilable<Row>,
    { arity = build.length, cached = 0 }: { arity?: number; cached?: number } = {},
  ) {
    const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i));
    this.compiled = build(...(placeholders as unknown as Args)).compile();
    this.sqlite = sqliteHandleOf(db);
    this.slots = this.compiled.parameters.map((value) => (value instanceof Placeholder ? value.index : -1));
    for (const placeholder of placeholders) {
      if (!this.slots.includes(placeholder.index)) throw new Error(`argument ${placeholder.index} of a prepared query is not a parameter of: ${this.compiled.sql}`);
    }
    if (cached > 0 && this.sqlite) this.cache = new SnapshotCache(this.sqlite, cached, readTables(this.compiled.sql));
  }

  async all(...args: Args): Promise<Row[]> {
    return this.allIn(this.db, ...args);
  }

  /** The same inside a transaction (`tx`): a query on the database itself would wait for the transaction's connection. */
  async allIn(tx: Db, ...args: Args): Promise<Row[]> {
    const parameters = this.slots.map((slot, i) => (slot < 0 ? this.compiled.parameters[i] : args[slot]));
    if (tx === this.db && this.sqlite && !this.sqlite.inTransaction()) {
      return this.cache ? this.cache.read(parameters, () => this.runOnSqlite(this.sqlite!, parameters)) : this.runOnSqlite(this.sqlite, parameters);
    }
    const result = await tx.executeQuery<Row>({ ...this.compiled, parameters });
    return result.rows;
  }

  /**
   * SQLite, outside a transaction: the statement runs at once, as Kysely's driver would run it, without
   * the driver's connection lock and its promises (about 3 µs of each query, npm run bench -- get-user).
   * Safe because a statement runs synchronously and atomically; while a transaction holds the one
   * connection, a statement run here would join it, so then the query waits for the lock like any other.
   */
  private runOnSqlite(sqlite: SqliteHandle, parameters: unknown[]): Row[] {
    const statement = sqlite.prepare(this.compiled.sql);
    if (statement.reader) return statement.all(parameters) as Row[];
    statement.run(parameters);
    return [];
  }

  /** The first row, as executeTakeFirst answers. */
  async first(...args: Args): Promise<Row | undefined> {
    return (await this.all(...args))[0];
  }
}

/**
 * Answers of one query on SQLite, exact rather than fresh-enough: an answer is reused only while the
 * database is provably the one it was read from, that is while `PRAGMA data_version` (bumped by another
 * process's commit: a second server, `gatehouse keys rotate`) and this connection's count of writes to the
 * tables the query reads (own-writes.ts) are both unchanged. The pragma is read once per request
 * (read-epochs.ts), so every answer is current as of the request's arrival and includes this process's
 * own writes at once. It pays where a table is read more than written: the pool, client, identity pool
 * and role read by nearly every request, a user read by each step of a sign-in that writes only sessions
 * and refresh tokens, and a GetUser's token checks; an indexed read with its row
 * decoding costs 3-7 µs (npm run bench -- get-user). Rows are frozen: a caller that changed one would
 * change every later answer.
 */
class SnapshotCache<Row> {
  private readonly answers: BoundedMap<string, { dataVersion: number; ownWrites: number; rows: Row[] }>;

  /** `tables`: what the query reads from, whose writes make a kept answer stale (undefined: any table's). */
  constructor(
    private readonly sqlite: SqliteHandle,
    limit: number,
    private readonly tables: readonly string[] | undefined,
  ) {
    this.answers = new BoundedMap(limit);
  }

  read(parameters: unknown[], run: () => Row[]): Row[] {
    const key = parameters.length === 1 && typeof parameters[0] === 'string' ? parameters[0] : JSON.stringify(parameters);
    const dataVersion = this.sqlite.dataVersion();
    const ownWrites = this.sqlite.ownWrites(this.tables);
    const known = this.answers.get(key);
    if (known && known.dataVersion === dataVersion && known.ownWrites === ownWrites) return known.rows;
    const rows = run();
    for (const row of rows) Object.freeze(row);
    Object.freeze(rows);
    // A stale answer is overwritten when its key is read again; the oldest go first when full.
    this.answers.set(key, { dataVersion, ownWrites, rows });
    return rows;
  }
}

/**
 * An insert of whole rows into `table`, compiled once: for the rows written on hot paths (a refresh token
 * per sign-in, a user per sign-up). `columns` must name every column the rows give.
 */
export class PreparedInsert<Row extends object> {
  private readonly query: PreparedQuery<unknown, unknown[]>;

  constructor(
    db: Db,
    table: keyof Database & string,
    private readonly columns: readonly (keyof Row & string)[],
  ) {
    this.query = new PreparedQuery(
      db,
      (...values: unknown[]) => db.insertInto(table).values(Object.fromEntries(columns.map((column, i) => [column, values[i]])) as never),
      { arity: columns.length },
    );
  }

  /** Inserts `row`, inside the transaction `tx` when one is given. */
  async run(row: Row, tx?: Db): Promise<void> {
    const values = this.columns.map((column) => row[column]);
    await (tx ? this.query.allIn(tx, ...values) : this.query.all(...values));
  }
}

/** How many answers a cached query keeps: one per pool, client, identity pool, role or domain in use… */
export const CONFIGURATION_READS = 1_000;
/** …and one per recently active user, identity or sign-in (rows of a kilobyte or two: a few MB at most). */
export const PER_USER_READS = 4_096;
