import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJws } from '../src/security/jws.js';
import { SecretBox } from '../src/security/secret-box.js';
import { openDatabase, type Db } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { createRepositories } from '../src/storage/repositories.js';
import { SigningKeys } from '../src/userpools/auth/signing-keys.js';
import { createStore, STORES, type TestStore } from './helpers/stores.js';

const POOL = 'us-east-1_Remember1';
const ISSUER = `http://localhost/${POOL}`;

/** SigningKeys.recall: which verified tokens are remembered, and when a remembered one stops counting. */
for (const { name, skip } of STORES) {
  describe(`remembered tokens (${name})`, { skip }, () => {
    let store: TestStore;
    let db: Db;
    let keys: SigningKeys;

    before(async () => {
      store = await createStore(name);
      ({ db } = openDatabase({ dataDir: store.dataDir, databaseUrl: store.databaseUrl }));
      await migrateToLatest(db as never);
      keys = new SigningKeys(createRepositories(db), new SecretBox('a-secrets-key-for-this-test-only-0123456789'), () => new Date(), randomBytes);
    });
    after(async () => {
      await db.destroy();
      await store.drop();
    });

    const mint = (sub: string) => keys.sign(POOL, { iss: ISSUER, sub, token_use: 'access', exp: Math.floor(Date.now() / 1000) + 3600 });
    const verify = (token: string) => keys.verify(POOL, decodeJws(token), ISSUER, token);

    it('remembers a token on its second verification, not its first', async () => {
      const token = await mint('twice');
      await verify(token);
      assert.equal(await keys.recall(token), undefined);
      await verify(token);
      assert.equal((await keys.recall(token))?.claims.sub, 'twice');
      assert.ok(Object.isFrozen((await keys.recall(token))!.claims));
    });

    it('a remembered token stops counting once the key that verified it is no longer the pool’s', async () => {
      const token = await mint('orphaned');
      await verify(token);
      await verify(token);
      assert.ok(await keys.recall(token));
      await db.deleteFrom('signing_keys').where('pool_id', '=', POOL).execute();
      keys.forget(POOL);
      assert.equal(await keys.recall(token), undefined);
      await assert.rejects(verify(token), /unknown key/);
    });
  });
}
