import type {
  CreateTermsRequest,
  CreateTermsResponse,
  DeleteTermsRequest,
  DescribeTermsByClientRequest,
  DescribeTermsByClientResponse,
  DescribeTermsRequest,
  DescribeTermsResponse,
  ListTermsRequest,
  ListTermsResponse,
  UpdateTermsRequest,
  UpdateTermsResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { InvalidParameterException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import { DuplicateKeyError } from '../../../storage/conflicts.js';
import type { StoredTerms } from '../../../storage/terms-repository.js';
import { requireClient } from '../../app-clients.js';
import { TermsExistsException } from '../../errors.js';
import { requirePool } from '../../pools.js';
import { newUuid } from '../../users/users.js';
import { requireTerms, termsNotFound, toTermsDescription, toTermsType } from '../terms.js';

const MAX_PAGE = 60;

/** Each link is a web page the sign-up page can send a person to: an http or https URL, nothing a browser would run. */
function checkLinks(links: Record<string, string>): Record<string, string> {
  for (const [language, url] of Object.entries(links)) {
    let scheme: string | undefined;
    try {
      scheme = new URL(url).protocol;
    } catch {
      // not a URL: refused below
    }
    if (scheme !== 'https:' && scheme !== 'http:') throw new InvalidParameterException(`The link for ${language} is not an http or https URL.`);
  }
  return links;
}

/** A client has one document of each name: a second is Cognito's TermsExistsException. */
async function written<T>(terms: StoredTerms, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof DuplicateKeyError) throw new TermsExistsException(`App client ${terms.clientId} has ${terms.termsName} terms already.`);
    throw error;
  }
}

export async function createTerms(ctx: RequestContext, input: CreateTermsRequest): Promise<CreateTermsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  await requireClient(ctx, pool.id, input.ClientId!);
  // TermsSource LINK (the only one) is nothing without its links.
  if (!input.Links || Object.keys(input.Links).length === 0) throw new InvalidParameterException('Links are required for terms whose TermsSource is LINK.');
  const now = ctx.now();
  const terms: StoredTerms = {
    poolId: pool.id,
    termsId: newUuid(ctx.randomBytes),
    clientId: input.ClientId!,
    termsName: input.TermsName!,
    termsSource: input.TermsSource!,
    enforcement: input.Enforcement!,
    links: checkLinks(input.Links),
    createdAt: now,
    updatedAt: now,
  };
  await written(terms, ctx.repos.terms.insert(terms));
  return { Terms: toTermsType(terms) };
}

export async function describeTerms(ctx: RequestContext, input: DescribeTermsRequest): Promise<DescribeTermsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { Terms: toTermsType(await requireTerms(ctx, pool.id, input.TermsId!)) };
}

export async function describeTermsByClient(ctx: RequestContext, input: DescribeTermsByClientRequest): Promise<DescribeTermsByClientResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const terms = (await ctx.repos.terms.ofClient(pool.id, input.ClientId!)).find((t) => t.termsName === input.TermsName);
  if (!terms) throw termsNotFound(`${input.TermsName} of app client ${input.ClientId}`);
  return { Terms: toTermsType(terms) };
}

export async function listTerms(ctx: RequestContext, input: ListTermsRequest): Promise<ListTermsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const limit = input.MaxResults ?? MAX_PAGE;
  const listing = `ListTerms:${pool.id}`;
  const rows = await ctx.repos.terms.list(pool.id, { limit: limit + 1, afterId: decodeNextToken(listing, input.NextToken, ctx.requestId) });
  const { items, nextToken } = page(rows, limit, (t) => t.termsId, listing);
  return { Terms: items.map(toTermsDescription), ...(nextToken && { NextToken: nextToken }) };
}

/** Changes what the request gives; the rest stays. */
export async function updateTerms(ctx: RequestContext, input: UpdateTermsRequest): Promise<UpdateTermsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const current = await requireTerms(ctx, pool.id, input.TermsId!);
  const terms: StoredTerms = {
    ...current,
    termsName: input.TermsName ?? current.termsName,
    termsSource: input.TermsSource ?? current.termsSource,
    enforcement: input.Enforcement ?? current.enforcement,
    links: input.Links ? checkLinks(input.Links) : current.links,
    updatedAt: ctx.now(),
  };
  if (!(await written(terms, ctx.repos.terms.replace(terms)))) throw termsNotFound(terms.termsId);
  return { Terms: toTermsType(terms) };
}

export async function deleteTerms(ctx: RequestContext, input: DeleteTermsRequest): Promise<Record<string, never>> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  if (!(await ctx.repos.terms.delete(pool.id, input.TermsId!))) throw termsNotFound(input.TermsId!);
  return {};
}
