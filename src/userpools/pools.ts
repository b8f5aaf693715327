import type { CreateUserPoolRequest, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext, ServiceContext } from '../context.js';
import { ResourceNotFoundException } from '../protocol/errors.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import type { StoredDomain } from '../storage/domains-repository.js';
import { DuplicateKeyError } from '../storage/conflicts.js';
import { newUserPoolId } from './ids.js';
import { buildSchema } from './pool-schema.js';
import { checkSettings, settableSettings, userPoolArn } from './user-pool-settings.js';
import { requireMfaFactor } from './mfa/factors.js';

export async function requirePool(ctx: ServiceContext, poolId: string): Promise<StoredUserPool> {
  return found(poolId, await ctx.repos.userPools.get(poolId));
}

/** The pool and its domains, read together. */
export async function requirePoolWithDomains(ctx: ServiceContext, poolId: string): Promise<{ pool: StoredUserPool; domains: StoredDomain[] }> {
  return found(poolId, await ctx.repos.userPools.getWithDomains(poolId));
}

function found<T>(poolId: string, value: T | undefined): T {
  if (!value) throw new ResourceNotFoundException(`User pool ${poolId} does not exist.`);
  return value;
}

/** The pool as DescribeUserPool and CreateUserPool answer with it; `domains` are its user pool domains. */
export function toUserPoolType(ctx: ServiceContext, pool: StoredUserPool, estimatedNumberOfUsers = 0, domains: readonly StoredDomain[] = []): UserPoolType {
  const prefix = domains.find((d) => d.kind === 'prefix');
  const custom = domains.find((d) => d.kind === 'custom');
  return {
    Id: pool.id,
    Name: pool.name,
    ...pool.settings.userPool,
    ...(prefix && { Domain: prefix.domain }),
    ...(custom && { CustomDomain: custom.domain }),
    LastModifiedDate: pool.updatedAt,
    CreationDate: pool.createdAt,
    EstimatedNumberOfUsers: estimatedNumberOfUsers,
    Arn: userPoolArn(pool.region, ctx.config.accountId, pool.id),
  };
}

/**
 * Creates a pool in the caller's region. `fixedId` is for declared pools, which keep their id across
 * restarts; API callers always get a fresh one.
 */
export async function createPool(ctx: RequestContext, input: CreateUserPoolRequest, fixedId?: string): Promise<StoredUserPool> {
  checkSettings(input);
  const now = ctx.now();
  const { PoolName, Schema, AliasAttributes, UsernameAttributes, UsernameConfiguration, ...settable } = input;
  const userPool = {
    ...settableSettings(settable),
    SchemaAttributes: buildSchema(Schema),
    ...(AliasAttributes && { AliasAttributes }),
    ...(UsernameAttributes && { UsernameAttributes }),
    ...(UsernameConfiguration && { UsernameConfiguration }),
  };
  requireMfaFactor({ settings: { userPool, mfa: {} } }, 'pool');
  for (let attempt = 0; ; attempt++) {
    const pool: StoredUserPool = {
      id: fixedId ?? newUserPoolId(ctx.randomBytes, ctx.region),
      region: fixedId ? fixedId.split('_')[0] : ctx.region,
      name: PoolName!,
      settings: { userPool, mfa: {} },
      createdAt: now,
      updatedAt: now,
    };
    try {
      await ctx.repos.userPools.insert(pool);
      // The pool's token-signing key is made with it, so the first sign-in does not wait for RSA key generation.
      await ctx.keys.rotate(pool.id);
      return pool;
    } catch (error) {
      // A random id that collides (one in 62^9) is simply drawn again.
      if (!(error instanceof DuplicateKeyError) || fixedId || attempt > 3) throw error;
    }
  }
}
