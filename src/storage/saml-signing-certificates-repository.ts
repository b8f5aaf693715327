import type { Db } from './database.js';

/** A user pool's SAML signing certificate, its private key sealed by the caller. */
export interface StoredSamlSigningCertificate {
  poolId: string;
  privateKey: string;
  certificate: string;
  createdAt: Date;
}

export class SamlSigningCertificatesRepository {
  constructor(private readonly db: Db) {}

  async get(poolId: string): Promise<StoredSamlSigningCertificate | undefined> {
    const row = await this.db.selectFrom('saml_signing_certificates').selectAll().where('pool_id', '=', poolId).executeTakeFirst();
    return row && { poolId: row.pool_id, privateKey: row.private_key, certificate: row.certificate, createdAt: new Date(Number(row.created_at)) };
  }

  /** Stores it unless the pool has one already (which then stays). */
  async insertIfAbsent(certificate: StoredSamlSigningCertificate): Promise<void> {
    await this.db
      .insertInto('saml_signing_certificates')
      .values({ pool_id: certificate.poolId, private_key: certificate.privateKey, certificate: certificate.certificate, created_at: certificate.createdAt.getTime() })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
