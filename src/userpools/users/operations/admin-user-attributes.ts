import type { AdminDeleteUserAttributesRequest, AdminUpdateUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { changeAttributes } from '../attribute-changes.js';
import { applyAttributeDeletes } from '../attributes.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';

/** An administrator's attribute change: any attribute, with the same verification rules as the user's own. */
export async function adminUpdateUserAttributes(ctx: RequestContext, input: AdminUpdateUserAttributesRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await changeAttributes(ctx, pool, user, input.UserAttributes!, { kind: 'admin' }, { clientMetadata: input.ClientMetadata });
  return {};
}

export async function adminDeleteUserAttributes(ctx: RequestContext, input: AdminDeleteUserAttributesRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await updateUser(ctx, pool, user, (u) => ({ ...u, attributes: applyAttributeDeletes(pool, u.attributes, input.UserAttributeNames!, { kind: 'admin' }) }));
  return {};
}
