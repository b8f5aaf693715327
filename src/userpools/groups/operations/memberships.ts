import type {
  AdminAddUserToGroupRequest,
  AdminListGroupsForUserRequest,
  AdminListGroupsForUserResponse,
  AdminRemoveUserFromGroupRequest,
  ListUsersInGroupRequest,
  ListUsersInGroupResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { LimitExceededException, ResourceNotFoundException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import type { StoredUser } from '../../../storage/users-repository.js';
import { UserNotFoundException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { requireUser } from '../../users/sign-in-names.js';
import { toUserType } from '../../users/users.js';
import { requireGroup, toGroupType } from '../groups.js';

const MAX_GROUPS_PER_USER = 100;

export async function adminAddUserToGroup(ctx: RequestContext, input: AdminAddUserToGroupRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await requireGroup(ctx, pool.id, input.GroupName!);
  if ((await ctx.repos.groups.countForUser(pool.id, user.usernameKey)) >= MAX_GROUPS_PER_USER) {
    throw new LimitExceededException(`A user can be in at most ${MAX_GROUPS_PER_USER} groups.`);
  }
  // Either may have been deleted since it was read; the membership is then not added.
  const missing = await ctx.repos.groups.addMember(pool.id, input.GroupName!, user.usernameKey);
  if (missing === 'user') throw new UserNotFoundException('User does not exist.');
  if (missing === 'group') throw new ResourceNotFoundException('Group not found.');
  return {};
}

export async function adminRemoveUserFromGroup(ctx: RequestContext, input: AdminRemoveUserFromGroupRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await requireGroup(ctx, pool.id, input.GroupName!);
  await ctx.repos.groups.removeMember(pool.id, input.GroupName!, user.usernameKey);
  return {};
}

export async function adminListGroupsForUser(ctx: RequestContext, input: AdminListGroupsForUserRequest): Promise<AdminListGroupsForUserResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  const limit = input.Limit || 60;
  const listing = `AdminListGroupsForUser:${pool.id}:${user.usernameKey}`;
  const rows = await ctx.repos.groups.groupsOf(pool.id, user.usernameKey, limit + 1, decodeNextToken(listing, input.NextToken, ctx.requestId));
  const { items, nextToken } = page(rows, limit, (g) => g.groupName, listing);
  return { Groups: items.map(toGroupType), ...(nextToken && { NextToken: nextToken }) };
}

export async function listUsersInGroup(ctx: RequestContext, input: ListUsersInGroupRequest): Promise<ListUsersInGroupResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  await requireGroup(ctx, pool.id, input.GroupName!);
  const limit = input.Limit || 60;
  const listing = `ListUsersInGroup:${pool.id}:${input.GroupName}`;
  const keys = await ctx.repos.groups.membersOf(pool.id, input.GroupName!, limit + 1, decodeNextToken(listing, input.NextToken, ctx.requestId));
  const { items, nextToken } = page(keys, limit, (k) => k, listing);
  const users = (await Promise.all(items.map((key) => ctx.repos.users.get(pool.id, key)))).filter((u): u is StoredUser => u !== undefined);
  return { Users: users.map((u) => toUserType(u)), ...(nextToken && { NextToken: nextToken }) };
}
