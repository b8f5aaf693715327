import type { Db } from './database.js';
import type { OAuthCodesTable } from './schema.js';

/** An authorization code as stored: its keyed hash and everything the token endpoint needs to redeem it. */
export interface StoredAuthorizationCode {
  poolId: string;
  codeHash: string;
  clientId: string;
  usernameKey: string;
  redirectUri: string;
  scopes: string[];
  /** The PKCE S256 challenge, when the authorization request carried one. */
  codeChallenge?: string;
  nonce?: string;
  /** The origin_jti of the tokens the code is (or will be) exchanged for. */
  originJti: string;
  authTime: Date;
  createdAt: Date;
  expiresAt: Date;
  usedAt?: Date;
}

function fromRow(row: OAuthCodesTable): StoredAuthorizationCode {
  return {
    poolId: row.pool_id,
    codeHash: row.code_hash,
    clientId: row.client_id,
    usernameKey: row.username_key,
    redirectUri: row.redirect_uri,
    scopes: row.scopes === '' ? [] : row.scopes.split(' '),
    ...(row.code_challenge !== null && { codeChallenge: row.code_challenge }),
    ...(row.nonce !== null && { nonce: row.nonce }),
    originJti: row.origin_jti,
    authTime: new Date(Number(row.auth_time)),
    createdAt: new Date(Number(row.created_at)),
    expiresAt: new Date(Number(row.expires_at)),
    ...(row.used_at !== null && { usedAt: new Date(Number(row.used_at)) }),
  };
}

export class OAuthCodesRepository {
  constructor(private readonly db: Db) {}

  async insert(code: StoredAuthorizationCode): Promise<void> {
    await this.db
      .insertInto('oauth_codes')
      .values({
        pool_id: code.poolId,
        code_hash: code.codeHash,
        client_id: code.clientId,
        username_key: code.usernameKey,
        redirect_uri: code.redirectUri,
        scopes: code.scopes.join(' '),
        code_challenge: code.codeChallenge ?? null,
        nonce: code.nonce ?? null,
        origin_jti: code.originJti,
        auth_time: code.authTime.getTime(),
        created_at: code.createdAt.getTime(),
        expires_at: code.expiresAt.getTime(),
        used_at: null,
        replayed_at: null,
      })
      .execute();
  }

  /**
   * Marks the code used and answers it, with `firstUse` true for exactly one of any number of racing
   * redemptions; every later one finds it used (a replay). Undefined when there is no such code.
   */
  async consume(poolId: string, codeHash: string, now: Date): Promise<{ code: StoredAuthorizationCode; firstUse: boolean } | undefined> {
    const result = await this.db
      .updateTable('oauth_codes')
      .set({ used_at: now.getTime() })
      .where('pool_id', '=', poolId)
      .where('code_hash', '=', codeHash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    const row = await this.db.selectFrom('oauth_codes').selectAll().where('pool_id', '=', poolId).where('code_hash', '=', codeHash).executeTakeFirst();
    return row ? { code: fromRow(row), firstUse: result.numUpdatedRows > 0n } : undefined;
  }

  /**
   * A second redemption marks the code replayed. The first redemption checks `wasReplayed` after it has
   * stored what it issued: whichever way the two interleave, one of them revokes the tokens.
   */
  async markReplayed(poolId: string, codeHash: string, now: Date): Promise<void> {
    await this.db.updateTable('oauth_codes').set({ replayed_at: now.getTime() }).where('pool_id', '=', poolId).where('code_hash', '=', codeHash).execute();
  }

  async wasReplayed(poolId: string, codeHash: string): Promise<boolean> {
    const row = await this.db.selectFrom('oauth_codes').select('replayed_at').where('pool_id', '=', poolId).where('code_hash', '=', codeHash).executeTakeFirst();
    return row !== undefined && row.replayed_at !== null;
  }

  /** Codes live five minutes; a used one is kept that long too, so that a replay is recognised as one. */
  async deleteExpired(before: Date): Promise<void> {
    await this.db.deleteFrom('oauth_codes').where('expires_at', '<', before.getTime()).execute();
  }
}
