import type { Transaction } from 'kysely';
import type { Db } from './database.js';
import type { Database, UsersTable } from './schema.js';
import { DuplicateKeyError, isUniqueViolation, updateOptimistically } from './conflicts.js';
import { PreparedInsert, PreparedQuery, PER_USER_READS } from './prepared-query.js';

export interface StoredUser {
  poolId: string;
  username: string;
  /** The username as looked up (lower-cased in case-insensitive pools). */
  usernameKey: string;
  sub: string;
  status: string;
  enabled: boolean;
  /** Every attribute, by name, as strings (Cognito's wire form). */
  attributes: Record<string, string>;
  /** Owned by userpools/password-store.ts; storage only keeps it. */
  credentials: unknown;
  /** Consecutive failed sign-ins, and the lock they earned (account protection). */
  failedSignIns?: number;
  lockedUntil?: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A sign-in alias the user holds, unique in the pool: (`email`, `jane@example.com`). */
export interface Alias {
  kind: string;
  value: string;
}

/** The attributes ListUsers filters on, each in its own indexed column. */
export const INDEXED_ATTRIBUTES = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'] as const;

/** Filter columns: attributes, plus what ListUsers calls username, sub and cognito:user_status. */
export type UserFilterColumn = (typeof INDEXED_ATTRIBUTES)[number] | 'username_key' | 'sub' | 'status' | 'enabled';

export interface UserFilter {
  column: UserFilterColumn;
  /** `=` exact, `^=` starts with. */
  prefix: boolean;
  value: string | number;
}

/** Where a page ended: the filtered column's value (if any) and the username key. */
export type UserCursor = [string | number | null, string];

function toRow(user: StoredUser, version: number): UsersTable {
  const indexed = Object.fromEntries(INDEXED_ATTRIBUTES.map((name) => [name, user.attributes[name] ?? null])) as Pick<
    UsersTable,
    (typeof INDEXED_ATTRIBUTES)[number]
  >;
  return {
    pool_id: user.poolId,
    username_key: user.usernameKey,
    username: user.username,
    sub: user.sub,
    status: user.status,
    enabled: user.enabled ? 1 : 0,
    attributes: JSON.stringify(user.attributes),
    credentials: user.credentials === null || user.credentials === undefined ? null : JSON.stringify(user.credentials),
    ...indexed,
    version,
    created_at: user.createdAt.getTime(),
    updated_at: user.updatedAt.getTime(),
    failed_sign_ins: user.failedSignIns ?? 0,
    locked_until: user.lockedUntil ? user.lockedUntil.getTime() : null,
  };
}

function fromRow(row: UsersTable): StoredUser {
  return {
    poolId: row.pool_id,
    username: row.username,
    usernameKey: row.username_key,
    sub: row.sub,
    status: row.status,
    enabled: Number(row.enabled) === 1,
    attributes: JSON.parse(row.attributes) as Record<string, string>,
    credentials: row.credentials === null ? null : JSON.parse(row.credentials),
    failedSignIns: Number(row.failed_sign_ins ?? 0),
    ...(row.locked_until !== null && row.locked_until !== undefined && { lockedUntil: new Date(row.locked_until) }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** A duplicate primary key on users means the username; on user_aliases, an alias. */
function duplicateOf(error: unknown, table: 'user' | 'alias'): never {
  if (isUniqueViolation(error)) throw new DuplicateKeyError(table);
  throw error;
}

export class UsersRepository {
  /** Read on every request about a user (sign-in, admin calls, self-service). */
  private readonly byKey: PreparedQuery<UsersTable, [poolId: string, usernameKey: string]>;
  private readonly byAlias: PreparedQuery<UsersTable, [poolId: string, kind: Alias['kind'], value: string]>;

  /** What every sign-up writes: the user's row, and one more in the pool's count. */
  private readonly insertRow: PreparedInsert<UsersTable>;
  private readonly countOneMore: PreparedQuery<unknown, [poolId: string]>;

  constructor(private readonly db: Db) {
    this.insertRow = new PreparedInsert<UsersTable>(db, 'users', [
      'pool_id',
      'username_key',
      'username',
      'sub',
      'status',
      'enabled',
      'attributes',
      'credentials',
      ...INDEXED_ATTRIBUTES,
      'version',
      'created_at',
      'updated_at',
      'failed_sign_ins',
      'locked_until',
    ]);
    this.countOneMore = new PreparedQuery(db, (poolId: string) =>
      db.updateTable('user_pools').set((eb) => ({ user_count: eb('user_count', '+', 1) })).where('pool_id', '=', poolId),
    );
    this.byKey = new PreparedQuery(db, (poolId: string, usernameKey: string) =>
      db.selectFrom('users').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey),
      { cached: PER_USER_READS },
    );
    this.byAlias = new PreparedQuery(db, (poolId: string, kind: Alias['kind'], value: string) =>
      db
        .selectFrom('user_aliases')
        .innerJoin('users', (join) => join.onRef('users.pool_id', '=', 'user_aliases.pool_id').onRef('users.username_key', '=', 'user_aliases.username_key'))
        .selectAll('users')
        .where('user_aliases.pool_id', '=', poolId)
        .where('user_aliases.kind', '=', kind)
        .where('user_aliases.value', '=', value),
      { cached: PER_USER_READS },
    );
  }

  /** Creates the user and claims its aliases atomically: DuplicateKeyError('user' | 'alias') when taken. */
  async insert(user: StoredUser, aliases: Alias[]): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await this.insertRow.run(toRow(user, 1), tx).catch((e: unknown) => duplicateOf(e, 'user'));
      await this.claimAliases(tx, user, aliases);
      await this.countOneMore.allIn(tx, user.poolId);
    });
  }

  async get(poolId: string, usernameKey: string): Promise<StoredUser | undefined> {
    const row = await this.byKey.first(poolId, usernameKey);
    return row ? fromRow(row) : undefined;
  }

  async findByAlias(poolId: string, alias: Alias): Promise<StoredUser | undefined> {
    const row = await this.byAlias.first(poolId, alias.kind, alias.value);
    return row ? fromRow(row) : undefined;
  }

  /**
   * Applies `change` with optimistic concurrency and replaces the user's aliases with `aliasesOf` the
   * result, in one transaction: a clash with another user's alias rolls everything back.
   */
  async update(
    poolId: string,
    usernameKey: string,
    now: Date,
    change: (user: StoredUser) => StoredUser,
    aliasesOf?: (user: StoredUser) => Alias[],
  ): Promise<StoredUser | undefined> {
    let updated: StoredUser | undefined;
    await updateOptimistically(
      () => this.byKey.first(poolId, usernameKey),
      (row) =>
        this.db.transaction().execute(async (tx) => {
          updated = { ...change(fromRow(row)), updatedAt: now };
          const { pool_id, username_key, created_at, ...values } = toRow(updated, row.version + 1);
          const result = await tx
            .updateTable('users')
            .set(values)
            .where('pool_id', '=', poolId)
            .where('username_key', '=', usernameKey)
            .where('version', '=', row.version)
            .executeTakeFirst();
          if (result.numUpdatedRows === 0n) return false;
          if (aliasesOf) {
            await tx.deleteFrom('user_aliases').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
            await this.claimAliases(tx, updated, aliasesOf(updated));
          }
          return true;
        }),
    );
    return updated;
  }

  /** Deletes the user with its aliases, codes, MFA settings, devices, passkeys and group memberships. */
  async delete(poolId: string, usernameKey: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // The user row goes first: its lock makes a concurrent update (or AdminAddUserToGroup) finish before
      // the child rows are deleted, so aliases or memberships it adds are deleted too, not left behind for
      // a later user of the same name (PostgreSQL; SQLite runs one transaction at a time).
      const result = await tx.deleteFrom('users').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).executeTakeFirst();
      for (const table of ['user_aliases', 'user_codes', 'user_mfa', 'devices', 'webauthn_credentials', 'group_members', 'refresh_tokens', 'auth_sessions', 'identity_links'] as const) {
        await tx.deleteFrom(table).where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
      }
      if (result.numDeletedRows > 0n) {
        await tx.updateTable('user_pools').set((eb) => ({ user_count: eb('user_count', '-', 1) })).where('pool_id', '=', poolId).execute();
      }
      return result.numDeletedRows > 0n;
    });
  }

  async count(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * A page of users in index order: by (filtered column, username key) when filtered, else by username
   * key, so every page is one index range scan whatever the pool's size.
   */
  async list(poolId: string, limit: number, filter?: UserFilter, after?: UserCursor): Promise<{ users: StoredUser[]; last?: UserCursor }> {
    let query = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId);
    if (filter) {
      const { column, value } = filter;
      if (filter.prefix && typeof value === 'string') {
        // Both engines turn a range into an index scan; LIKE would need engine-specific operator classes.
        // Both compare UTF-8 bytes, where characters past U+FFFF (emoji) sort above U+FFFF: the bound is
        // the last code point.
        query = query.where(column, '>=', value).where(column, '<', `${value}\u{10FFFF}`);
      } else {
        query = query.where(column, '=', value);
      }
      if (after) {
        const [lastValue, lastKey] = after;
        query = query.where((eb) =>
          eb.or([eb(column, '>', lastValue as string), eb.and([eb(column, '=', lastValue as string), eb('username_key', '>', lastKey)])]),
        );
      }
      query = query.orderBy(column).orderBy('username_key');
    } else {
      if (after) query = query.where('username_key', '>', after[1]);
      query = query.orderBy('username_key');
    }
    const rows = await query.limit(limit + 1).execute();
    const users = rows.slice(0, limit).map(fromRow);
    if (rows.length <= limit) return { users };
    const lastRow = rows[limit - 1];
    return { users, last: [filter ? (lastRow[filter.column] as string | number | null) : null, lastRow.username_key] };
  }

  private async claimAliases(tx: Transaction<Database>, user: StoredUser, aliases: Alias[]): Promise<void> {
    for (const alias of aliases) {
      await tx
        .insertInto('user_aliases')
        .values({ pool_id: user.poolId, kind: alias.kind, value: alias.value, username_key: user.usernameKey })
        .execute()
        .catch((e: unknown) => duplicateOf(e, 'alias'));
    }
  }
}
