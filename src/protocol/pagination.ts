import { InvalidParameterException } from './errors.js';

/**
 * Opaque pagination tokens: the key of the last item returned, sealed as base64url JSON with the name of
 * the listing, so a token from one listing is refused by another.
 */
export function encodeNextToken(listing: string, lastKey: string): string {
  return Buffer.from(JSON.stringify([listing, lastKey])).toString('base64url');
}

/**
 * The key inside a token this listing handed out, read by `parse` (the key itself by default; a listing
 * whose key has a structure checks it here, since tokens are not signed). A token from another listing,
 * an altered one, or a key `parse` refuses (undefined) is refused in Cognito's words for it (seen on
 * ListUsers): the marker as sent, and the request it came with.
 */
export function decodeNextToken<T = string>(
  listing: string,
  token: string | undefined,
  requestId: string,
  parse: (key: string) => T | undefined = (key) => key as T,
): T | undefined {
  if (token === undefined) return undefined;
  let key: unknown;
  try {
    const [name, value] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (name === listing) key = value;
  } catch {
    // not a token: refused below
  }
  const cursor = typeof key === 'string' ? parse(key) : undefined;
  if (cursor === undefined) throw new InvalidParameterException(`Paging marker ${token} is invalid for request ${requestId}`);
  return cursor;
}

/** Asks storage for one row more than a page, so a token is handed out only when more rows exist. */
export function page<T>(rows: T[], limit: number, keyOf: (row: T) => string, listing: string): { items: T[]; nextToken?: string } {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  return { items, nextToken: encodeNextToken(listing, keyOf(items[items.length - 1])) };
}
