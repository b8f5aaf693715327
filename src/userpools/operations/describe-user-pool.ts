import type { DescribeUserPoolRequest, DescribeUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { requirePoolWithDomains, toUserPoolType } from '../pools.js';

export async function describeUserPool(ctx: RequestContext, input: DescribeUserPoolRequest): Promise<DescribeUserPoolResponse> {
  const { pool, domains } = await requirePoolWithDomains(ctx, input.UserPoolId!);
  return { UserPool: toUserPoolType(ctx, pool, pool.userCount, domains) };
}
