import type {
  ListTagsForResourceRequest,
  ListTagsForResourceResponse,
  TagResourceRequest,
  UntagResourceRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { poolIdFromArn } from '../user-pool-settings.js';
import { requirePool } from '../pools.js';

const MAX_TAGS = 50;

function poolIdOf(arn: string): string {
  const poolId = poolIdFromArn(arn);
  if (!poolId) throw new InvalidParameterException(`${arn} is not a user pool ARN.`);
  return poolId;
}

async function changeTags(ctx: RequestContext, arn: string, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const poolId = poolIdOf(arn);
  const updated = await ctx.repos.userPools.update(poolId, ctx.now(), (pool: StoredUserPool) => {
    const tags = change({ ...pool.settings.userPool.UserPoolTags });
    if (Object.keys(tags).length > MAX_TAGS) throw new InvalidParameterException(`A user pool can have at most ${MAX_TAGS} tags.`);
    return { ...pool, settings: { ...pool.settings, userPool: { ...pool.settings.userPool, UserPoolTags: tags } } };
  });
  if (!updated) throw new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
}

export async function tagResource(ctx: RequestContext, input: TagResourceRequest): Promise<Record<string, never>> {
  await changeTags(ctx, input.ResourceArn!, (tags) => ({ ...tags, ...input.Tags }));
  return {};
}

export async function untagResource(ctx: RequestContext, input: UntagResourceRequest): Promise<Record<string, never>> {
  await changeTags(ctx, input.ResourceArn!, (tags) => {
    for (const key of input.TagKeys!) delete tags[key];
    return tags;
  });
  return {};
}

export async function listTagsForResource(ctx: RequestContext, input: ListTagsForResourceRequest): Promise<ListTagsForResourceResponse> {
  const pool = await requirePool(ctx, poolIdOf(input.ResourceArn!));
  return { Tags: pool.settings.userPool.UserPoolTags ?? {} };
}
