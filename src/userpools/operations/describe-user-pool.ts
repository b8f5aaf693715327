import type { DescribeUserPoolRequest, DescribeUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { requirePool, toUserPoolType } from '../pools.js';

export async function describeUserPool(ctx: RequestContext, input: DescribeUserPoolRequest): Promise<DescribeUserPoolResponse> {
  // Together: on PostgreSQL the two reads are one round trip's wait, not two.
  const [pool, domains] = await Promise.all([requirePool(ctx, input.UserPoolId!), ctx.repos.domains.findByPool(input.UserPoolId!)]);
  return { UserPool: toUserPoolType(ctx, pool, pool.userCount, domains) };
}
