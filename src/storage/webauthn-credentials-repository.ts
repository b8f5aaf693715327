import { rethrowDuplicate } from './conflicts.js';
import type { Db } from './database.js';
import type { WebauthnCredentialsTable } from './schema.js';

/** A passkey a user registered (CompleteWebAuthnRegistration). */
export interface StoredWebauthnCredential {
  poolId: string;
  /** base64url, as the authenticator made it. */
  credentialId: string;
  usernameKey: string;
  /** The COSE public key, base64url. */
  publicKey: string;
  /** The authenticator's signature counter at its last use (0 for authenticators that keep none). */
  signCount: number;
  relyingPartyId: string;
  friendlyName: string;
  attachment?: string;
  transports: string[];
  createdAt: Date;
}

function fromRow(row: WebauthnCredentialsTable): StoredWebauthnCredential {
  return {
    poolId: row.pool_id,
    credentialId: row.credential_id,
    usernameKey: row.username_key,
    publicKey: row.public_key,
    signCount: Number(row.sign_count),
    relyingPartyId: row.relying_party_id,
    friendlyName: row.friendly_name ?? 'Passkey',
    ...(row.attachment !== null && { attachment: row.attachment }),
    transports: JSON.parse(row.transports) as string[],
    createdAt: new Date(Number(row.created_at)),
  };
}

/** Keyed by pool and credential id (a sign-in names the credential); a user's are found by their index. */
export class WebauthnCredentialsRepository {
  constructor(private readonly db: Db) {}

  /** DuplicateKeyError when the credential is registered in the pool already. */
  async insert(credential: StoredWebauthnCredential): Promise<void> {
    const write = this.db
      .insertInto('webauthn_credentials')
      .values({
        pool_id: credential.poolId,
        credential_id: credential.credentialId,
        username_key: credential.usernameKey,
        public_key: credential.publicKey,
        sign_count: credential.signCount,
        relying_party_id: credential.relyingPartyId,
        friendly_name: credential.friendlyName,
        attachment: credential.attachment ?? null,
        transports: JSON.stringify(credential.transports),
        created_at: credential.createdAt.getTime(),
      })
      .execute();
    await rethrowDuplicate(write, 'passkey');
  }

  async get(poolId: string, credentialId: string): Promise<StoredWebauthnCredential | undefined> {
    const row = await this.db
      .selectFrom('webauthn_credentials')
      .selectAll()
      .where('pool_id', '=', poolId)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** A page of the user's passkeys in credential-id order, after `afterId`. */
  async list(poolId: string, usernameKey: string, limit: number, afterId?: string): Promise<StoredWebauthnCredential[]> {
    let query = this.db.selectFrom('webauthn_credentials').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
    if (afterId !== undefined) query = query.where('credential_id', '>', afterId);
    return (await query.orderBy('credential_id').limit(limit).execute()).map(fromRow);
  }

  /** The counter a verified sign-in reported; only ever forward, so a cloned authenticator's replay is seen. */
  async recordUse(poolId: string, credentialId: string, signCount: number): Promise<void> {
    await this.db
      .updateTable('webauthn_credentials')
      .set({ sign_count: signCount })
      .where('pool_id', '=', poolId)
      .where('credential_id', '=', credentialId)
      .where('sign_count', '<', signCount)
      .execute();
  }

  /** False when the user has no such passkey. */
  async delete(poolId: string, usernameKey: string, credentialId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webauthn_credentials')
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
