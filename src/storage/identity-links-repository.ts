import { PostgresAdapter } from 'kysely';
import { rethrowDuplicate } from './conflicts.js';
import type { Db } from './database.js';
import type { IdentityLinksTable } from './schema.js';

/** An external provider's user, named by one of its attributes, linked to a user of the pool. */
export interface StoredIdentityLink {
  poolId: string;
  providerName: string;
  /** Cognito_Subject (the provider's id for the user) or a pool attribute the provider maps. */
  attributeName: string;
  attributeValue: string;
  usernameKey: string;
  createdAt: Date;
}

function fromRow(row: IdentityLinksTable): StoredIdentityLink {
  return {
    poolId: row.pool_id,
    providerName: row.provider_name,
    attributeName: row.attribute_name,
    attributeValue: row.attribute_value,
    usernameKey: row.username_key,
    createdAt: new Date(Number(row.created_at)),
  };
}

type LinkKey = Pick<StoredIdentityLink, 'poolId' | 'providerName' | 'attributeName' | 'attributeValue'>;

/** Keyed by what names the provider's user: each is linked to one user at most. A user's links go with it (users-repository delete). */
export class IdentityLinksRepository {
  constructor(private readonly db: Db) {}

  private byKey(db: Db, key: LinkKey) {
    return db
      .selectFrom('identity_links')
      .selectAll()
      .where('pool_id', '=', key.poolId)
      .where('provider_name', '=', key.providerName)
      .where('attribute_name', '=', key.attributeName)
      .where('attribute_value', '=', key.attributeValue);
  }

  /**
   * Links, if the user still exists ('user' when not): its row is key-share locked until the insert commits
   * (PostgreSQL), so a concurrent delete of the user deletes the new link too. Throws DuplicateKeyError
   * when the provider's user is linked already.
   */
  async insert(link: StoredIdentityLink): Promise<'user' | undefined> {
    const lock = this.db.getExecutor().adapter instanceof PostgresAdapter;
    return this.db.transaction().execute(async (tx) => {
      const user = tx.selectFrom('users').select('username_key').where('pool_id', '=', link.poolId).where('username_key', '=', link.usernameKey);
      if (!(await (lock ? user.forKeyShare() : user).executeTakeFirst())) return 'user';
      await rethrowDuplicate(
        tx
          .insertInto('identity_links')
          .values({
            pool_id: link.poolId,
            provider_name: link.providerName,
            attribute_name: link.attributeName,
            attribute_value: link.attributeValue,
            username_key: link.usernameKey,
            created_at: link.createdAt.getTime(),
          })
          .execute(),
        'identity link exists',
      );
      return undefined;
    });
  }

  async find(key: LinkKey): Promise<StoredIdentityLink | undefined> {
    const row = await this.byKey(this.db, key).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The link named by the first of these attributes of the provider's user that names one: one query for them all. */
  async findFirst(poolId: string, providerName: string, names: Pick<StoredIdentityLink, 'attributeName' | 'attributeValue'>[]): Promise<StoredIdentityLink | undefined> {
    if (names.length === 0) return undefined;
    const rows = await this.db
      .selectFrom('identity_links')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('provider_name', '=', providerName)
      .where((eb) => eb.or(names.map((n) => eb.and([eb('attribute_name', '=', n.attributeName), eb('attribute_value', '=', n.attributeValue)]))))
      .execute();
    const first = names.map((n) => rows.find((r) => r.attribute_name === n.attributeName && r.attribute_value === n.attributeValue)).find((row) => row !== undefined);
    return first && fromRow(first);
  }

  async ofUser(poolId: string, usernameKey: string): Promise<StoredIdentityLink[]> {
    const rows = await this.db.selectFrom('identity_links').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey).execute();
    return rows.map(fromRow);
  }

  /** The link that was removed, if there was one. */
  async delete(key: LinkKey): Promise<StoredIdentityLink | undefined> {
    const row = await deleteByKey(this.db, key).returningAll().executeTakeFirst();
    return row && fromRow(row);
  }

  /** The same link, now named by another attribute of the provider's user (its subject, once it has signed in). */
  async rename(link: StoredIdentityLink, to: Pick<StoredIdentityLink, 'attributeName' | 'attributeValue'>): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await deleteByKey(tx, link).execute();
      await tx
        .insertInto('identity_links')
        .values({
          pool_id: link.poolId,
          provider_name: link.providerName,
          attribute_name: to.attributeName,
          attribute_value: to.attributeValue,
          username_key: link.usernameKey,
          created_at: link.createdAt.getTime(),
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }
}

function deleteByKey(db: Db, key: LinkKey) {
  return db
    .deleteFrom('identity_links')
    .where('pool_id', '=', key.poolId)
    .where('provider_name', '=', key.providerName)
    .where('attribute_name', '=', key.attributeName)
    .where('attribute_value', '=', key.attributeValue);
}
