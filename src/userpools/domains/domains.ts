import type { DomainDescriptionType } from '@aws-sdk/client-cognito-identity-provider';
import { HOST_NAME, type Config } from '../../config.js';
import type { ServiceContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { DomainKind, StoredDomain } from '../../storage/domains-repository.js';

/**
 * The model's DomainType pattern. The protocol layer cannot apply it, because the same member carries
 * custom domains (`auth.example.com`); Cognito checks it itself, for prefix domains only, with this message.
 */
const PREFIX_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Cognito refuses prefixes that could pass for AWS's own ("Domain cannot contain reserved word: aws"). */
const RESERVED_WORDS = ['aws', 'amazon', 'cognito'];
/** 1 is the classic hosted UI, 2 managed login. */
const MANAGED_LOGIN_VERSIONS = new Set([1, 2]);
/** Cognito serves custom domains through CloudFront, which takes certificates from ACM only. */
const ACM_CERTIFICATE_ARN = /^arn:[\w-]+:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;

export const NO_SUCH_DOMAIN = 'No such domain or user pool exists.';

/**
 * A custom domain is one that comes with a certificate; everything else must be a prefix. A custom domain
 * cannot be a name where a prefix domain is served (`<prefix>.<hostedUiDomain>`): the prefix would win it.
 */
export function domainKind(config: Config, domain: string, certificateArn: string | undefined): DomainKind {
  if (certificateArn !== undefined) {
    if (!HOST_NAME.test(domain)) {
      throw new InvalidParameterException(`A custom domain must be a fully qualified domain name in lower case, such as auth.example.com: ${domain}`);
    }
    const atHost = domainAtHost(config, domain);
    if (atHost.kind === 'prefix') {
      throw new InvalidParameterException(`${domain} is where the prefix domain ${atHost.domain} is served; a custom domain cannot be under ${config.hostedUiDomain}.`);
    }
    checkCertificateArn(certificateArn);
    return 'custom';
  }
  if (domain.includes('.')) {
    throw new InvalidParameterException(`${domain} is a custom domain: it needs CustomDomainConfig with the CertificateArn of its certificate.`);
  }
  if (!PREFIX_PATTERN.test(domain)) {
    throw new InvalidParameterException(
      `The domain name contains an invalid character. Domain names can only contain lower-case letters, numbers, and hyphens. Please enter a different name that follows this format: ${PREFIX_PATTERN.source}`,
    );
  }
  const reserved = RESERVED_WORDS.find((word) => domain.includes(word));
  if (reserved) throw new InvalidParameterException(`Domain cannot contain reserved word: ${reserved}`);
  return 'prefix';
}

export function checkCertificateArn(arn: string): void {
  if (!ACM_CERTIFICATE_ARN.test(arn)) throw new InvalidParameterException(`The certificate must be an ACM certificate: ${arn}`);
}

export function checkManagedLoginVersion(version: number | undefined): void {
  if (version !== undefined && !MANAGED_LOGIN_VERSIONS.has(version)) {
    throw new InvalidParameterException(`ManagedLoginVersion must be 1 (classic hosted UI) or 2 (managed login), not ${version}.`);
  }
}

/**
 * The domain a request's host names: a prefix domain as `<prefix>.<hostedUiDomain>` (Cognito's
 * `<prefix>.auth.<region>.amazoncognito.com`), when a hosted UI domain is configured; otherwise the host
 * itself, as a custom domain.
 */
export function domainAtHost(config: Config, host: string): { domain: string; kind: DomainKind } {
  const base = config.hostedUiDomain;
  if (base !== undefined && host.endsWith(`.${base}`)) {
    const prefix = host.slice(0, -(base.length + 1));
    if (PREFIX_PATTERN.test(prefix)) return { domain: prefix, kind: 'prefix' };
  }
  return { domain: host, kind: 'custom' };
}

/**
 * Where a domain's DNS name should point: in Cognito a CloudFront distribution, here the host Gatehouse
 * is reached at (its public URL's host). A CNAME names a host, so no port.
 */
export function servingHost(ctx: ServiceContext): string {
  return new URL(ctx.publicUrl()).hostname;
}

/**
 * CreateUserPoolDomain's and UpdateUserPoolDomain's CloudFrontDomain: the alias target of a custom domain.
 * Cognito answers none for a prefix domain, whose DNS name it owns.
 */
export function cloudFrontDomainOf(ctx: ServiceContext, kind: DomainKind): { CloudFrontDomain?: string } {
  return kind === 'custom' ? { CloudFrontDomain: servingHost(ctx) } : {};
}

/** Cognito's domain and CSS versions are timestamps, `yyyyMMddHHmmss` in UTC. */
export function versionOf(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

export function toDomainDescription(ctx: ServiceContext, domain: StoredDomain): DomainDescriptionType {
  return {
    UserPoolId: domain.poolId,
    AWSAccountId: ctx.config.accountId,
    Domain: domain.domain,
    CloudFrontDistribution: servingHost(ctx),
    Version: versionOf(domain.updatedAt),
    Status: 'ACTIVE',
    // A prefix domain has an empty CustomDomainConfig in Cognito's answer, not none.
    CustomDomainConfig: (domain.certificateArn !== undefined ? { CertificateArn: domain.certificateArn } : {}) as DomainDescriptionType['CustomDomainConfig'],
    ManagedLoginVersion: domain.managedLoginVersion,
  };
}
