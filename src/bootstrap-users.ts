import type { DeclaredGroup, DeclaredUser } from './config.js';
import type { RequestContext } from './context.js';
import { InvalidParameterException } from './protocol/errors.js';
import { createGroup, updateGroup } from './userpools/groups/operations/groups.js';
import { requirePool } from './userpools/pools.js';
import { applyAttributeWrites } from './userpools/users/attributes.js';
import { checkPasswordPolicy } from './userpools/users/password-policy.js';
import { newCredentials, verifyPassword, type PasswordCredentials } from './userpools/users/password-store.js';
import { findUser } from './userpools/users/sign-in-names.js';
import { createUser, updateUser } from './userpools/users/users.js';

/** Declared groups: created, or brought up to the declared description, precedence and role. */
export async function applyDeclaredGroups(ctx: RequestContext, poolId: string, groups: DeclaredGroup[]): Promise<void> {
  for (const group of groups) {
    const existing = await ctx.repos.groups.get(poolId, group.GroupName);
    const request = { UserPoolId: poolId, ...group };
    if (!existing) await createGroup(ctx, request);
    else if (existing.description !== group.Description || existing.roleArn !== group.RoleArn || existing.precedence !== group.Precedence) {
      await updateGroup(ctx, request);
    }
  }
}

/**
 * Declared users: created with their password and attributes, or brought up to date. A password is only
 * re-hashed when the stored one no longer matches, so restarts are cheap and change nothing.
 */
export async function applyDeclaredUsers(ctx: RequestContext, poolId: string, users: DeclaredUser[]): Promise<void> {
  const pool = await requirePool(ctx, poolId);
  const policy = pool.settings.userPool.Policies?.PasswordPolicy;
  for (const declared of users) {
    const password = declared.Password ?? declared.TemporaryPassword;
    if (!password) throw new InvalidParameterException(`user ${declared.Username}: a Password or TemporaryPassword is required`);
    checkPasswordPolicy(policy, password);
    const status = declared.Password ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    const attributes = Object.entries(declared.Attributes).map(([Name, Value]) => ({ Name, Value }));
    let user = await findUser(ctx, pool, declared.Username);
    if (!user) {
      user = await createUser(ctx, pool, { name: declared.Username, attributes, status, password: { value: password, temporary: status !== 'CONFIRMED' }, writer: { kind: 'admin' } });
      if (!declared.Enabled) user = await updateUser(ctx, pool, user, (u) => ({ ...u, enabled: false }));
    } else {
      // The declaration is the truth: a password changed since the last start is set back to it.
      const current = user;
      const passwordMatches = await verifyPassword(current.credentials as PasswordCredentials | null, password);
      const merged = applyAttributeWrites(pool, current.attributes, attributes, { kind: 'admin' }, false);
      if (!passwordMatches || current.enabled !== declared.Enabled || JSON.stringify(merged) !== JSON.stringify(current.attributes)) {
        const credentials = passwordMatches
          ? current.credentials
          : await newCredentials(ctx, pool, current.username, password, { temporary: status !== 'CONFIRMED' });
        user = await updateUser(ctx, pool, current, (u) => ({
          ...u,
          attributes: merged,
          credentials,
          enabled: declared.Enabled,
          status: passwordMatches ? u.status : status,
        }));
      }
    }
    for (const groupName of declared.Groups) {
      if (!(await ctx.repos.groups.get(poolId, groupName))) {
        throw new InvalidParameterException(`user ${declared.Username}: group ${groupName} is not declared in this pool`);
      }
      await ctx.repos.groups.addMember(poolId, groupName, user.usernameKey);
    }
  }
}
