import { InvalidParameterException } from '../../protocol/errors.js';
import type { UserFilter, UserFilterColumn } from '../../storage/users-repository.js';

/** ListUsers' filter attributes (Cognito developer guide, "Searching for users using ListUsers"). */
const COLUMNS: Record<string, UserFilterColumn> = {
  username: 'username_key',
  email: 'email',
  phone_number: 'phone_number',
  name: 'name',
  given_name: 'given_name',
  family_name: 'family_name',
  preferred_username: 'preferred_username',
  'cognito:user_status': 'status',
  status: 'enabled',
  sub: 'sub',
};

const GRAMMAR = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parses `attribute = "value"` or `attribute ^= "prefix"`. `normalizeUsername` applies the pool's case
 * rule to usernames. An empty filter lists everyone.
 */
export function parseUserFilter(filter: string | undefined, normalizeUsername: (name: string) => string): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const match = GRAMMAR.exec(filter);
  if (!match) throw new InvalidParameterException('Error while parsing filter.');
  const [, attribute, operator, quoted] = match;
  // Own keys only: `constructor` or `toString` must not find Object.prototype's members.
  const column = Object.hasOwn(COLUMNS, attribute) ? COLUMNS[attribute] : undefined;
  if (!column) throw new InvalidParameterException(`Invalid search attribute: ${attribute}. Searchable attributes are ${Object.keys(COLUMNS).join(', ')}.`);
  const value = quoted.replace(/\\(.)/g, '$1');
  const prefix = operator === '^=';
  switch (column) {
    case 'enabled':
      // `status` is the Enabled flag, spelled as the console shows it (case-sensitive).
      if (prefix || (value !== 'Enabled' && value !== 'Disabled')) throw new InvalidParameterException('status can only be filtered with = "Enabled" or = "Disabled".');
      return { column, prefix: false, value: value === 'Enabled' ? 1 : 0 };
    case 'status':
      return { column, prefix, value: value.toUpperCase() };
    case 'username_key':
      return { column, prefix, value: normalizeUsername(value) };
    default:
      return { column, prefix, value };
  }
}
