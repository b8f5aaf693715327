import type { CreateUserPoolClientRequest, CreateUserPoolClientResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { createClient, toUserPoolClientType } from '../app-clients.js';

export async function createUserPoolClient(ctx: RequestContext, input: CreateUserPoolClientRequest): Promise<CreateUserPoolClientResponse> {
  return { UserPoolClient: toUserPoolClientType(ctx, await createClient(ctx, input)) };
}
