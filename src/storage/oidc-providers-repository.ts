import type { Db } from './database.js';
import { rethrowDuplicate } from './conflicts.js';

/** An IAM OpenID Connect provider: an external issuer whose tokens identity pools and STS may trust. */
export interface StoredOidcProvider {
  /** The URL without its scheme (host and path): what the provider's ARN and a login's key name. */
  key: string;
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createdAt: Date;
}

export class OidcProvidersRepository {
  constructor(private readonly db: Db) {}

  async insert(provider: StoredOidcProvider): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('iam_oidc_providers')
        .values({
          provider_key: provider.key,
          url: provider.url,
          client_ids: JSON.stringify(provider.clientIds),
          thumbprints: JSON.stringify(provider.thumbprints),
          created_at: provider.createdAt.getTime(),
        })
        .execute(),
      `OIDC provider ${provider.key} exists`,
    );
  }

  async get(key: string): Promise<StoredOidcProvider | undefined> {
    const row = await this.db.selectFrom('iam_oidc_providers').selectAll().where('provider_key', '=', key).executeTakeFirst();
    return row
      ? {
          key: row.provider_key,
          url: row.url,
          clientIds: JSON.parse(row.client_ids) as string[],
          thumbprints: JSON.parse(row.thumbprints) as string[],
          createdAt: new Date(Number(row.created_at)),
        }
      : undefined;
  }

  async list(): Promise<string[]> {
    return (await this.db.selectFrom('iam_oidc_providers').select('provider_key').orderBy('provider_key').execute()).map((r) => r.provider_key);
  }

  async update(key: string, fields: { clientIds?: string[]; thumbprints?: string[] }): Promise<boolean> {
    const result = await this.db
      .updateTable('iam_oidc_providers')
      .set({
        ...(fields.clientIds !== undefined && { client_ids: JSON.stringify(fields.clientIds) }),
        ...(fields.thumbprints !== undefined && { thumbprints: JSON.stringify(fields.thumbprints) }),
      })
      .where('provider_key', '=', key)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(key: string): Promise<boolean> {
    const result = await this.db.deleteFrom('iam_oidc_providers').where('provider_key', '=', key).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
