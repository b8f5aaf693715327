import type { ServiceContext } from '../../context.js';
import { NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredUser } from '../../storage/users-repository.js';

/** Cognito locks an account temporarily after five consecutive failed sign-ins. */
const FREE_FAILURES = 5;
/** The first lock lasts a second and each further failure doubles it, up to fifteen minutes. */
const FIRST_LOCK_MS = 1000;
const LONGEST_LOCK_MS = 15 * 60_000;

export function refuseIfLocked(ctx: ServiceContext, user: StoredUser): void {
  if (user.lockedUntil && user.lockedUntil.getTime() > ctx.now().getTime()) throw new NotAuthorizedException('Password attempts exceeded');
}

export async function recordFailedSignIn(ctx: ServiceContext, user: StoredUser): Promise<void> {
  await ctx.repos.users.update(user.poolId, user.usernameKey, ctx.now(), (u) => {
    const failures = (u.failedSignIns ?? 0) + 1;
    const lockMs = failures >= FREE_FAILURES ? Math.min(FIRST_LOCK_MS * 2 ** (failures - FREE_FAILURES), LONGEST_LOCK_MS) : 0;
    return { ...u, failedSignIns: failures, ...(lockMs > 0 && { lockedUntil: new Date(ctx.now().getTime() + lockMs) }) };
  });
}

export async function recordSuccessfulSignIn(ctx: ServiceContext, user: StoredUser): Promise<void> {
  if (!user.failedSignIns && !user.lockedUntil) return;
  await ctx.repos.users.update(user.poolId, user.usernameKey, ctx.now(), (u) => ({ ...u, failedSignIns: 0, lockedUntil: undefined }));
}
