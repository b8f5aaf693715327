import type { Db } from './database.js';
import { USER_POOL_TABLES } from './schema.js';
import { rethrowDuplicate, updateOptimistically } from './conflicts.js';
import { fromRow as domainFromRow, type StoredDomain } from './domains-repository.js';
import { ParsedSettings } from './parsed-settings.js';
import { deletePoolRows, newPoolRow, writePoolRow } from './pool-rows.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';
import type { UserPoolSettings } from '../userpools/user-pool-settings.js';

export interface StoredUserPool {
  id: string;
  region: string;
  name: string;
  /** Shared between readers of the same version, so frozen: change a copy. */
  settings: UserPoolSettings;
  createdAt: Date;
  updatedAt: Date;
  /** Users in the pool; read-only here (user inserts and deletes move it). */
  userCount?: number;
}

type Row = {
  pool_id: string;
  region: string;
  name: string;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
  user_count: number;
};

/** The row without its settings. */
type Head = Omit<Row, 'settings'>;
const HEAD_COLUMNS = ['pool_id', 'region', 'name', 'version', 'created_at', 'updated_at', 'user_count'] as const;

const parsedSettings = new ParsedSettings<UserPoolSettings>();

/** The row without its settings, joined with one of the pool's domains when it has any. */
type HeadWithDomain = Head & {
  domain: string | null;
  kind: 'prefix' | 'custom' | null;
  certificate_arn: string | null;
  managed_login_version: number | null;
  domain_created_at: number | null;
  domain_updated_at: number | null;
};

function domainOf(row: HeadWithDomain): StoredDomain {
  return domainFromRow({
    domain: row.domain!,
    pool_id: row.pool_id,
    kind: row.kind!,
    certificate_arn: row.certificate_arn,
    managed_login_version: row.managed_login_version!,
    created_at: row.domain_created_at!,
    updated_at: row.domain_updated_at!,
  });
}

function fromRow(row: Row): StoredUserPool {
  return withSettings(row, parsedSettings.of(row.pool_id, row.version, row.settings));
}

function withSettings(row: Head, settings: UserPoolSettings): StoredUserPool {
  return {
    id: row.pool_id,
    region: row.region,
    name: row.name,
    settings,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    userCount: Number(row.user_count ?? 0),
  };
}

export class UserPoolsRepository {
  private readonly byId: PreparedQuery<Row, [poolId: string]>;
  /** Read on nearly every request. */
  private readonly headById: PreparedQuery<Head, [poolId: string]>;
  private readonly headWithDomainsById: PreparedQuery<HeadWithDomain, [poolId: string]>;

  constructor(private readonly db: Db) {
    this.byId = new PreparedQuery(db, (poolId: string) => db.selectFrom('user_pools').selectAll().where('pool_id', '=', poolId), { cached: CONFIGURATION_READS });
    this.headById = new PreparedQuery(db, (poolId: string) => db.selectFrom('user_pools').select(HEAD_COLUMNS).where('pool_id', '=', poolId), { cached: CONFIGURATION_READS });
    this.headWithDomainsById = new PreparedQuery(db, (poolId: string) =>
      db
        .selectFrom('user_pools as p')
        .leftJoin('user_pool_domains as d', 'd.pool_id', 'p.pool_id')
        .select(HEAD_COLUMNS.map((column) => `p.${column}` as const))
        .select(['d.domain', 'd.kind', 'd.certificate_arn', 'd.managed_login_version', 'd.created_at as domain_created_at', 'd.updated_at as domain_updated_at'])
        .where('p.pool_id', '=', poolId)
        .orderBy('d.kind'),
      { cached: CONFIGURATION_READS },
    );
  }

  async insert(pool: StoredUserPool): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('user_pools')
        .values({ ...newPoolRow(pool), user_count: 0 })
        .execute(),
      `user pool ${pool.id} exists`,
    );
  }

  /**
   * The settings column is read only for a version not parsed yet: a few kilobytes that SQLite keeps in
   * an overflow page, read with a system call of its own, then decoded into a string to be thrown away.
   * Skipping it saved about 18 µs of a DescribeUserPool's CPU, an eighth (npm run bench -- describe).
   */
  async get(poolId: string): Promise<StoredUserPool | undefined> {
    const head = await this.headById.first(poolId);
    return head && this.complete(head);
  }

  /**
   * The pool and its user pool domains in one statement, for DescribeUserPool: one read transaction on
   * SQLite and one round trip on PostgreSQL; reading the domains apart cost about 12 µs more of its CPU
   * (npm run bench -- describe).
   */
  async getWithDomains(poolId: string): Promise<{ pool: StoredUserPool; domains: StoredDomain[] } | undefined> {
    const rows = await this.headWithDomainsById.all(poolId);
    const pool = rows.length > 0 ? await this.complete(rows[0]) : undefined;
    return pool && { pool, domains: rows.filter((row) => row.domain !== null).map(domainOf) };
  }

  /** The pool from its row without settings: with the parsed settings of its version, or read whole. */
  private async complete(head: Head): Promise<StoredUserPool | undefined> {
    const settings = parsedSettings.known(head.pool_id, head.version);
    if (settings) return withSettings(head, settings);
    const row = await this.byId.first(head.pool_id);
    return row ? fromRow(row) : undefined;
  }

  /** One region's pools in id order, starting after `afterId`. */
  async list(region: string, limit: number, afterId?: string): Promise<StoredUserPool[]> {
    let query = this.db.selectFrom('user_pools').selectAll().where('region', '=', region);
    if (afterId !== undefined) query = query.where('pool_id', '>', afterId);
    const rows = await query.orderBy('pool_id').limit(limit).execute();
    return rows.map(fromRow);
  }

  /** Applies `change` to the stored pool; undefined when the pool does not exist. */
  async update(poolId: string, now: Date, change: (pool: StoredUserPool) => StoredUserPool): Promise<StoredUserPool | undefined> {
    let updated: StoredUserPool | undefined;
    await updateOptimistically(
      () => this.byId.first(poolId),
      async (row) => {
        updated = { ...change(fromRow(row)), updatedAt: now };
        return writePoolRow(this.db, 'user_pools', poolId, row.version, updated, now);
      },
    );
    return updated;
  }

  /** Deletes the pool and everything in it, atomically. False when there was no such pool. */
  async delete(poolId: string): Promise<boolean> {
    return deletePoolRows(this.db, USER_POOL_TABLES, poolId);
  }
}
