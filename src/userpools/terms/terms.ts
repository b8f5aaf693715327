import type { TermsDescriptionType, TermsType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../../context.js';
import { ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredTerms } from '../../storage/terms-repository.js';

export const termsNotFound = (what: string): ResourceNotFoundException => new ResourceNotFoundException(`Terms ${what} do not exist.`);

export function toTermsType(terms: StoredTerms): TermsType {
  return {
    TermsId: terms.termsId,
    UserPoolId: terms.poolId,
    ClientId: terms.clientId,
    TermsName: terms.termsName,
    TermsSource: terms.termsSource as TermsType['TermsSource'],
    Enforcement: terms.enforcement as TermsType['Enforcement'],
    Links: terms.links,
    CreationDate: terms.createdAt,
    LastModifiedDate: terms.updatedAt,
  };
}

export function toTermsDescription(terms: StoredTerms): TermsDescriptionType {
  return {
    TermsId: terms.termsId,
    TermsName: terms.termsName,
    Enforcement: terms.enforcement as TermsType['Enforcement'],
    CreationDate: terms.createdAt,
    LastModifiedDate: terms.updatedAt,
  };
}

export async function requireTerms(ctx: ServiceContext, poolId: string, termsId: string): Promise<StoredTerms> {
  const terms = await ctx.repos.terms.get(poolId, termsId);
  if (!terms) throw termsNotFound(termsId);
  return terms;
}

/**
 * The links the hosted sign-up page shows, or none: as Cognito's pages, only once the client has both a
 * terms of use and a privacy policy, each in the page's language (English) or the default.
 */
export async function termsLinksOf(ctx: ServiceContext, poolId: string, clientId: string): Promise<{ termsOfUse: string; privacyPolicy: string } | undefined> {
  const documents = await ctx.repos.terms.ofClient(poolId, clientId);
  const link = (name: string) => {
    const links = documents.find((d) => d.termsName === name)?.links;
    return links?.['cognito:english'] ?? links?.['cognito:default'];
  };
  const termsOfUse = link('terms-of-use');
  const privacyPolicy = link('privacy-policy');
  return termsOfUse && privacyPolicy ? { termsOfUse, privacyPolicy } : undefined;
}
