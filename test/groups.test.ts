import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  CreateUserPoolCommand,
  DeleteGroupCommand,
  DeleteUserPoolCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersInGroupCommand,
  UpdateGroupCommand,
  type CognitoIdentityProviderClient,
  type GroupType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';
const MISSING_POOL = 'us-east-1_missing00';
const ADMINS_ROLE = 'arn:aws:iam::123456789012:role/admins';
const READERS_ROLE = 'arn:aws:iam::123456789012:role/readers';

for (const store of STORES) {
  describe(`groups and memberships (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
    });
    after(() => server?.close());

    async function createPool(settings: Record<string, unknown> = {}): Promise<string> {
      return (await idp.send(new CreateUserPoolCommand({ PoolName: 'groups', ...settings }))).UserPool!.Id!;
    }

    async function createUsers(UserPoolId: string, names: string[]): Promise<void> {
      await Promise.all(names.map((Username) => idp.send(new AdminCreateUserCommand({ UserPoolId, Username, MessageAction: 'SUPPRESS' }))));
    }

    function getGroup(UserPoolId: string, GroupName: string): Promise<GroupType> {
      return idp.send(new GetGroupCommand({ UserPoolId, GroupName })).then((r) => r.Group!);
    }

    /** Walks a paged listing to its end: the items in order and the number of pages. */
    async function walk<T>(fetch: (token?: string) => Promise<{ items: T[]; token?: string }>, limit: number): Promise<{ items: T[]; pages: number }> {
      const items: T[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await fetch(token);
        assert.ok(page.items.length <= limit, 'no page is longer than the limit');
        items.push(...page.items);
        token = page.token;
        pages++;
        assert.ok(pages <= 100, 'the listing ends');
      } while (token);
      return { items, pages };
    }

    function groupsOf(UserPoolId: string, Username: string, Limit = 60) {
      return walk(async (NextToken) => {
        const r = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId, Username, Limit, NextToken }));
        return { items: r.Groups!, token: r.NextToken };
      }, Limit);
    }

    function membersOf(UserPoolId: string, GroupName: string, Limit = 60) {
      return walk<UserType>(async (NextToken) => {
        const r = await idp.send(new ListUsersInGroupCommand({ UserPoolId, GroupName, Limit, NextToken }));
        return { items: r.Users!, token: r.NextToken };
      }, Limit);
    }

    it('CreateGroup and GetGroup keep description, precedence and role; names are unique', async () => {
      const poolId = await createPool();
      const { Group } = await idp.send(
        new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Description: 'Administrators', Precedence: 1, RoleArn: ADMINS_ROLE }),
      );
      assert.equal(Group!.GroupName, 'admins');
      assert.equal(Group!.UserPoolId, poolId);
      assert.ok(Group!.CreationDate instanceof Date && Group!.LastModifiedDate instanceof Date);
      const got = await getGroup(poolId, 'admins');
      assert.equal(got.Description, 'Administrators');
      assert.equal(got.Precedence, 1);
      assert.equal(got.RoleArn, ADMINS_ROLE);

      // Precedence 0 is a value, not an absence.
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'root', Precedence: 0 }));
      assert.equal((await getGroup(poolId, 'root')).Precedence, 0);
      const bare = await getGroup(poolId, 'root');
      assert.equal(bare.Description, undefined);
      assert.equal(bare.RoleArn, undefined);

      await rejects(idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins' })), 'GroupExistsException');
      // Group names are case sensitive.
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'Admins' }));
      await rejects(getGroup(poolId, 'nobody'), 'ResourceNotFoundException');
      await rejects(idp.send(new CreateGroupCommand({ UserPoolId: MISSING_POOL, GroupName: 'admins' })), 'ResourceNotFoundException');
      await rejects(getGroup(MISSING_POOL, 'admins'), 'ResourceNotFoundException');
    });

    it('UpdateGroup changes only the fields it is given', async () => {
      const poolId = await createPool();
      const { Group: created } = await idp.send(
        new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Description: 'Staff', Precedence: 3, RoleArn: ADMINS_ROLE }),
      );
      const { Group } = await idp.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Description: 'All staff' }));
      assert.equal(Group!.Description, 'All staff');
      assert.equal(Group!.Precedence, 3);
      assert.equal(Group!.RoleArn, ADMINS_ROLE);
      assert.ok(Group!.LastModifiedDate!.getTime() >= created!.LastModifiedDate!.getTime());
      assert.equal(Group!.CreationDate!.getTime(), created!.CreationDate!.getTime());

      await idp.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Precedence: 0, RoleArn: READERS_ROLE }));
      const got = await getGroup(poolId, 'staff');
      assert.equal(got.Description, 'All staff');
      assert.equal(got.Precedence, 0);
      assert.equal(got.RoleArn, READERS_ROLE);

      await rejects(idp.send(new UpdateGroupCommand({ UserPoolId: poolId, GroupName: 'nobody', Description: 'x' })), 'ResourceNotFoundException');
      await rejects(idp.send(new UpdateGroupCommand({ UserPoolId: MISSING_POOL, GroupName: 'staff', Description: 'x' })), 'ResourceNotFoundException');
    });

    it('DeleteGroup deletes the group and its memberships', async () => {
      const poolId = await createPool();
      await createUsers(poolId, ['ann', 'bob']);
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'doomed', Precedence: 2 }));
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'kept' }));
      for (const Username of ['ann', 'bob']) {
        for (const GroupName of ['doomed', 'kept']) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName }));
      }
      await idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' }));
      await rejects(getGroup(poolId, 'doomed'), 'ResourceNotFoundException');
      await rejects(idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' })), 'ResourceNotFoundException');
      await rejects(idp.send(new DeleteGroupCommand({ UserPoolId: MISSING_POOL, GroupName: 'kept' })), 'ResourceNotFoundException');
      await rejects(idp.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' })), 'ResourceNotFoundException');
      for (const Username of ['ann', 'bob']) {
        assert.deepEqual((await groupsOf(poolId, Username)).items.map((g) => g.GroupName), ['kept']);
      }
      // A new group of the same name starts empty.
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'doomed' }));
      assert.deepEqual((await membersOf(poolId, 'doomed')).items, []);
      assert.equal((await getGroup(poolId, 'doomed')).Precedence, undefined);
    });

    it('ListGroups pages through every group once', async () => {
      const poolId = await createPool();
      const names = Array.from({ length: 7 }, (_, i) => `group-${i}`);
      await Promise.all(names.map((GroupName, Precedence) => idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName, Precedence }))));
      const listed = await walk(async (NextToken) => {
        const r = await idp.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 3, NextToken }));
        return { items: r.Groups!, token: r.NextToken };
      }, 3);
      assert.equal(listed.pages, 3);
      assert.deepEqual(listed.items.map((g) => g.GroupName).sort(), names);
      for (const group of listed.items) assert.equal(group.Precedence, names.indexOf(group.GroupName!));

      const exact = await walk(async (NextToken) => {
        const r = await idp.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 7, NextToken }));
        return { items: r.Groups!, token: r.NextToken };
      }, 7);
      assert.equal(exact.pages, 1, 'no token when the page holds the rest');
      assert.equal((await idp.send(new ListGroupsCommand({ UserPoolId: poolId }))).Groups!.length, 7);

      const { NextToken } = await idp.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 3 }));
      const other = await createPool();
      await rejects(idp.send(new ListGroupsCommand({ UserPoolId: other, Limit: 3, NextToken })), 'InvalidParameterException');
      await rejects(idp.send(new ListGroupsCommand({ UserPoolId: poolId, NextToken: 'not-a-token' })), 'InvalidParameterException', /^Paging marker not-a-token is invalid for request [\w-]+$/);
      await rejects(idp.send(new ListGroupsCommand({ UserPoolId: MISSING_POOL })), 'ResourceNotFoundException');
    });

    it('AdminAddUserToGroup is idempotent and AdminRemoveUserFromGroup undoes it', async () => {
      const poolId = await createPool();
      await createUsers(poolId, ['carol', 'dave']);
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'editors', Precedence: 5, RoleArn: ADMINS_ROLE }));
      const add = (Username: string) => idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName: 'editors' }));
      const remove = (Username: string) => idp.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username, GroupName: 'editors' }));
      await add('carol');
      await add('carol');
      const groups = (await groupsOf(poolId, 'carol')).items;
      assert.equal(groups.length, 1);
      assert.equal(groups[0].GroupName, 'editors');
      assert.equal(groups[0].Precedence, 5, 'the group comes with its precedence');
      assert.equal(groups[0].RoleArn, ADMINS_ROLE, 'and its role');
      assert.deepEqual((await membersOf(poolId, 'editors')).items.map((u) => u.Username), ['carol']);
      assert.deepEqual((await groupsOf(poolId, 'dave')).items, []);

      await remove('carol');
      await remove('carol');
      await remove('dave');
      assert.deepEqual((await groupsOf(poolId, 'carol')).items, []);
      assert.deepEqual((await membersOf(poolId, 'editors')).items, []);

      for (const call of [add, remove]) {
        await rejects(call('nobody'), 'UserNotFoundException');
        await rejects(idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'carol', GroupName: 'nogroup' })), 'ResourceNotFoundException');
        await rejects(idp.send(new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, Username: 'carol', GroupName: 'nogroup' })), 'ResourceNotFoundException');
      }
      await rejects(idp.send(new AdminAddUserToGroupCommand({ UserPoolId: MISSING_POOL, Username: 'carol', GroupName: 'editors' })), 'ResourceNotFoundException');
      await rejects(idp.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'nobody' })), 'UserNotFoundException');
      await rejects(idp.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'nogroup' })), 'ResourceNotFoundException');
    });

    it('memberships follow the user in a case-insensitive pool', async () => {
      const poolId = await createPool({ UsernameConfiguration: { CaseSensitive: false } });
      await createUsers(poolId, ['Erin']);
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'team' }));
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ERIN', GroupName: 'team' }));
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'erin', GroupName: 'team' }));
      assert.equal((await membersOf(poolId, 'team')).items.length, 1);
      assert.deepEqual((await groupsOf(poolId, 'Erin')).items.map((g) => g.GroupName), ['team']);
    });

    it('AdminListGroupsForUser and ListUsersInGroup page with NextToken', async () => {
      const poolId = await createPool();
      const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
      const groups = ['g1', 'g2', 'g3', 'g4', 'g5'];
      await createUsers(poolId, users);
      await Promise.all(groups.map((GroupName) => idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }))));
      await Promise.all(
        users.flatMap((Username) => groups.map((GroupName) => idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName })))),
      );
      const mine = await groupsOf(poolId, 'u3', 2);
      assert.equal(mine.pages, 3);
      assert.deepEqual(mine.items.map((g) => g.GroupName).sort(), groups);
      const members = await membersOf(poolId, 'g4', 2);
      assert.equal(members.pages, 3);
      assert.deepEqual(members.items.map((u) => u.Username).sort(), users);
      assert.ok(members.items.every((u) => u.UserStatus === 'FORCE_CHANGE_PASSWORD' && u.Enabled === true));

      // A token belongs to its listing.
      const { NextToken } = await idp.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'u3', Limit: 2 }));
      await rejects(idp.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'u4', Limit: 2, NextToken })), 'InvalidParameterException');
      await rejects(idp.send(new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'g1', Limit: 2, NextToken })), 'InvalidParameterException');
    });

    it('deleting a user removes it from its groups', async () => {
      const poolId = await createPool();
      await createUsers(poolId, ['frank', 'grace']);
      for (const GroupName of ['a', 'b']) {
        await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName }));
        for (const Username of ['frank', 'grace']) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName }));
      }
      await idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'frank' }));
      for (const GroupName of ['a', 'b']) assert.deepEqual((await membersOf(poolId, GroupName)).items.map((u) => u.Username), ['grace']);
      // A new user of the same name inherits nothing.
      await createUsers(poolId, ['frank']);
      assert.deepEqual((await groupsOf(poolId, 'frank')).items, []);
    });

    it('a membership added while its user or group is deleted is not inherited by a namesake', async () => {
      const poolId = await createPool();
      let inherited = 0;
      for (let i = 0; i < 15; i++) {
        const [user, group] = [`racer-${i}`, `race-${i}`];
        await createUsers(poolId, [user]);
        await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
        await Promise.allSettled([
          idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: user, GroupName: group })),
          i % 2
            ? idp.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: user }))
            : idp.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: group })),
        ]);
        // Recreate whichever was deleted: it must start with no memberships.
        if (i % 2) {
          await createUsers(poolId, [user]);
          if ((await groupsOf(poolId, user)).items.length > 0) inherited++;
        } else {
          await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: group }));
          if ((await membersOf(poolId, group)).items.length > 0) inherited++;
        }
      }
      assert.equal(inherited, 0, 'memberships inherited from a deleted namesake');
    });

    it('deleting the pool deletes its users, groups and memberships', async () => {
      const poolId = await createPool();
      await createUsers(poolId, ['henry', 'iris']);
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'all' }));
      for (const Username of ['henry', 'iris']) await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username, GroupName: 'all' }));
      const survivor = await createPool();
      await createUsers(survivor, ['henry']);
      await idp.send(new CreateGroupCommand({ UserPoolId: survivor, GroupName: 'all' }));
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: survivor, Username: 'henry', GroupName: 'all' }));

      await idp.send(new DeleteUserPoolCommand({ UserPoolId: poolId }));
      const repos = server.gatehouse.services.repos;
      assert.equal(await repos.users.count(poolId), 0);
      assert.equal(await repos.groups.count(poolId), 0);
      assert.deepEqual(await repos.groups.membersOf(poolId, 'all', 10), []);
      assert.deepEqual(await repos.groups.groupsOf(poolId, 'henry', 10), []);
      await rejects(idp.send(new ListGroupsCommand({ UserPoolId: poolId })), 'ResourceNotFoundException');

      // The other pool keeps what is its own.
      assert.equal(await repos.users.count(survivor), 1);
      assert.deepEqual((await membersOf(survivor, 'all')).items.map((u) => u.Username), ['henry']);
    });
  });
}
