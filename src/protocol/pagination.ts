import { InvalidParameterException } from './errors.js';

/**
 * Opaque pagination tokens: the key of the last item returned, sealed as base64url JSON with the name of
 * the listing, so a token from one listing is refused by another.
 */
export function encodeNextToken(listing: string, lastKey: string): string {
  return Buffer.from(JSON.stringify([listing, lastKey])).toString('base64url');
}

/**
 * A token that no listing of this kind handed out (or that was altered), refused in Cognito's words for
 * it (seen on ListUsers): the marker as sent, and the request it came with.
 */
export const invalidPaginationToken = (token: string, requestId: string) =>
  new InvalidParameterException(`Paging marker ${token} is invalid for request ${requestId}`);

export function decodeNextToken(listing: string, token: string | undefined, requestId: string): string | undefined {
  if (token === undefined) return undefined;
  try {
    const [name, key] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (name === listing && typeof key === 'string') return key;
  } catch {
    // fall through
  }
  throw invalidPaginationToken(token, requestId);
}

/** Asks storage for one row more than a page, so a token is handed out only when more rows exist. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string, listing: string): { items: T[]; nextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeNextToken(listing, keyOf(items[items.length - 1])) };
}
