import type {
  ListTagsForResourceInput,
  ListTagsForResourceResponse,
  TagResourceInput,
  UntagResourceInput,
} from '@aws-sdk/client-cognito-identity';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, ResourceNotFoundException } from '../../protocol/errors.js';
import { identityPoolIdFromArn } from '../identity-pool-settings.js';
import { requireIdentityPool } from '../identity-pools.js';

const MAX_TAGS = 50;

function poolIdOf(arn: string): string {
  const poolId = identityPoolIdFromArn(arn);
  if (!poolId) throw new InvalidParameterException(`${arn} is not an identity pool ARN.`);
  return poolId;
}

async function changeTags(ctx: RequestContext, arn: string, edit: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const poolId = poolIdOf(arn);
  const updated = await ctx.repos.identityPools.update(poolId, ctx.now(), (pool) => {
    const tags = edit({ ...pool.settings.pool.IdentityPoolTags });
    if (Object.keys(tags).length > MAX_TAGS) throw new InvalidParameterException(`An identity pool can have at most ${MAX_TAGS} tags.`);
    return { ...pool, settings: { ...pool.settings, pool: { ...pool.settings.pool, IdentityPoolTags: tags } } };
  });
  if (!updated) throw new ResourceNotFoundException(`IdentityPool '${poolId}' not found.`);
}

export async function tagIdentityPool(ctx: RequestContext, input: TagResourceInput): Promise<Record<string, never>> {
  await changeTags(ctx, input.ResourceArn!, (tags) => ({ ...tags, ...input.Tags }));
  return {};
}

export async function untagIdentityPool(ctx: RequestContext, input: UntagResourceInput): Promise<Record<string, never>> {
  await changeTags(ctx, input.ResourceArn!, (tags) => {
    for (const key of input.TagKeys!) delete tags[key];
    return tags;
  });
  return {};
}

export async function listIdentityPoolTags(ctx: RequestContext, input: ListTagsForResourceInput): Promise<ListTagsForResourceResponse> {
  const pool = await requireIdentityPool(ctx, poolIdOf(input.ResourceArn!));
  return { Tags: pool.settings.pool.IdentityPoolTags ?? {} };
}
