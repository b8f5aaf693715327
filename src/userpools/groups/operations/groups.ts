import type {
  CreateGroupRequest,
  CreateGroupResponse,
  DeleteGroupRequest,
  GetGroupRequest,
  GetGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  UpdateGroupRequest,
  UpdateGroupResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { LimitExceededException, ResourceNotFoundException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import { DuplicateKeyError } from '../../../storage/conflicts.js';
import { GroupExistsException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { requireGroup, toGroupType } from '../groups.js';

const MAX_GROUPS_PER_POOL = 10_000;

export async function createGroup(ctx: RequestContext, input: CreateGroupRequest): Promise<CreateGroupResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if ((await ctx.repos.groups.count(pool.id)) >= MAX_GROUPS_PER_POOL) {
    throw new LimitExceededException(`A user pool can have at most ${MAX_GROUPS_PER_POOL} groups.`);
  }
  const now = ctx.now();
  const group = {
    poolId: pool.id,
    groupName: input.GroupName!,
    ...(input.Description !== undefined && { description: input.Description }),
    ...(input.RoleArn !== undefined && { roleArn: input.RoleArn }),
    ...(input.Precedence !== undefined && { precedence: input.Precedence }),
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.repos.groups.insert(group);
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new GroupExistsException('A group with the name already exists.');
    throw error;
  }
  return { Group: toGroupType(group) };
}

export async function getGroup(ctx: RequestContext, input: GetGroupRequest): Promise<GetGroupResponse> {
  await requirePool(ctx, input.UserPoolId!);
  return { Group: toGroupType(await requireGroup(ctx, input.UserPoolId!, input.GroupName!)) };
}

/** Only the fields in the request change; the others keep their values. */
export async function updateGroup(ctx: RequestContext, input: UpdateGroupRequest): Promise<UpdateGroupResponse> {
  await requirePool(ctx, input.UserPoolId!);
  await requireGroup(ctx, input.UserPoolId!, input.GroupName!);
  const group = await ctx.repos.groups.update(input.UserPoolId!, input.GroupName!, ctx.now(), {
    description: input.Description,
    roleArn: input.RoleArn,
    precedence: input.Precedence,
  });
  if (!group) throw new ResourceNotFoundException('Group not found.');
  return { Group: toGroupType(group) };
}

export async function deleteGroup(ctx: RequestContext, input: DeleteGroupRequest): Promise<Record<string, never>> {
  await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.groups.delete(input.UserPoolId!, input.GroupName!))) throw new ResourceNotFoundException('Group not found.');
  return {};
}

export async function listGroups(ctx: RequestContext, input: ListGroupsRequest): Promise<ListGroupsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const limit = input.Limit || 60;
  const listing = `ListGroups:${pool.id}`;
  const rows = await ctx.repos.groups.list(pool.id, limit + 1, decodeNextToken(listing, input.NextToken, ctx.requestId));
  const { items, nextToken } = page(rows, limit, (g) => g.groupName, listing);
  return { Groups: items.map(toGroupType), ...(nextToken && { NextToken: nextToken }) };
}
