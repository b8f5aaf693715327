import { PostgresAdapter } from 'kysely';
import type { Db } from './database.js';
import { PreparedQuery, PER_USER_READS } from './prepared-query.js';
import type { UserGroupsTable } from './schema.js';
import { rethrowDuplicate } from './conflicts.js';

export interface StoredGroup {
  poolId: string;
  groupName: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
  createdAt: Date;
  updatedAt: Date;
}

function fromRow(row: UserGroupsTable): StoredGroup {
  return {
    poolId: row.pool_id,
    groupName: row.group_name,
    ...(row.description !== null && { description: row.description }),
    ...(row.role_arn !== null && { roleArn: row.role_arn }),
    ...(row.precedence !== null && { precedence: Number(row.precedence) }),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export class GroupsRepository {
  /** The first page of a user's groups: what every token minted for the user reads. */
  private readonly firstGroupsOf: PreparedQuery<UserGroupsTable, [poolId: string, usernameKey: string, limit: number]>;

  constructor(private readonly db: Db) {
    this.firstGroupsOf = new PreparedQuery(db, (poolId: string, usernameKey: string, limit: number) => this.groupsOfQuery(poolId, usernameKey).orderBy('group_members.group_name').limit(limit), { cached: PER_USER_READS });
  }

  private groupsOfQuery(poolId: string, usernameKey: string) {
    return this.db
      .selectFrom('group_members')
      .innerJoin('user_groups', (join) => join.onRef('user_groups.pool_id', '=', 'group_members.pool_id').onRef('user_groups.group_name', '=', 'group_members.group_name'))
      .selectAll('user_groups')
      .where('group_members.pool_id', '=', poolId)
      .where('group_members.username_key', '=', usernameKey);
  }

  async insert(group: StoredGroup): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('user_groups')
        .values({
          pool_id: group.poolId,
          group_name: group.groupName,
          description: group.description ?? null,
          role_arn: group.roleArn ?? null,
          precedence: group.precedence ?? null,
          created_at: group.createdAt.getTime(),
          updated_at: group.updatedAt.getTime(),
        })
        .execute(),
      `group ${group.groupName} exists`,
    );
  }

  async get(poolId: string, groupName: string): Promise<StoredGroup | undefined> {
    const row = await this.db.selectFrom('user_groups').selectAll().where('pool_id', '=', poolId).where('group_name', '=', groupName).executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  /** Sets the given fields; undefined leaves a field, null clears it. */
  async update(
    poolId: string,
    groupName: string,
    now: Date,
    fields: { description?: string | null; roleArn?: string | null; precedence?: number | null },
  ): Promise<StoredGroup | undefined> {
    await this.db
      .updateTable('user_groups')
      .set({
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.roleArn !== undefined && { role_arn: fields.roleArn }),
        ...(fields.precedence !== undefined && { precedence: fields.precedence }),
        updated_at: now.getTime(),
      })
      .where('pool_id', '=', poolId)
      .where('group_name', '=', groupName)
      .execute();
    return this.get(poolId, groupName);
  }

  async delete(poolId: string, groupName: string): Promise<boolean> {
    return this.db.transaction().execute(async (tx) => {
      // The group row goes first, so a concurrent addMember (which locks it) finishes before the members
      // are deleted, and its member is deleted too rather than inherited by a later group of the same name.
      const result = await tx.deleteFrom('user_groups').where('pool_id', '=', poolId).where('group_name', '=', groupName).executeTakeFirst();
      await tx.deleteFrom('group_members').where('pool_id', '=', poolId).where('group_name', '=', groupName).execute();
      return result.numDeletedRows > 0n;
    });
  }

  async list(poolId: string, limit: number, afterName?: string): Promise<StoredGroup[]> {
    let query = this.db.selectFrom('user_groups').selectAll().where('pool_id', '=', poolId);
    if (afterName !== undefined) query = query.where('group_name', '>', afterName);
    return (await query.orderBy('group_name').limit(limit).execute()).map(fromRow);
  }

  async count(poolId: string): Promise<number> {
    const row = await this.db
      .selectFrom('user_groups')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async countForUser(poolId: string, usernameKey: string): Promise<number> {
    const row = await this.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Adds a member if the user and the group both still exist, and says which one is missing otherwise.
   * Their rows are key-share locked until the insert commits (PostgreSQL; SQLite runs one transaction at
   * a time), so a concurrent delete of either waits and then deletes the new membership with the rest:
   * none is left for a later user or group of the same name to inherit. Adding a member twice is not an
   * error, as in Cognito.
   */
  async addMember(poolId: string, groupName: string, usernameKey: string): Promise<'user' | 'group' | undefined> {
    const lock = this.db.getExecutor().adapter instanceof PostgresAdapter;
    return this.db.transaction().execute(async (tx) => {
      const user = tx.selectFrom('users').select('username_key').where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
      if (!(await (lock ? user.forKeyShare() : user).executeTakeFirst())) return 'user';
      const group = tx.selectFrom('user_groups').select('group_name').where('pool_id', '=', poolId).where('group_name', '=', groupName);
      if (!(await (lock ? group.forKeyShare() : group).executeTakeFirst())) return 'group';
      await tx
        .insertInto('group_members')
        .values({ pool_id: poolId, group_name: groupName, username_key: usernameKey })
        .onConflict((oc) => oc.doNothing())
        .execute();
      return undefined;
    });
  }

  async removeMember(poolId: string, groupName: string, usernameKey: string): Promise<void> {
    await this.db
      .deleteFrom('group_members')
      .where('pool_id', '=', poolId)
      .where('group_name', '=', groupName)
      .where('username_key', '=', usernameKey)
      .execute();
  }

  /** The user's groups, by name (a page at a time). */
  async groupsOf(poolId: string, usernameKey: string, limit: number, afterName?: string): Promise<StoredGroup[]> {
    if (afterName === undefined) return (await this.firstGroupsOf.all(poolId, usernameKey, limit)).map(fromRow);
    const query = this.groupsOfQuery(poolId, usernameKey).where('group_members.group_name', '>', afterName);
    return (await query.orderBy('group_members.group_name').limit(limit).execute()).map(fromRow);
  }

  /** The group's members' username keys, in order (a page at a time). */
  async membersOf(poolId: string, groupName: string, limit: number, afterKey?: string): Promise<string[]> {
    let query = this.db.selectFrom('group_members').select('username_key').where('pool_id', '=', poolId).where('group_name', '=', groupName);
    if (afterKey !== undefined) query = query.where('username_key', '>', afterKey);
    return (await query.orderBy('username_key').limit(limit).execute()).map((r) => r.username_key);
  }
}
