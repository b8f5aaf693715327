import type { Db } from './database.js';
import type { UserPoolDomainsTable } from './schema.js';
import { rethrowDuplicate } from './conflicts.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';

export type DomainKind = 'prefix' | 'custom';

export interface StoredDomain {
  /** A prefix (`myapp`) or a custom domain (`auth.example.com`). */
  domain: string;
  poolId: string;
  kind: DomainKind;
  /** Custom domains only: the ACM certificate the request named (Gatehouse does not terminate TLS with it). */
  certificateArn?: string;
  /** 1 is the classic hosted UI, 2 managed login. */
  managedLoginVersion: number;
  createdAt: Date;
  updatedAt: Date;
}

export function fromRow(row: UserPoolDomainsTable): StoredDomain {
  return {
    domain: row.domain,
    poolId: row.pool_id,
    kind: row.kind,
    ...(row.certificate_arn !== null && { certificateArn: row.certificate_arn }),
    managedLoginVersion: Number(row.managed_login_version),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class DomainsRepository {
  /** Read on every hosted UI request (the host names the pool) and on every DescribeUserPool. */
  private readonly byDomain: PreparedQuery<UserPoolDomainsTable, [domain: string]>;
  private readonly byPool: PreparedQuery<UserPoolDomainsTable, [poolId: string]>;

  constructor(private readonly db: Db) {
    this.byDomain = new PreparedQuery(db, (domain: string) => db.selectFrom('user_pool_domains').selectAll().where('domain', '=', domain), { cached: CONFIGURATION_READS });
    this.byPool = new PreparedQuery(db, (poolId: string) => db.selectFrom('user_pool_domains').selectAll().where('pool_id', '=', poolId).orderBy('kind'), { cached: CONFIGURATION_READS });
  }

  /**
   * Throws DuplicateKeyError when the domain is taken (by any pool) or the pool already has a domain of
   * this kind.
   */
  async insert(domain: StoredDomain): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('user_pool_domains')
        .values({
          domain: domain.domain,
          pool_id: domain.poolId,
          kind: domain.kind,
          certificate_arn: domain.certificateArn ?? null,
          managed_login_version: domain.managedLoginVersion,
          created_at: domain.createdAt.getTime(),
          updated_at: domain.updatedAt.getTime(),
        })
        .execute(),
      `domain ${domain.domain} exists`,
    );
  }

  async findByDomain(domain: string): Promise<StoredDomain | undefined> {
    const row = await this.byDomain.first(domain);
    return row ? fromRow(row) : undefined;
  }

  /** The pool's domains: none, or its custom and/or its prefix domain. */
  async findByPool(poolId: string): Promise<StoredDomain[]> {
    return (await this.byPool.all(poolId)).map(fromRow);
  }

  /** Sets the given fields of the pool's domain; undefined when the pool has no such domain. */
  async update(
    poolId: string,
    domain: string,
    now: Date,
    fields: { certificateArn?: string; managedLoginVersion?: number },
  ): Promise<StoredDomain | undefined> {
    const result = await this.db
      .updateTable('user_pool_domains')
      .set({
        ...(fields.certificateArn !== undefined && { certificate_arn: fields.certificateArn }),
        ...(fields.managedLoginVersion !== undefined && { managed_login_version: fields.managedLoginVersion }),
        updated_at: now.getTime(),
      })
      .where('domain', '=', domain)
      .where('pool_id', '=', poolId)
      .executeTakeFirst();
    if (result.numUpdatedRows === 0n) return undefined;
    return this.findByDomain(domain);
  }

  /** False when the pool has no such domain. */
  async delete(poolId: string, domain: string): Promise<boolean> {
    const result = await this.db.deleteFrom('user_pool_domains').where('domain', '=', domain).where('pool_id', '=', poolId).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
