import type { CreateUserPoolRequest, CreateUserPoolResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { createPool, toUserPoolType } from '../pools.js';

export async function createUserPool(ctx: RequestContext, input: CreateUserPoolRequest): Promise<CreateUserPoolResponse> {
  const pool = await createPool(ctx, input);
  return { UserPool: toUserPoolType(ctx, pool) };
}
