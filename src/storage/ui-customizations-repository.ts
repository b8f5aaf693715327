import type { Db } from './database.js';
import type { UiCustomizationsTable } from './schema.js';

/** The client id under which the pool-wide customization is kept, as Cognito names it. */
export const ALL_CLIENTS = 'ALL';

export interface StoredUiCustomization {
  poolId: string;
  /** An app client id, or ALL_CLIENTS for the pool's own. */
  clientId: string;
  css?: string;
  /** The logo (PNG, JPEG or SVG, checked when it was set). */
  image?: Buffer;
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(row: UiCustomizationsTable): StoredUiCustomization {
  return {
    poolId: row.pool_id,
    clientId: row.client_id,
    ...(row.css !== null && { css: row.css }),
    ...(row.image !== null && { image: Buffer.from(row.image, 'base64') }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class UiCustomizationsRepository {
  constructor(private readonly db: Db) {}

  /** Exactly this client's (or, with ALL_CLIENTS, the pool's) customization; no fallback here. */
  async get(poolId: string, clientId: string): Promise<StoredUiCustomization | undefined> {
    const row = await this.db
      .selectFrom('ui_customizations')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Creates or replaces it; a replaced one keeps its creation date. Answers what is now stored. */
  async put(customization: Omit<StoredUiCustomization, 'createdAt'> & { createdAt?: Date }): Promise<StoredUiCustomization> {
    const css = customization.css ?? null;
    const image = customization.image ? customization.image.toString('base64') : null;
    const updatedAt = customization.updatedAt.getTime();
    await this.db
      .insertInto('ui_customizations')
      .values({
        pool_id: customization.poolId,
        client_id: customization.clientId,
        css,
        image,
        created_at: (customization.createdAt ?? customization.updatedAt).getTime(),
        updated_at: updatedAt,
      })
      .onConflict((oc) => oc.columns(['pool_id', 'client_id']).doUpdateSet({ css, image, updated_at: updatedAt }))
      .execute();
    return (await this.get(customization.poolId, customization.clientId))!;
  }

  async delete(poolId: string, clientId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('ui_customizations').where('pool_id', '=', poolId).where('client_id', '=', clientId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
