import type {
  GetUICustomizationRequest,
  GetUICustomizationResponse,
  SetUICustomizationRequest,
  SetUICustomizationResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { ALL_CLIENTS } from '../../../storage/ui-customizations-repository.js';
import { requireClient } from '../../app-clients.js';
import { requirePool } from '../../pools.js';
import { checkCss, checkImage, toUICustomizationType, uiCustomizationFor } from '../ui-customization.js';

/**
 * Sets the hosted UI's CSS and logo for the pool (no ClientId, or ALL) or for one app client. The request
 * replaces what was set. As in Cognito, a client once set no longer falls back to the pool's, even when
 * set to neither CSS nor image (the plain hosted UI).
 */
export async function setUICustomization(ctx: RequestContext, input: SetUICustomizationRequest): Promise<SetUICustomizationResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const clientId = input.ClientId ?? ALL_CLIENTS;
  if (clientId !== ALL_CLIENTS) await requireClient(ctx, pool.id, clientId);
  // Cognito's rule: the hosted UI must exist before it can be styled.
  if ((await ctx.repos.domains.findByPool(pool.id)).length === 0) throw new InvalidParameterException('A domain must be associated with this user pool.');
  const image = input.ImageFile && input.ImageFile.length > 0 ? Buffer.from(input.ImageFile) : undefined;
  if (input.CSS !== undefined) checkCss(input.CSS);
  if (image) checkImage(image);
  const now = ctx.now();
  const stored = await ctx.repos.uiCustomizations.put({
    poolId: pool.id,
    clientId,
    ...(input.CSS !== undefined && { css: input.CSS }),
    ...(image && { image }),
    createdAt: now,
    updatedAt: now,
  });
  return { UICustomization: toUICustomizationType(stored) };
}

/** The client's customization, else the pool's (ClientId ALL), else an empty one. */
export async function getUICustomization(ctx: RequestContext, input: GetUICustomizationRequest): Promise<GetUICustomizationResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const clientId = input.ClientId ?? ALL_CLIENTS;
  if (clientId !== ALL_CLIENTS) await requireClient(ctx, pool.id, clientId);
  const customization = await uiCustomizationFor(ctx, pool.id, clientId);
  return { UICustomization: customization ? toUICustomizationType(customization) : { UserPoolId: pool.id, ClientId: clientId } };
}
