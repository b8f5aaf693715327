import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { configSchema } from '../src/config.js';
import { openServices } from '../src/services.js';
import { IDENTITY_POOL_TABLES, USER_POOL_TABLES } from '../src/storage/schema.js';
import { createStore, STORES } from './helpers/stores.js';

/**
 * DeleteUserPool and DeleteIdentityPool (and resetting a development store) delete a pool's rows table by
 * table, from the lists USER_POOL_TABLES and IDENTITY_POOL_TABLES: a table keyed by pool that a migration
 * adds and the lists forget would keep a deleted pool's users, tokens or secrets for ever, and nothing
 * else would notice.
 */
for (const store of STORES) {
  describe(`tables keyed by pool (${store.name})`, { skip: store.skip }, () => {
    it('every table with a pool_id column is one that deleting its pool empties', async () => {
      const testStore = await createStore(store.name);
      const config = configSchema.parse({ dataDir: testStore.dataDir, ...(testStore.databaseUrl && { databaseUrl: testStore.databaseUrl }), logLevel: 'silent' });
      const services = await openServices(config, pino({ level: 'silent' }));
      try {
        const tables = await services.db.introspection.getTables();
        const keyedByPool = tables.filter((table) => table.columns.some((column) => column.name === 'pool_id')).map((table) => table.name);
        assert.ok(keyedByPool.includes('users'), `the store's tables were read: ${keyedByPool.join(', ')}`);
        const listed = new Set<string>([...USER_POOL_TABLES, ...IDENTITY_POOL_TABLES]);
        assert.deepEqual(keyedByPool.filter((table) => !listed.has(table)), []);
      } finally {
        await services.close();
        await testStore.drop();
      }
    });
  });
}
