/**
 * The writes this process's SQLite connection has run, counted per table, for the cached reads of
 * prepared-query.ts: a kept answer is used only while no table it read from has been written to since.
 * Counting per table rather than all writes together is what lets a sign-in's reads of its pool, app
 * client and user stay cached while every sign-in writes a refresh token or a challenge session: with one
 * count, each of those writes sent every read of the next request back to the database.
 *
 * No table changes behind a statement that names another: the schema has no triggers and no cascading
 * foreign keys. A writing statement whose table cannot be read from its text (DDL, anything unusual)
 * counts as a write to every table.
 */
export class OwnWrites {
  private readonly byTable = new Map<string, number>();
  private everywhere = 0;
  private total = 0;

  /** Counts one run of a statement that may write `table` (undefined: any table). */
  count(table: string | undefined): void {
    this.total++;
    if (table === undefined) this.everywhere++;
    else this.byTable.set(table, (this.byTable.get(table) ?? 0) + 1);
  }

  /** A number that changes whenever this connection writes to one of `tables` (undefined: to any table). */
  version(tables: readonly string[] | undefined): number {
    if (tables === undefined) return this.total;
    let version = this.everywhere;
    for (const table of tables) version += this.byTable.get(table) ?? 0;
    return version;
  }
}

/** A table as Kysely names one: a quoted name, not followed by a dot (which would make it a schema's name). */
const TABLE = String.raw`"(\w+)"(?!\.)`;
const WRITTEN_TABLE = new RegExp(String.raw`^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update|delete\s+from)\s+${TABLE}`, 'i');
const READ_FROM = /\b(?:from|join)\s+(\S+)/gi;
// The whole word after FROM or JOIN, closing parentheses aside: `"a",` (FROM "a", "b") is not a plain table.
const READ_TABLE = new RegExp(String.raw`^${TABLE}\)*$`);

/** The one table an INSERT, UPDATE or DELETE writes, as Kysely writes them; undefined for anything else. */
export function writtenTable(sql: string): string | undefined {
  return WRITTEN_TABLE.exec(sql)?.[1];
}

/**
 * The tables a SELECT reads from (after each FROM and JOIN, subqueries included); undefined, meaning any
 * table, when it names none or when anything after a FROM or JOIN is not a plain quoted table or a
 * subquery: a read is never tied to fewer tables than it reads.
 */
export function readTables(sql: string): string[] | undefined {
  const tables = new Set<string>();
  for (const [, next] of sql.matchAll(READ_FROM)) {
    if (next.startsWith('(')) continue;
    const table = READ_TABLE.exec(next)?.[1];
    if (table === undefined) return undefined;
    tables.add(table);
  }
  return tables.size > 0 ? [...tables] : undefined;
}
