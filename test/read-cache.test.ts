import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { openDatabase, type Db } from '../src/storage/database.js';
import { migrateToLatest } from '../src/storage/migrate.js';
import { readTables, writtenTable } from '../src/storage/own-writes.js';
import { PreparedQuery } from '../src/storage/prepared-query.js';
import { requestArrived } from '../src/storage/read-epochs.js';
import { createRepositories, type Repositories } from '../src/storage/repositories.js';
import { startServer } from './helpers/server.js';
import { createStore, STORES, type TestStore } from './helpers/stores.js';

const TRUST = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Sid: `v${n}`, Condition: { StringEquals: { 'cognito-identity.amazonaws.com:aud': 'us-east-1:00000000-0000-4000-8000-000000000001' } } }] });

/**
 * Hot reads are answered from memory on SQLite while the database is unchanged (PreparedQuery's cache).
 * Whatever writes, and wherever from, the next read must see it: the same answers as with no cache.
 */
for (const { name, skip } of STORES) {
  describe(`reads stay current with the read cache (${name})`, { skip }, () => {
    let store: TestStore;
    let db: Db;
    let repos: Repositories;
    /** Writes to the same database as another process would (`gatehouse keys rotate`, a second node). */
    let writeElsewhere: (sql: string, params: unknown[]) => Promise<void>;
    let closeElsewhere: () => Promise<void>;

    before(async () => {
      store = await createStore(name);
      ({ db } = openDatabase({ dataDir: store.dataDir, databaseUrl: store.databaseUrl }));
      await migrateToLatest(db as never);
      repos = createRepositories(db);
      if (name === 'sqlite') {
        const other = new SQLite(join(store.dataDir, 'gatehouse.sqlite'));
        other.pragma('busy_timeout = 5000');
        writeElsewhere = async (sql, params) => void other.prepare(sql).run(...params);
        closeElsewhere = async () => void other.close();
      } else {
        const other = new pg.Client({ connectionString: store.databaseUrl });
        await other.connect();
        // PostgreSQL numbers its placeholders.
        writeElsewhere = async (sql, params) => {
          let n = 0;
          await other.query(sql.replace(/\?/g, () => `$${++n}`), params);
        };
        closeElsewhere = () => other.end();
      }
    });
    after(async () => {
      await closeElsewhere();
      await db.destroy();
      await store.drop();
    });

    const role = (roleName: string, n: number) => ({ roleName, roleId: `AROA${roleName.toUpperCase()}`, path: '/', assumeRolePolicy: TRUST(n), maxSessionDuration: 3600, createdAt: new Date() });

    it('a read repeated with nothing written gives the same answer, and sees this server’s own writes at once', async () => {
      await repos.roles.insert(role('own', 1));
      assert.equal((await repos.roles.get('own'))?.assumeRolePolicy, TRUST(1));
      assert.equal((await repos.roles.get('own'))?.assumeRolePolicy, TRUST(1));
      await repos.roles.update('own', { assumeRolePolicy: TRUST(2) });
      assert.equal((await repos.roles.get('own'))?.assumeRolePolicy, TRUST(2));
      await repos.roles.delete('own');
      assert.equal(await repos.roles.get('own'), undefined);
    });

    it('sees a commit made by another connection in the next request', async () => {
      await repos.roles.insert(role('shared', 1));
      assert.equal((await repos.roles.get('shared'))?.assumeRolePolicy, TRUST(1));
      await writeElsewhere('update iam_roles set assume_role_policy = ? where role_name = ?', [TRUST(3), 'shared']);
      requestArrived();
      assert.equal((await repos.roles.get('shared'))?.assumeRolePolicy, TRUST(3));
      await writeElsewhere('delete from iam_roles where role_name = ?', ['shared']);
      requestArrived();
      assert.equal(await repos.roles.get('shared'), undefined);
    });

    it('sees a commit made by another connection once the turn of the event loop ends, with no request', async () => {
      await repos.roles.insert(role('timer', 1));
      assert.equal((await repos.roles.get('timer'))?.assumeRolePolicy, TRUST(1));
      await writeElsewhere('update iam_roles set assume_role_policy = ? where role_name = ?', [TRUST(4), 'timer']);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal((await repos.roles.get('timer'))?.assumeRolePolicy, TRUST(4));
    });

    it('answers an HTTP request with what another connection committed before it was sent', async () => {
      const server = await startServer(name, {}, {}, store);
      const iam = (form: Record<string, string>) =>
        fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Version: '2010-05-08', ...form }).toString() });
      const policyServed = async () => decodeURIComponent(/<AssumeRolePolicyDocument>([^<]*)</.exec(await (await iam({ Action: 'GetRole', RoleName: 'http' })).text())![1]!);
      try {
        assert.equal((await iam({ Action: 'CreateRole', RoleName: 'http', AssumeRolePolicyDocument: TRUST(1) })).status, 200);
        assert.equal(JSON.parse(await policyServed()).Statement[0].Sid, 'v1');
        for (const n of [5, 6, 7]) {
          await writeElsewhere('update iam_roles set assume_role_policy = ? where role_name = ?', [TRUST(n), 'http']);
          assert.equal(JSON.parse(await policyServed()).Statement[0].Sid, `v${n}`);
        }
      } finally {
        await server.stop();
      }
    });

    it('a write inside a transaction is seen by reads in it, and by every read after its commit; a rollback changes nothing', async () => {
      const query = new PreparedQuery(db, (roleName: string) => db.selectFrom('iam_roles').select('description').where('role_name', '=', roleName), { cached: 10 });
      await repos.roles.insert({ ...role('tx', 1), description: 'before' });
      assert.equal((await query.first('tx'))?.description, 'before');
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('iam_roles').set({ description: 'during' }).where('role_name', '=', 'tx').execute();
        assert.equal((await query.allIn(tx, 'tx'))[0]?.description, 'during');
      });
      assert.equal((await query.first('tx'))?.description, 'during');
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          await tx.updateTable('iam_roles').set({ description: 'rolled back' }).where('role_name', '=', 'tx').execute();
          throw new Error('abandon');
        }),
        /abandon/,
      );
      assert.equal((await query.first('tx'))?.description, 'during');
    });

    it('a kept answer that joins two tables is read again when either of them is written', async () => {
      const query = new PreparedQuery(
        db,
        (poolId: string) =>
          db
            .selectFrom('group_members')
            .innerJoin('user_groups', (join) => join.onRef('user_groups.pool_id', '=', 'group_members.pool_id').onRef('user_groups.group_name', '=', 'group_members.group_name'))
            .select(['group_members.username_key', 'user_groups.description'])
            .where('group_members.pool_id', '=', poolId)
            .orderBy('group_members.username_key'),
        { cached: 10 },
      );
      const now = Date.now();
      await db.insertInto('user_groups').values({ pool_id: 'joined', group_name: 'g', description: 'one', role_arn: null, precedence: null, created_at: now, updated_at: now }).execute();
      await db.insertInto('group_members').values({ pool_id: 'joined', group_name: 'g', username_key: 'a' }).execute();
      assert.deepEqual(await query.all('joined'), [{ username_key: 'a', description: 'one' }]);
      await db.updateTable('user_groups').set({ description: 'two' }).where('pool_id', '=', 'joined').execute();
      assert.deepEqual(await query.all('joined'), [{ username_key: 'a', description: 'two' }]);
      await db.insertInto('group_members').values({ pool_id: 'joined', group_name: 'g', username_key: 'b' }).execute();
      assert.deepEqual(await query.all('joined'), [
        { username_key: 'a', description: 'two' },
        { username_key: 'b', description: 'two' },
      ]);
    });

    it('a write to another table leaves a kept answer in use', { skip: name === 'postgres' && 'nothing is kept on PostgreSQL' }, async () => {
      // Another connection's commit is seen from the next request on; within this one, only this
      // server's own writes to the role table could make the kept role stale, and a session write is not one.
      await repos.roles.insert(role('kept', 1));
      requestArrived();
      assert.equal((await repos.roles.get('kept'))?.assumeRolePolicy, TRUST(1));
      await writeElsewhere('update iam_roles set assume_role_policy = ? where role_name = ?', [TRUST(8), 'kept']);
      await repos.authSessions.insert({ poolId: 'p', sessionHash: 'h', clientId: 'c', usernameKey: 'u', challenge: 'PASSWORD_VERIFIER', state: {}, expiresAt: new Date(Date.now() + 60_000) });
      assert.equal((await repos.roles.get('kept'))?.assumeRolePolicy, TRUST(1));
      await repos.roles.update('kept', { description: 'own write' });
      assert.equal((await repos.roles.get('kept'))?.assumeRolePolicy, TRUST(8));
    });

    it('an answer kept for later cannot be changed by the caller that got it', { skip: name === 'postgres' && 'nothing is kept on PostgreSQL' }, async () => {
      const query = new PreparedQuery(db, (roleName: string) => db.selectFrom('iam_roles').select(['role_name', 'description']).where('role_name', '=', roleName), { cached: 10 });
      await repos.roles.insert({ ...role('frozen', 1), description: 'kept' });
      const [row] = await query.all('frozen');
      assert.throws(() => {
        (row as { description: string }).description = 'changed';
      }, TypeError);
      assert.equal((await query.first('frozen'))?.description, 'kept');
    });
  });
}

describe('which tables a statement reads and writes, for the read cache', () => {
  it('ties a read to every table after its FROM and JOINs, and to any table when one of them is not plainly named', () => {
    assert.deepEqual(readTables('select * from "users" where "pool_id" = ?'), ['users']);
    assert.deepEqual(readTables('select "user_groups".* from "group_members" inner join "user_groups" on "user_groups"."pool_id" = "group_members"."pool_id"'), ['group_members', 'user_groups']);
    assert.deepEqual(readTables('select * from (select * from "roles") as r'), ['roles']);
    assert.deepEqual(readTables('select * from (select * from "roles")'), ['roles']);
    assert.equal(readTables('select * from "users", "user_groups"'), undefined);
    assert.equal(readTables('select * from "main"."users"'), undefined);
    assert.equal(readTables('select * from users'), undefined);
    assert.equal(readTables('select substring("name" from 2) from "users"'), undefined);
    assert.equal(readTables('select 1'), undefined);
  });

  it('names the table an INSERT, UPDATE or DELETE writes, and nothing for any other statement', () => {
    assert.equal(writtenTable('insert into "refresh_tokens" ("pool_id") values (?)'), 'refresh_tokens');
    assert.equal(writtenTable('update "user_pools" set "user_count" = "user_count" + 1'), 'user_pools');
    assert.equal(writtenTable('delete from "auth_sessions" where "pool_id" = ? returning *'), 'auth_sessions');
    assert.equal(writtenTable('insert into "main"."users" values (1)'), undefined);
    assert.equal(writtenTable('create table "x" ("a" text)'), undefined);
  });
});
