import type { AdminInitiateAuthRequest, AdminInitiateAuthResponse, InitiateAuthRequest, InitiateAuthResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { ResourceNotFoundException } from '../../../protocol/errors.js';
import { findClient } from '../../client-requests.js';
import { requirePool } from '../../pools.js';
import { tokensForCompleted } from '../sign-in-outcome.js';
import { startSignIn } from '../start-sign-in.js';

/** The unsigned sign-in a browser or app starts: SRP, password, custom, choice-based, or refresh. */
export async function initiateAuth(ctx: RequestContext, input: InitiateAuthRequest): Promise<InitiateAuthResponse> {
  const { pool, client, ctx: poolCtx } = await findClient(ctx, input.ClientId!);
  return tokensForCompleted(poolCtx, pool, client, await startSignIn(poolCtx, pool, client, input.AuthFlow!, input.AuthParameters ?? {}, false, input.Session, input.ClientMetadata));
}

/** The signed, server-side sign-in, which may send the password itself (ADMIN_USER_PASSWORD_AUTH). */
export async function adminInitiateAuth(ctx: RequestContext, input: AdminInitiateAuthRequest): Promise<AdminInitiateAuthResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const client = await ctx.repos.appClients.get(pool.id, input.ClientId!);
  if (!client) throw new ResourceNotFoundException(`User pool client ${input.ClientId} does not exist.`);
  return tokensForCompleted(ctx, pool, client, await startSignIn(ctx, pool, client, input.AuthFlow!, input.AuthParameters ?? {}, true, input.Session, input.ClientMetadata));
}
