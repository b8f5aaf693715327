import type { Compilable, CompiledQuery } from 'kysely';
import { sqliteHandleOf, type Db, type SqliteHandle } from './database.js';
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

  /** `arity`: how many arguments `build` takes, when its parameter list cannot say (rest parameters). */
  constructor(
    private readonly db: Db,
    build: (...args: Args) => Compilable<Row>,
    arity = build.length,
  ) {
    const placeholders = Array.from({ length: arity }, (_, i) => new Placeholder(i));
    this.compiled = build(...(placeholders as unknown as Args)).compile();
    this.sqlite = sqliteHandleOf(db);
    this.slots = this.compiled.parameters.map((value) => (value instanceof Placeholder ? value.index : -1));
    for (const placeholder of placeholders) {
      if (!this.slots.includes(placeholder.index)) throw new Error(`argument ${placeholder.index} of a prepared query is not a parameter of: ${this.compiled.sql}`);
    }
  }

  async all(...args: Args): Promise<Row[]> {
    return this.allIn(this.db, ...args);
  }

  /** The same inside a transaction (`tx`): a query on the database itself would wait for the transaction's connection. */
  async allIn(tx: Db, ...args: Args): Promise<Row[]> {
    const parameters = this.slots.map((slot, i) => (slot < 0 ? this.compiled.parameters[i] : args[slot]));
    if (tx === this.db && this.sqlite && !this.sqlite.inTransaction()) return this.runOnSqlite(this.sqlite, parameters);
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
      columns.length,
    );
  }

  /** Inserts `row`, inside the transaction `tx` when one is given. */
  async run(row: Row, tx?: Db): Promise<void> {
    const values = this.columns.map((column) => row[column]);
    await (tx ? this.query.allIn(tx, ...values) : this.query.all(...values));
  }
}
