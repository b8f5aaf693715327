import type { UpdateUserPoolClientRequest, UpdateUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { toUserPoolClientType, updateClient } from '../app-clients.js';

export async function updateUserPoolClient(ctx: RequestContext, input: UpdateUserPoolClientRequest): Promise<UpdateUserPoolClientResponse> {
  return { UserPoolClient: toUserPoolClientType(ctx, await updateClient(ctx, input)) };
}
