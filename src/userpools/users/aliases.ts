import type { ServiceContext } from '../../context.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { aliasesOf } from './sign-in-names.js';
import { updateUser } from './users.js';

/**
 * ForceAliasCreation: when `user` is about to verify a contact that another user holds as a verified
 * alias, the other user loses the verification (and so the alias), as Cognito does.
 */
export async function releaseAliasIfForced(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, kind: 'email' | 'phone_number'): Promise<void> {
  const wanted = aliasesOf(pool, { attributes: { ...user.attributes, [`${kind}_verified`]: 'true' } }).find((a) => a.kind === kind);
  if (!wanted) return;
  const holder = await ctx.repos.users.findByAlias(pool.id, wanted);
  if (!holder || holder.usernameKey === user.usernameKey) return;
  await updateUser(ctx, pool, holder, (u) => ({ ...u, attributes: { ...u.attributes, [`${kind}_verified`]: 'false' } }));
}
