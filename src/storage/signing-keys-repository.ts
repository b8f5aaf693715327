import type { Db } from './database.js';
import type { SigningKeysTable } from './schema.js';

export interface StoredSigningKey {
  poolId: string;
  kid: string;
  sealedPrivateKey: string;
  publicKey: string;
  createdAt: Date;
  retiredAt?: Date;
}

function fromRow(row: SigningKeysTable): StoredSigningKey {
  return {
    poolId: row.pool_id,
    kid: row.kid,
    sealedPrivateKey: row.private_key,
    publicKey: row.public_key,
    createdAt: new Date(row.created_at),
    ...(row.retired_at !== null && { retiredAt: new Date(row.retired_at) }),
  };
}

export class SigningKeysRepository {
  constructor(private readonly db: Db) {}

  /** Every key of the pool, newest first. */
  async list(poolId: string): Promise<StoredSigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().where('pool_id', '=', poolId).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute();
    return rows.map(fromRow);
  }

  /** Adds `key` as the pool's signing key; the keys before it are retired (they keep verifying). */
  async add(key: StoredSigningKey): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('signing_keys')
        .set({ retired_at: key.createdAt.getTime() })
        .where('pool_id', '=', key.poolId)
        .where('retired_at', 'is', null)
        .execute();
      await tx
        .insertInto('signing_keys')
        .values({
          pool_id: key.poolId,
          kid: key.kid,
          private_key: key.sealedPrivateKey,
          public_key: key.publicKey,
          created_at: key.createdAt.getTime(),
          retired_at: null,
        })
        .execute();
    });
  }

  /** Removes keys retired before `before`: nothing they signed can still be valid. */
  async deleteRetiredBefore(poolId: string, before: Date): Promise<void> {
    await this.db.deleteFrom('signing_keys').where('pool_id', '=', poolId).where('retired_at', '<', before.getTime()).execute();
  }
}
