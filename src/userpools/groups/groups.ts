import type { GroupType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredGroup } from '../../storage/groups-repository.js';

export function toGroupType(group: StoredGroup): GroupType {
  return {
    GroupName: group.groupName,
    UserPoolId: group.poolId,
    ...(group.description !== undefined && { Description: group.description }),
    ...(group.roleArn !== undefined && { RoleArn: group.roleArn }),
    ...(group.precedence !== undefined && { Precedence: group.precedence }),
    LastModifiedDate: group.updatedAt,
    CreationDate: group.createdAt,
  };
}

export async function requireGroup(ctx: ServiceContext, poolId: string, groupName: string): Promise<StoredGroup> {
  const group = await ctx.repos.groups.get(poolId, groupName);
  if (!group) throw new ResourceNotFoundException('Group not found.');
  return group;
}
