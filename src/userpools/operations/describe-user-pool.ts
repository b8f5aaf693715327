import type { DescribeUserPoolRequest, DescribeUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { requirePool, toUserPoolType } from '../pools.js';

export async function describeUserPool(ctx: RequestContext, input: DescribeUserPoolRequest): Promise<DescribeUserPoolResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { UserPool: toUserPoolType(ctx, pool, pool.userCount) };
}
