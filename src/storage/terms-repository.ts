import { rethrowDuplicate } from './conflicts.js';
import type { Db } from './database.js';
import type { TermsTable } from './schema.js';

/** A terms document of an app client (CreateTerms): its links by language. */
export interface StoredTerms {
  poolId: string;
  termsId: string;
  clientId: string;
  termsName: string;
  termsSource: string;
  enforcement: string;
  links: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(row: TermsTable): StoredTerms {
  return {
    poolId: row.pool_id,
    termsId: row.terms_id,
    clientId: row.client_id,
    termsName: row.terms_name,
    termsSource: row.terms_source,
    enforcement: row.enforcement,
    links: JSON.parse(row.links) as Record<string, string>,
    createdAt: new Date(Number(row.created_at)),
    updatedAt: new Date(Number(row.updated_at)),
  };
}

function toRow(terms: StoredTerms): TermsTable {
  return {
    pool_id: terms.poolId,
    terms_id: terms.termsId,
    client_id: terms.clientId,
    terms_name: terms.termsName,
    terms_source: terms.termsSource,
    enforcement: terms.enforcement,
    links: JSON.stringify(terms.links),
    created_at: terms.createdAt.getTime(),
    updated_at: terms.updatedAt.getTime(),
  };
}

/** Keyed by pool and terms id; a client has at most one document of each name (a unique index). */
export class TermsRepository {
  constructor(private readonly db: Db) {}

  /** Throws DuplicateKeyError when the client has a document of this name already. */
  async insert(terms: StoredTerms): Promise<void> {
    await rethrowDuplicate(this.db.insertInto('terms').values(toRow(terms)).execute(), `terms ${terms.termsName} exist`);
  }

  async get(poolId: string, termsId: string): Promise<StoredTerms | undefined> {
    const row = await this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId).where('terms_id', '=', termsId).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** The client's documents, each of its names at most once. */
  async ofClient(poolId: string, clientId: string): Promise<StoredTerms[]> {
    const rows = await this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId).where('client_id', '=', clientId).execute();
    return rows.map(fromRow);
  }

  /** The pool's documents in terms id order, a page at a time. */
  async list(poolId: string, page: { limit: number; afterId?: string }): Promise<StoredTerms[]> {
    let query = this.db.selectFrom('terms').selectAll().where('pool_id', '=', poolId);
    if (page.afterId !== undefined) query = query.where('terms_id', '>', page.afterId);
    return (await query.orderBy('terms_id').limit(page.limit).execute()).map(fromRow);
  }

  /** Replaces the document's fields; throws DuplicateKeyError when a new name is taken on its client. */
  async replace(terms: StoredTerms): Promise<boolean> {
    const { pool_id, terms_id, created_at, ...fields } = toRow(terms);
    const result = await rethrowDuplicate(
      this.db.updateTable('terms').set(fields).where('pool_id', '=', pool_id).where('terms_id', '=', terms_id).executeTakeFirst(),
      `terms ${terms.termsName} exist`,
    );
    return result.numUpdatedRows > 0n;
  }

  async delete(poolId: string, termsId: string): Promise<boolean> {
    const result = await this.db.deleteFrom('terms').where('pool_id', '=', poolId).where('terms_id', '=', termsId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /** DeleteUserPoolClient: its documents go with it. */
  async deleteOfClient(poolId: string, clientId: string): Promise<void> {
    await this.db.deleteFrom('terms').where('pool_id', '=', poolId).where('client_id', '=', clientId).execute();
  }
}
