import type { Compilable, CompiledQuery } from 'kysely';
import type { Db } from './database.js';

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

  constructor(
    private readonly db: Db,
    build: (...args: Args) => Compilable<Row>,
  ) {
    const placeholders = Array.from({ length: build.length }, (_, i) => new Placeholder(i));
    this.compiled = build(...(placeholders as unknown as Args)).compile();
    this.slots = this.compiled.parameters.map((value) => (value instanceof Placeholder ? value.index : -1));
    for (const placeholder of placeholders) {
      if (!this.slots.includes(placeholder.index)) throw new Error(`argument ${placeholder.index} of a prepared query is not a parameter of: ${this.compiled.sql}`);
    }
  }

  async all(...args: Args): Promise<Row[]> {
    const parameters = this.slots.map((slot, i) => (slot < 0 ? this.compiled.parameters[i] : args[slot]));
    const result = await this.db.executeQuery<Row>({ ...this.compiled, parameters });
    return result.rows;
  }

  /** The first row, as executeTakeFirst answers. */
  async first(...args: Args): Promise<Row | undefined> {
    return (await this.all(...args))[0];
  }
}
