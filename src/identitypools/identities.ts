import type { ServiceContext } from '../context.js';
import { NotAuthorizedException, ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredIdentity } from '../storage/identities-repository.js';
import type { StoredIdentityPool } from '../storage/identity-pools-repository.js';
import { newUuid } from '../userpools/users/users.js';
import { ResourceConflictException } from './errors.js';
import { DEVELOPER_LOGIN_KEY, type VerifiedLogin } from './logins.js';

/** The identity, of the given identity pool when one is named. */
export async function requireIdentity(ctx: ServiceContext, identityId: string, poolId?: string): Promise<StoredIdentity> {
  const identity = await ctx.repos.identities.get(identityId);
  if (!identity || (poolId !== undefined && identity.poolId !== poolId)) throw new ResourceNotFoundException(`Identity '${identityId}' not found.`);
  return identity;
}

async function newIdentity(ctx: ServiceContext, pool: StoredIdentityPool): Promise<string> {
  const identityId = `${pool.region}:${newUuid(ctx.randomBytes)}`;
  await ctx.repos.identities.create(pool.id, identityId, ctx.now());
  return identityId;
}

/**
 * The identity for a set of verified logins, as GetId finds it: the identity they are linked to (linking
 * the ones that are not yet, and merging identities when the logins were linked to different ones), or a
 * new identity. Without logins, a new unauthenticated identity, when the pool allows them.
 *
 * `presented` is the identity the caller presents (GetOpenIdToken, GetCredentialsForIdentity), or only its
 * id (GetOpenIdTokenForDeveloperIdentity's IdentityId). An identity without logins is a guest: when a login
 * is already linked to another identity, the guest is merged into that one and its id is returned instead,
 * as Cognito does when a guest signs in as a known user (the SDKs' "identity changed" event).
 */
export async function resolveIdentity(
  ctx: ServiceContext,
  pool: StoredIdentityPool,
  logins: VerifiedLogin[],
  presented?: StoredIdentity | string,
): Promise<string> {
  const hint = typeof presented === 'string' ? presented : presented?.identityId;
  const guest = typeof presented === 'object' && presented.logins.length === 0;
  // The everyday call: logins already linked to the identity presented. A login is linked to one identity
  // at most, so there is nothing to look up, link or merge.
  if (typeof presented === 'object' && logins.length > 0 && logins.every((login) => isLinkedTo(presented, login))) return presented.identityId;
  if (logins.length === 0) {
    if (!pool.settings.pool.AllowUnauthenticatedIdentities) {
      throw new NotAuthorizedException('Unauthenticated access is not supported for this identity pool.');
    }
    return hint ?? newIdentity(ctx, pool);
  }
  const external = logins.filter((l) => l.provider !== DEVELOPER_LOGIN_KEY);
  const linked = await Promise.all(external.map((l) => ctx.repos.identities.findByLogin(pool.id, l)));
  const known = linked.find((id) => id !== undefined && id !== hint);
  let target = hint ?? logins.find((l) => l.identityId)?.identityId ?? linked.find((id) => id !== undefined);
  if (guest && hint !== undefined && known !== undefined) {
    await ctx.repos.identities.merge(pool.id, hint, known, ctx.now());
    target = known;
  }
  /** Created by this call: nobody else knows it yet, so it may give way to one a concurrent call created. */
  let fresh = false;
  if (target === undefined) {
    target = await newIdentity(ctx, pool);
    fresh = true;
  }
  for (const [index, login] of external.entries()) {
    const current = linked[index];
    if (current === target) continue;
    if (current !== undefined) {
      // The login belongs to another identity of the same user: the two become one.
      await ctx.repos.identities.merge(pool.id, current, target, ctx.now());
      continue;
    }
    const identity = await requireIdentity(ctx, target, pool.id);
    if (identity.logins.some((l) => l.provider === login.provider && l.subject !== login.subject)) {
      throw new ResourceConflictException(`Identity ${target} already has a login for ${login.provider}.`);
    }
    if (!(await ctx.repos.identities.link(pool.id, target, login, ctx.now()))) {
      // Linked by a concurrent call meanwhile: to this identity is fine; to another one, the two merge. An
      // identity this call created gives way (the concurrent call may already have returned the other id).
      const winner = await ctx.repos.identities.findByLogin(pool.id, login);
      if (winner && winner !== target) {
        if (fresh) {
          await ctx.repos.identities.merge(pool.id, target, winner, ctx.now());
          target = winner;
          fresh = false;
        } else {
          await ctx.repos.identities.merge(pool.id, winner, target, ctx.now());
        }
      }
    }
  }
  return target;
}

/** A developer login is the identity's own token, never stored as a link; any other login must be among its links. */
const isLinkedTo = (identity: StoredIdentity, login: VerifiedLogin) =>
  login.provider === DEVELOPER_LOGIN_KEY ? login.identityId === identity.identityId : identity.logins.some((l) => l.provider === login.provider && l.subject === login.subject);

/**
 * An identity with logins must be presented with at least one of them: its id alone proves nothing (ids
 * show in S3 keys and logs), and a login of somebody else would otherwise get its credentials, or be
 * linked to it. A guest (no logins yet) may be presented with any; resolveIdentity then links or merges.
 */
export function checkLoginsMatch(identity: StoredIdentity, logins: VerifiedLogin[]): void {
  for (const login of logins) {
    if (login.identityId && login.identityId !== identity.identityId) {
      throw new NotAuthorizedException('Logins don\'t match. The developer token is for another identity.');
    }
  }
  if (identity.logins.length > 0 && !logins.some((login) => isLinkedTo(identity, login))) {
    throw new NotAuthorizedException('Logins don\'t match. Please include at least one valid login for this identity or identity pool.');
  }
}
