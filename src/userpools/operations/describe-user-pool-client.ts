import type { DescribeUserPoolClientRequest, DescribeUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { requireClient, toUserPoolClientType } from '../app-clients.js';
import { requirePool } from '../pools.js';

export async function describeUserPoolClient(ctx: RequestContext, input: DescribeUserPoolClientRequest): Promise<DescribeUserPoolClientResponse> {
  await requirePool(ctx, input.UserPoolId!);
  return { UserPoolClient: toUserPoolClientType(ctx, await requireClient(ctx, input.UserPoolId!, input.ClientId!)) };
}
