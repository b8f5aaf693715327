import type { Db } from './database.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';
import type { ResourceServersTable } from './schema.js';
import { rethrowDuplicate } from './conflicts.js';

/** One OAuth scope of a resource server; a client names it as `<identifier>/<ScopeName>`. */
export interface ResourceServerScope {
  ScopeName: string;
  ScopeDescription: string;
}

export interface StoredResourceServer {
  poolId: string;
  identifier: string;
  name: string;
  scopes: ResourceServerScope[];
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(row: ResourceServersTable): StoredResourceServer {
  return {
    poolId: row.pool_id,
    identifier: row.identifier,
    name: row.name,
    scopes: JSON.parse(row.scopes) as ResourceServerScope[],
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class ResourceServersRepository {
  /** Read by every token request that names a resource-server scope. */
  private readonly byIdentifier: PreparedQuery<ResourceServersTable, [poolId: string, identifier: string]>;

  constructor(private readonly db: Db) {
    this.byIdentifier = new PreparedQuery(db, (poolId: string, identifier: string) =>
      db.selectFrom('resource_servers').selectAll().where('pool_id', '=', poolId).where('identifier', '=', identifier),
      { cached: CONFIGURATION_READS },
    );
  }

  /** The pool's resource servers in identifier order; all of them unless a page is asked for. */
  async list(poolId: string, page: { limit?: number; afterIdentifier?: string } = {}): Promise<StoredResourceServer[]> {
    let query = this.db.selectFrom('resource_servers').selectAll().where('pool_id', '=', poolId);
    if (page.afterIdentifier !== undefined) query = query.where('identifier', '>', page.afterIdentifier);
    query = query.orderBy('identifier');
    if (page.limit !== undefined) query = query.limit(page.limit);
    return (await query.execute()).map(fromRow);
  }

  async get(poolId: string, identifier: string): Promise<StoredResourceServer | undefined> {
    const row = await this.byIdentifier.first(poolId, identifier);
    return row ? fromRow(row) : undefined;
  }

  async count(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('resource_servers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Throws DuplicateKeyError when the pool has a resource server with this identifier. */
  async insert(server: StoredResourceServer): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('resource_servers')
        .values({
          pool_id: server.poolId,
          identifier: server.identifier,
          name: server.name,
          scopes: JSON.stringify(server.scopes),
          created_at: server.createdAt.getTime(),
          updated_at: server.updatedAt.getTime(),
        })
        .execute(),
      `resource server ${server.identifier} exists`,
    );
  }

  /** Replaces the name and scopes; undefined when there is no such resource server. */
  async update(
    poolId: string,
    identifier: string,
    now: Date,
    fields: { name: string; scopes: ResourceServerScope[] },
  ): Promise<StoredResourceServer | undefined> {
    const result = await this.db
      .updateTable('resource_servers')
      .set({ name: fields.name, scopes: JSON.stringify(fields.scopes), updated_at: now.getTime() })
      .where('pool_id', '=', poolId)
      .where('identifier', '=', identifier)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return undefined;
    return this.get(poolId, identifier);
  }

  async delete(poolId: string, identifier: string): Promise<boolean> {
    const result = await this.db.deleteFrom('resource_servers').where('pool_id', '=', poolId).where('identifier', '=', identifier).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
