import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
  type InvalidParameterException,
  type ListUsersRequest,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { rejects } from './helpers/assertions.js';
const USERS = 25;

const pad = (i: number) => String(i).padStart(2, '0');
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const usernames = (indexes: number[]) => indexes.map((i) => `user-${pad(i)}`).sort();

/**
 * The directory every test reads: user-00 … user-24 with attributes derived from the index. Every third
 * user is CONFIRMED (the others FORCE_CHANGE_PASSWORD) and every fifth is disabled.
 */
function attributesOf(i: number) {
  return [
    { Name: 'email', Value: `user${i}@${i % 2 ? 'odd' : 'even'}.example.com` },
    { Name: 'phone_number', Value: `+1555000${String(i).padStart(4, '0')}` },
    { Name: 'name', Value: `Person ${i}` },
    { Name: 'given_name', Value: i % 2 ? 'Ann' : 'Bob' },
    { Name: 'family_name', Value: i < 10 ? 'Smith' : 'Smithson' },
    { Name: 'preferred_username', Value: `pref-${i}` },
  ];
}
const CONFIRMED = range(0, USERS - 1).filter((i) => i % 3 === 0);
const DISABLED = range(0, USERS - 1).filter((i) => i % 5 === 0);

for (const store of STORES) {
  describe(`ListUsers (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    const subs = new Map<string, string>();

    async function createPool(settings: Record<string, unknown> = {}): Promise<string> {
      return (await idp.send(new CreateUserPoolCommand({ PoolName: 'list-users', ...settings }))).UserPool!.Id!;
    }

    /** Every page of a listing: the users in order, and how many pages it took. */
    async function listAll(request: Omit<ListUsersRequest, 'PaginationToken'>): Promise<{ users: UserType[]; pages: number }> {
      const users: UserType[] = [];
      let PaginationToken: string | undefined;
      let pages = 0;
      do {
        const page = await idp.send(new ListUsersCommand({ ...request, PaginationToken }));
        if (request.Limit) assert.ok(page.Users!.length <= request.Limit, 'no page is longer than the limit');
        users.push(...page.Users!);
        PaginationToken = page.PaginationToken;
        pages++;
        assert.ok(pages <= 100, 'the listing ends');
      } while (PaginationToken);
      return { users, pages };
    }

    async function filtered(Filter: string, UserPoolId = poolId): Promise<string[]> {
      const { users } = await listAll({ UserPoolId, Filter });
      return users.map((u) => u.Username!).sort();
    }

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      poolId = await createPool();
      await Promise.all(
        range(0, USERS - 1).map(async (i) => {
          const Username = `user-${pad(i)}`;
          const { User } = await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, UserAttributes: attributesOf(i), MessageAction: 'SUPPRESS' }));
          subs.set(Username, User!.Attributes!.find((a) => a.Name === 'sub')!.Value!);
          if (CONFIRMED.includes(i)) {
            await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: 'Permanent-Pass-1!', Permanent: true }));
          }
          if (DISABLED.includes(i)) await idp.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username }));
        }),
      );
    });
    after(() => server?.close());

    it('filters username with = and ^=', async () => {
      assert.deepEqual(await filtered('username = "user-07"'), ['user-07']);
      assert.deepEqual(await filtered('username ^= "user-1"'), usernames(range(10, 19)));
      assert.deepEqual(await filtered('username = "USER-07"'), [], 'usernames are case sensitive in this pool');
      assert.deepEqual(await filtered('username = "user-7"'), []);
    });

    it('filters email, phone_number and the name attributes with = and ^=', async () => {
      assert.deepEqual(await filtered('email = "user7@odd.example.com"'), ['user-07']);
      assert.deepEqual(await filtered('email ^= "user1"'), usernames([1, ...range(10, 19)]));
      assert.deepEqual(await filtered('phone_number = "+15550000007"'), ['user-07']);
      assert.deepEqual(await filtered('phone_number ^= "+1555000001"'), usernames(range(10, 19)));
      assert.deepEqual(await filtered('name = "Person 7"'), ['user-07']);
      assert.deepEqual(await filtered('name ^= "Person 2"'), usernames([2, ...range(20, 24)]));
      assert.deepEqual(await filtered('given_name = "Ann"'), usernames(range(0, USERS - 1).filter((i) => i % 2)));
      assert.deepEqual(await filtered('given_name ^= "B"'), usernames(range(0, USERS - 1).filter((i) => i % 2 === 0)));
      assert.deepEqual(await filtered('family_name = "Smith"'), usernames(range(0, 9)));
      assert.deepEqual(await filtered('family_name ^= "Smith"'), usernames(range(0, USERS - 1)));
      assert.deepEqual(await filtered('preferred_username = "pref-3"'), ['user-03']);
      assert.deepEqual(await filtered('preferred_username ^= "pref-2"'), usernames([2, ...range(20, 24)]));
      assert.deepEqual(await filtered('email = "nobody@example.com"'), []);
    });

    it('filters cognito:user_status (any case), status (Enabled/Disabled) and sub', async () => {
      const forced = range(0, USERS - 1).filter((i) => !CONFIRMED.includes(i));
      assert.deepEqual(await filtered('cognito:user_status = "CONFIRMED"'), usernames(CONFIRMED));
      assert.deepEqual(await filtered('cognito:user_status = "confirmed"'), usernames(CONFIRMED));
      assert.deepEqual(await filtered('cognito:user_status = "Force_Change_Password"'), usernames(forced));
      assert.deepEqual(await filtered('cognito:user_status ^= "conf"'), usernames(CONFIRMED));
      assert.deepEqual(await filtered('status = "Enabled"'), usernames(range(0, USERS - 1).filter((i) => !DISABLED.includes(i))));
      assert.deepEqual(await filtered('status = "Disabled"'), usernames(DISABLED));
      assert.deepEqual(await filtered(`sub = "${subs.get('user-07')}"`), ['user-07']);
      assert.deepEqual(await filtered('sub = "00000000-0000-4000-8000-000000000000"'), []);
      // Spaces around the operator are optional.
      assert.deepEqual(await filtered('username="user-07"'), ['user-07']);
    });

    it('refuses what is not the filter language', async () => {
      for (const Filter of [
        'email ~ "x"',
        'email = x',
        'email = "x',
        'email == "x"',
        'favourite_colour = "blue"',
        'custom:tenant = "acme"',
        'email = "a" and name = "b"',
        // Names of Object.prototype's members, which a plain lookup table would find.
        'constructor = "x"',
        'toString ^= "x"',
        '__proto__ = "x"',
      ]) {
        await rejects(idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter })), 'InvalidParameterException').catch((error: Error) =>
          assert.fail(`${Filter}: ${error.message}`),
        );
      }
    });

    it('reads backslash-escaped quotes in values', async () => {
      const quoted = await createPool();
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: quoted, Username: 'jj', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'name', Value: 'Jon "JJ" Smith' }] }),
      );
      assert.deepEqual(await filtered('name = "Jon \\"JJ\\" Smith"', quoted), ['jj']);
      assert.deepEqual(await filtered('name ^= "Jon \\"J"', quoted), ['jj']);
    });

    it('matches usernames in any case in a case-insensitive pool', async () => {
      const insensitive = await createPool({ UsernameConfiguration: { CaseSensitive: false } });
      await idp.send(new AdminCreateUserCommand({ UserPoolId: insensitive, Username: 'Alice', MessageAction: 'SUPPRESS' }));
      assert.equal((await filtered('username = "ALICE"', insensitive)).length, 1);
      assert.equal((await filtered('username ^= "AL"', insensitive)).length, 1);
    });

    it('Limit and PaginationToken walk every matching user exactly once', async () => {
      const walks: [Omit<ListUsersRequest, 'UserPoolId'>, number[], number][] = [
        [{ Limit: 7 }, range(0, USERS - 1), 4],
        [{ Limit: 5, Filter: 'given_name = "Ann"' }, range(0, USERS - 1).filter((i) => i % 2), 3],
        [{ Limit: 4, Filter: 'email ^= "user"' }, range(0, USERS - 1), 7],
        [{ Limit: 4, Filter: 'cognito:user_status = "FORCE_CHANGE_PASSWORD"' }, range(0, USERS - 1).filter((i) => !CONFIRMED.includes(i)), 4],
        [{ Limit: 6, Filter: 'status = "Enabled"' }, range(0, USERS - 1).filter((i) => !DISABLED.includes(i)), 4],
        // As many matches as the limit: one page, and no token for an empty one after it.
        [{ Limit: 5, Filter: 'status = "Disabled"' }, DISABLED, 1],
        [{ Limit: 1, Filter: 'family_name ^= "Smith"' }, range(0, USERS - 1), USERS],
      ];
      for (const [request, expected, pages] of walks) {
        const walk = await listAll({ UserPoolId: poolId, ...request });
        const names = walk.users.map((u) => u.Username!);
        assert.equal(new Set(names).size, names.length, `${JSON.stringify(request)}: no user twice`);
        assert.deepEqual(names.sort(), usernames(expected), `${JSON.stringify(request)}: every user`);
        assert.equal(walk.pages, pages, `${JSON.stringify(request)}: pages`);
      }
      const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId }));
      assert.equal(Users!.length, USERS, 'without a limit a page holds up to 60 users');
      await rejects(idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 61 })), 'InvalidParameterException', /limit/);
    });

    it('refuses a PaginationToken from another filter, another pool, or none at all', async () => {
      const first = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, Filter: 'given_name = "Ann"' }));
      assert.ok(first.PaginationToken);
      const token = first.PaginationToken;
      await rejects(idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, Filter: 'given_name = "Bob"', PaginationToken: token })), 'InvalidParameterException');
      await rejects(idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, PaginationToken: token })), 'InvalidParameterException');
      const other = await createPool();
      await rejects(
        idp.send(new ListUsersCommand({ UserPoolId: other, Limit: 2, Filter: 'given_name = "Ann"', PaginationToken: token })),
        'InvalidParameterException',
      );
      // In Cognito's words: the marker as sent, and the request's id (the response's x-amzn-RequestId).
      await assert.rejects(idp.send(new ListUsersCommand({ UserPoolId: poolId, PaginationToken: 'not-a-token' })), (error: InvalidParameterException) => {
        assert.equal(error.name, 'InvalidParameterException');
        assert.ok(error.$metadata.requestId);
        assert.equal(error.message, `Paging marker not-a-token is invalid for request ${error.$metadata.requestId}`);
        return true;
      });
      // A token rebuilt by hand with a cursor that is not one is refused too, not a server error.
      const [listing] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as [string, string];
      for (const cursor of ['not json', '{"a":1}', '[1]']) {
        const forged = Buffer.from(JSON.stringify([listing, cursor])).toString('base64url');
        await rejects(
          idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, Filter: 'given_name = "Ann"', PaginationToken: forged })),
          'InvalidParameterException',
          new RegExp(`^Paging marker ${forged} is invalid for request `),
        );
      }
      const second = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2, Filter: 'given_name = "Ann"', PaginationToken: token }));
      assert.equal(second.Users!.length, 2);
      await rejects(idp.send(new ListUsersCommand({ UserPoolId: 'us-east-1_missing00' })), 'ResourceNotFoundException');
    });

    it('AttributesToGet limits the attributes returned', async () => {
      const { Users } = await idp.send(new ListUsersCommand({ UserPoolId: poolId, AttributesToGet: ['email'], Filter: 'username ^= "user-0"' }));
      assert.equal(Users!.length, 10);
      for (const user of Users!) {
        const i = Number(user.Username!.slice(5));
        assert.deepEqual(user.Attributes, [{ Name: 'email', Value: attributesOf(i)[0].Value }]);
        assert.ok(user.UserStatus && user.Enabled !== undefined && user.UserCreateDate, 'the user fields are all there');
      }
      const two = await idp.send(new ListUsersCommand({ UserPoolId: poolId, AttributesToGet: ['given_name', 'sub'], Filter: 'username = "user-07"' }));
      assert.deepEqual(two.Users![0].Attributes!.map((a) => a.Name).sort(), ['given_name', 'sub']);
      const all = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username = "user-07"' }));
      assert.deepEqual(
        all.Users![0].Attributes!.map((a) => a.Name).sort(),
        ['email', 'family_name', 'given_name', 'name', 'phone_number', 'preferred_username', 'sub'],
      );
    });

    it('DescribeUserPool counts the users in EstimatedNumberOfUsers', async () => {
      const estimate = async (UserPoolId: string) => (await idp.send(new DescribeUserPoolCommand({ UserPoolId }))).UserPool!.EstimatedNumberOfUsers;
      assert.equal(await estimate(poolId), USERS);
      const counted = await createPool();
      assert.equal(await estimate(counted), 0);
      for (const Username of ['a', 'b', 'c']) await idp.send(new AdminCreateUserCommand({ UserPoolId: counted, Username, MessageAction: 'SUPPRESS' }));
      assert.equal(await estimate(counted), 3);
      await idp.send(new AdminDeleteUserCommand({ UserPoolId: counted, Username: 'b' }));
      assert.equal(await estimate(counted), 2);
    });
  });
}
