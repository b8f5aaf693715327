import { DuplicateKeyError, isUniqueViolation, rethrowDuplicate } from './conflicts.js';
import type { Db } from './database.js';
import { CONFIGURATION_READS, PreparedQuery } from './prepared-query.js';
import type { IdentityProvidersTable } from './schema.js';

/** A user pool's external identity provider (CreateIdentityProvider). */
export interface StoredIdentityProvider {
  poolId: string;
  providerName: string;
  /** SAML | Facebook | Google | LoginWithAmazon | SignInWithApple | OIDC */
  providerType: string;
  /** ProviderDetails as stored: secret values (client_secret, private_key) sealed with ctx.secrets.encrypt. */
  details: Record<string, string>;
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
  createdAt: Date;
  updatedAt: Date;
}

/** Another provider of the pool has this identifier: a DuplicateKeyError that says which one. */
export class IdentifierTakenError extends DuplicateKeyError {
  constructor(readonly identifier: string) {
    super(`identifier ${identifier} is taken`);
  }
}

function fromRow(row: IdentityProvidersTable): StoredIdentityProvider {
  return {
    poolId: row.pool_id,
    providerName: row.provider_name,
    providerType: row.provider_type,
    details: JSON.parse(row.details) as Record<string, string>,
    attributeMapping: JSON.parse(row.attribute_mapping) as Record<string, string>,
    idpIdentifiers: JSON.parse(row.idp_identifiers) as string[],
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toRow(provider: StoredIdentityProvider): IdentityProvidersTable {
  return {
    pool_id: provider.poolId,
    provider_name: provider.providerName,
    provider_type: provider.providerType,
    details: JSON.stringify(provider.details),
    attribute_mapping: JSON.stringify(provider.attributeMapping),
    idp_identifiers: JSON.stringify(provider.idpIdentifiers),
    created_at: provider.createdAt.getTime(),
    updated_at: provider.updatedAt.getTime(),
  };
}

/**
 * Keyed by pool and provider name. Each identifier is also a row of identity_provider_identifiers, written
 * in the same transaction as its provider, so the database keeps identifiers unique within a pool even when
 * two writes race.
 */
export class IdentityProvidersRepository {
  /** Read by every hosted-UI sign-in that names a provider. */
  private readonly byName: PreparedQuery<IdentityProvidersTable, [poolId: string, providerName: string]>;

  constructor(private readonly db: Db) {
    this.byName = new PreparedQuery(
      db,
      (poolId: string, providerName: string) =>
        db.selectFrom('identity_providers').selectAll().where('pool_id', '=', poolId).where('provider_name', '=', providerName),
      { cached: CONFIGURATION_READS },
    );
  }

  /** Throws DuplicateKeyError when the name is taken, IdentifierTakenError when one of its identifiers is. */
  async insert(provider: StoredIdentityProvider): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await rethrowDuplicate(tx.insertInto('identity_providers').values(toRow(provider)).execute(), `identity provider ${provider.providerName} exists`);
      await claimIdentifiers(tx, provider);
    });
  }

  async get(poolId: string, providerName: string): Promise<StoredIdentityProvider | undefined> {
    const row = await this.byName.first(poolId, providerName);
    return row ? fromRow(row) : undefined;
  }

  async findByIdentifier(poolId: string, identifier: string): Promise<StoredIdentityProvider | undefined> {
    const row = await this.db
      .selectFrom('identity_provider_identifiers as i')
      .innerJoin('identity_providers as p', (join) => join.onRef('p.pool_id', '=', 'i.pool_id').onRef('p.provider_name', '=', 'i.provider_name'))
      .selectAll('p')
      .where('i.pool_id', '=', poolId)
      .where('i.identifier', '=', identifier)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The pool's providers in name order, a page at a time. */
  async list(poolId: string, page: { limit: number; afterName?: string }): Promise<StoredIdentityProvider[]> {
    let query = this.db.selectFrom('identity_providers').selectAll().where('pool_id', '=', poolId);
    if (page.afterName !== undefined) query = query.where('provider_name', '>', page.afterName);
    return (await query.orderBy('provider_name').limit(page.limit).execute()).map(fromRow);
  }

  async count(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('identity_providers')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Replaces everything but the name and creation time; false when there is no such provider. Throws IdentifierTakenError. */
  async replace(provider: StoredIdentityProvider): Promise<boolean> {
    const { pool_id, provider_name, created_at, ...fields } = toRow(provider);
    return this.db.transaction().execute(async (tx) => {
      const result = await tx.updateTable('identity_providers').set(fields).where('pool_id', '=', pool_id).where('provider_name', '=', provider_name).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await releaseIdentifiers(tx, pool_id, provider_name);
      await claimIdentifiers(tx, provider);
      return true;
    });
  }

  async delete(poolId: string, providerName: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      await releaseIdentifiers(tx, poolId, providerName);
      const result = await tx.deleteFrom('identity_providers').where('pool_id', '=', poolId).where('provider_name', '=', providerName).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }
}

/** One row per identifier, so the one that is taken can be named. */
async function claimIdentifiers(tx: Db, provider: StoredIdentityProvider): Promise<void> {
  for (const identifier of provider.idpIdentifiers) {
    try {
      await tx.insertInto('identity_provider_identifiers').values({ pool_id: provider.poolId, identifier, provider_name: provider.providerName }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new IdentifierTakenError(identifier);
      throw error;
    }
  }
}

async function releaseIdentifiers(tx: Db, poolId: string, providerName: string): Promise<void> {
  await tx.deleteFrom('identity_provider_identifiers').where('pool_id', '=', poolId).where('provider_name', '=', providerName).execute();
}
