import type { AdminDeleteUserAttributesRequest, AdminUpdateUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { requirePool } from '../../pools.js';
import { applyAttributeDeletes, applyAttributeWrites } from '../attributes.js';
import { requireUser } from '../sign-in-names.js';
import { updateUser } from '../users.js';

/**
 * An administrator's attribute change. A changed email or phone number is no longer verified unless the
 * request says it is; verification codes for self-service changes come with UpdateUserAttributes.
 */
export async function adminUpdateUserAttributes(ctx: RequestContext, input: AdminUpdateUserAttributesRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await updateUser(ctx, pool, user, (u) => {
    const attributes = applyAttributeWrites(pool, u.attributes, input.UserAttributes!, { kind: 'admin' }, false);
    for (const contact of ['email', 'phone_number'] as const) {
      const changed = attributes[contact] !== u.attributes[contact];
      const verifiedGiven = input.UserAttributes!.some((a) => a.Name === `${contact}_verified`);
      if (changed && !verifiedGiven) delete attributes[`${contact}_verified`];
    }
    return { ...u, attributes };
  });
  return {};
}

export async function adminDeleteUserAttributes(ctx: RequestContext, input: AdminDeleteUserAttributesRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const user = await requireUser(ctx, pool, input.Username!);
  await updateUser(ctx, pool, user, (u) => ({ ...u, attributes: applyAttributeDeletes(pool, u.attributes, input.UserAttributeNames!, { kind: 'admin' }) }));
  return {};
}
