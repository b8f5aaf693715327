import type {
  AdminRespondToAuthChallengeRequest,
  AdminRespondToAuthChallengeResponse,
  RespondToAuthChallengeRequest,
  RespondToAuthChallengeResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { ResourceNotFoundException } from '../../../protocol/errors.js';
import { findClient } from '../../client-requests.js';
import { requirePool } from '../../pools.js';
import { answerChallenge } from '../answer-challenge.js';
import { tokensForCompleted } from '../sign-in-outcome.js';

export async function respondToAuthChallenge(ctx: RequestContext, input: RespondToAuthChallengeRequest): Promise<RespondToAuthChallengeResponse> {
  const { pool, client, ctx: poolCtx } = await findClient(ctx, input.ClientId!);
  return tokensForCompleted(poolCtx, pool, client, await answerChallenge(poolCtx, pool, client, input.ChallengeName!, input.Session, input.ChallengeResponses ?? {}, input.ClientMetadata));
}

export async function adminRespondToAuthChallenge(
  ctx: RequestContext,
  input: AdminRespondToAuthChallengeRequest,
): Promise<AdminRespondToAuthChallengeResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const client = await ctx.repos.appClients.get(pool.id, input.ClientId!);
  if (!client) throw new ResourceNotFoundException(`User pool client ${input.ClientId} does not exist.`);
  return tokensForCompleted(ctx, pool, client, await answerChallenge(ctx, pool, client, input.ChallengeName!, input.Session, input.ChallengeResponses ?? {}, input.ClientMetadata));
}
