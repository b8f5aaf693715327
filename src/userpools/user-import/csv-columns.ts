import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';

const USERNAME = 'cognito:username';
const MFA_ENABLED = 'cognito:mfa_enabled';

/** Attributes a user import never sets: Cognito's own (`sub`, `identities`) and developer-only ones. */
const NOT_IMPORTED = (name: string) => name === 'sub' || name === 'identities' || name.startsWith('dev:');

const BOOLEAN_ATTRIBUTES = new Set(['email_verified', 'phone_number_verified']);

/**
 * GetCSVHeader: the pool's attributes in schema order (the standard ones, then its custom ones), then
 * cognito:mfa_enabled and cognito:username, as Cognito's developer guide shows it ("Creating the user
 * import CSV file").
 */
export function csvHeader(pool: StoredUserPool): string[] {
  const attributes = (pool.settings.userPool.SchemaAttributes ?? []).map((a) => a.Name!).filter((name) => !NOT_IMPORTED(name));
  return [...attributes, MFA_ENABLED, USERNAME];
}

/** The `<contact>_verified` columns the pool needs: one per auto-verified attribute (email, phone_number). */
const verifiedColumns = (pool: StoredUserPool): string[] => (pool.settings.userPool.AutoVerifiedAttributes ?? []).map((a) => `${a}_verified`);

/**
 * Why a file's header cannot be imported into the pool, or undefined. The order of the columns does not
 * matter; each must be one of the pool's, once, and the ones Cognito requires must be there:
 * cognito:username, cognito:mfa_enabled and the auto-verified attributes' `_verified` flags.
 */
export function headerProblem(pool: StoredUserPool, header: string[]): string | undefined {
  const known = new Set(csvHeader(pool));
  const unknown = header.find((column) => !known.has(column));
  if (unknown !== undefined) return `The CSV header has a column that is not an attribute of the user pool: ${unknown}.`;
  const repeated = header.find((column, i) => header.indexOf(column) !== i);
  if (repeated !== undefined) return `The CSV header has the column ${repeated} twice.`;
  const missing = [USERNAME, MFA_ENABLED, ...verifiedColumns(pool)].filter((column) => !header.includes(column));
  if (missing.length > 0) return `The CSV header lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`;
  return undefined;
}

/**
 * One row as a new user: its username and its attributes, empty cells left out. Throws Cognito's
 * InvalidParameterException for what only an import checks; createUser checks the attributes themselves.
 */
export function rowUser(pool: StoredUserPool, header: string[], row: string[]): { username: string; attributes: AttributeType[] } {
  if (row.length !== header.length) throw new InvalidParameterException(`The row has ${row.length} values for the header's ${header.length} columns.`);
  const cells = new Map(header.map((column, i) => [column, row[i]?.trim() ?? '']));
  const username = cells.get(USERNAME) ?? '';
  if (username === '') throw new InvalidParameterException(`${USERNAME} is required.`);
  const mfa = cells.get(MFA_ENABLED)!.toLowerCase();
  if (mfa !== 'false' && mfa !== '') {
    // An imported user's SMS MFA is not carried over yet: refused rather than imported without its second factor.
    throw new InvalidParameterException(`${MFA_ENABLED} ${mfa} is not supported: Gatehouse imports users without MFA only.`);
  }
  const attributes: AttributeType[] = [];
  for (const [Name, value] of cells) {
    if (Name === USERNAME || Name === MFA_ENABLED || value === '') continue;
    // Cognito's own sample file writes TRUE and FALSE; the attributes themselves are lower case.
    attributes.push({ Name, Value: BOOLEAN_ATTRIBUTES.has(Name) ? value.toLowerCase() : value });
  }
  const verified = verifiedColumns(pool);
  if (verified.length > 0 && !verified.some((column) => cells.get(column)?.toLowerCase() === 'true')) {
    // Without a verified contact the user could never receive the code to set their first password.
    throw new InvalidParameterException(`At least one of ${verified.join(', ')} must be true.`);
  }
  return { username, attributes };
}
