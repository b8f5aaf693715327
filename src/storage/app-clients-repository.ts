import type { Db } from './database.js';
import { rethrowDuplicate, updateOptimistically } from './conflicts.js';
import { ParsedSettings } from './parsed-settings.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';
import type { AppClientSettings } from '../userpools/app-client-settings.js';

export interface StoredAppClient {
  poolId: string;
  clientId: string;
  name: string;
  /** Encrypted at rest; see security/secret-box.ts. */
  encryptedSecret: string | null;
  settings: AppClientSettings;
  createdAt: Date;
  updatedAt: Date;
}

type Row = {
  pool_id: string;
  client_id: string;
  name: string;
  secret: string | null;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
};

/** Client ids are unique across pools (unsigned operations find a client by its id alone). */
const parsedSettings = new ParsedSettings<AppClientSettings>();

function fromRow(row: Row): StoredAppClient {
  return {
    poolId: row.pool_id,
    clientId: row.client_id,
    name: row.name,
    encryptedSecret: row.secret,
    settings: parsedSettings.of(row.client_id, row.version, row.settings),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class AppClientsRepository {
  /** Read on nearly every client request. */
  private readonly byKey: PreparedQuery<Row, [poolId: string, clientId: string]>;
  private readonly byClientId: PreparedQuery<Row, [clientId: string]>;

  constructor(private readonly db: Db) {
    const clients = () => db.selectFrom('user_pool_clients').selectAll();
    this.byKey = new PreparedQuery(db, (poolId: string, clientId: string) => clients().where('pool_id', '=', poolId).where('client_id', '=', clientId), { cached: CONFIGURATION_READS });
    this.byClientId = new PreparedQuery(db, (clientId: string) => clients().where('client_id', '=', clientId), { cached: CONFIGURATION_READS });
  }

  async insert(client: StoredAppClient): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('user_pool_clients')
        .values({
          pool_id: client.poolId,
          client_id: client.clientId,
          name: client.name,
          secret: client.encryptedSecret,
          settings: JSON.stringify(client.settings),
          version: 1,
          created_at: client.createdAt.getTime(),
          updated_at: client.updatedAt.getTime(),
        })
        .execute(),
      `app client ${client.clientId} exists`,
    );
  }

  async get(poolId: string, clientId: string): Promise<StoredAppClient | undefined> {
    const row = await this.byKey.first(poolId, clientId);
    return row ? fromRow(row) : undefined;
  }

  /** Finds a client by id alone, as unsigned operations name it. */
  async find(clientId: string): Promise<StoredAppClient | undefined> {
    const row = await this.byClientId.first(clientId);
    return row ? fromRow(row) : undefined;
  }

  async count(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('user_pool_clients')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async list(poolId: string, limit: number, afterId?: string): Promise<StoredAppClient[]> {
    let query = this.db.selectFrom('user_pool_clients').selectAll().where('pool_id', '=', poolId);
    if (afterId !== undefined) query = query.where('client_id', '>', afterId);
    const rows = await query.orderBy('client_id').limit(limit).execute();
    return rows.map(fromRow);
  }

  async update(
    poolId: string,
    clientId: string,
    now: Date,
    change: (client: StoredAppClient) => StoredAppClient,
  ): Promise<StoredAppClient | undefined> {
    let updated: StoredAppClient | undefined;
    await updateOptimistically(
      () => this.byKey.first(poolId, clientId),
      async (row) => {
        updated = { ...change(fromRow(row)), updatedAt: now };
        const result = await this.db
          .updateTable('user_pool_clients')
          .set({
            name: updated.name,
            secret: updated.encryptedSecret,
            settings: JSON.stringify(updated.settings),
            version: row.version + 1,
            updated_at: now.getTime(),
          })
          .where('pool_id', '=', poolId)
          .where('client_id', '=', clientId)
          .where('version', '=', row.version)
          .executeTakeFirst();
        return result.numUpdatedRows > 0n;
      },
    );
    return updated;
  }

  async delete(poolId: string, clientId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('user_pool_clients')
      .where('pool_id', '=', poolId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
