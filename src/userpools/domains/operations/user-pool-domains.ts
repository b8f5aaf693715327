import type {
  CreateUserPoolDomainRequest,
  CreateUserPoolDomainResponse,
  DeleteUserPoolDomainRequest,
  DescribeUserPoolDomainRequest,
  DescribeUserPoolDomainResponse,
  UpdateUserPoolDomainRequest,
  UpdateUserPoolDomainResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { DuplicateKeyError } from '../../../storage/conflicts.js';
import type { StoredDomain } from '../../../storage/domains-repository.js';
import { requirePool } from '../../pools.js';
import { checkCertificateArn, checkManagedLoginVersion, cloudFrontDomainOf, domainKind, NO_SUCH_DOMAIN, toDomainDescription } from '../domains.js';

/**
 * A pool has at most one prefix domain and one custom domain, and a domain belongs to one pool in the whole
 * installation (Cognito: unique in the region; Gatehouse serves every region at one host).
 */
export async function createUserPoolDomain(ctx: RequestContext, input: CreateUserPoolDomainRequest): Promise<CreateUserPoolDomainResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const certificateArn = input.CustomDomainConfig?.CertificateArn;
  const kind = domainKind(ctx.config, input.Domain!, certificateArn);
  checkManagedLoginVersion(input.ManagedLoginVersion);
  const now = ctx.now();
  const domain: StoredDomain = {
    domain: input.Domain!,
    poolId: pool.id,
    kind,
    ...(certificateArn !== undefined && { certificateArn }),
    managedLoginVersion: input.ManagedLoginVersion ?? 1,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await ctx.repos.domains.insert(domain);
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
    // Either key may have been the one taken: the domain (by any pool), or this pool's one domain of the kind.
    if (await ctx.repos.domains.findByDomain(domain.domain)) throw new InvalidParameterException('Domain already associated with another user pool.');
    throw new InvalidParameterException(`User pool already has a ${kind} domain configured.`);
  }
  return { ...cloudFrontDomainOf(ctx, kind), ManagedLoginVersion: domain.managedLoginVersion };
}

/** As in Cognito, a domain nobody has is not an error: the description is empty. */
export async function describeUserPoolDomain(ctx: RequestContext, input: DescribeUserPoolDomainRequest): Promise<DescribeUserPoolDomainResponse> {
  const domain = await ctx.repos.domains.findByDomain(input.Domain!);
  return { DomainDescription: domain ? toDomainDescription(ctx, domain) : {} };
}

/** Changes a custom domain's certificate, or the managed login version; what the request leaves out stays. */
export async function updateUserPoolDomain(ctx: RequestContext, input: UpdateUserPoolDomainRequest): Promise<UpdateUserPoolDomainResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const existing = await ctx.repos.domains.findByDomain(input.Domain!);
  if (!existing || existing.poolId !== pool.id) throw new InvalidParameterException(NO_SUCH_DOMAIN);
  const certificateArn = input.CustomDomainConfig?.CertificateArn;
  if (certificateArn !== undefined) {
    if (existing.kind === 'prefix') throw new InvalidParameterException('CustomDomainConfig applies to custom domains only, not to a prefix domain.');
    checkCertificateArn(certificateArn);
  }
  checkManagedLoginVersion(input.ManagedLoginVersion);
  const updated = await ctx.repos.domains.update(pool.id, existing.domain, ctx.now(), {
    certificateArn,
    managedLoginVersion: input.ManagedLoginVersion,
  });
  if (!updated) throw new InvalidParameterException(NO_SUCH_DOMAIN);
  return { ...cloudFrontDomainOf(ctx, updated.kind), ManagedLoginVersion: updated.managedLoginVersion };
}

export async function deleteUserPoolDomain(ctx: RequestContext, input: DeleteUserPoolDomainRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.domains.delete(pool.id, input.Domain!))) throw new InvalidParameterException(NO_SUCH_DOMAIN);
  return {};
}
