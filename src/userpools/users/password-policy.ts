import type { PasswordPolicyType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidPasswordException } from '../errors.js';
import { randomString } from '../ids.js';

/** The characters Cognito counts as symbols in a password policy. */
const SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';

const CHECKS: { when: keyof PasswordPolicyType; test: (p: string) => boolean; message: string }[] = [
  { when: 'RequireLowercase', test: (p) => /\p{Ll}/u.test(p), message: 'Password must have lowercase characters' },
  { when: 'RequireUppercase', test: (p) => /\p{Lu}/u.test(p), message: 'Password must have uppercase characters' },
  { when: 'RequireNumbers', test: (p) => /[0-9]/.test(p), message: 'Password must have numeric characters' },
  { when: 'RequireSymbols', test: (p) => [...p].some((c) => SYMBOLS.includes(c)), message: 'Password must have symbol characters' },
];

/** Throws InvalidPasswordException with Cognito's message when the password breaks the pool's policy. */
export function checkPasswordPolicy(policy: PasswordPolicyType | undefined, password: string): void {
  const minimum = policy?.MinimumLength ?? 8;
  if ([...password].length < minimum) throw new InvalidPasswordException('Password did not conform with policy: Password not long enough');
  for (const check of CHECKS) {
    if (policy?.[check.when] && !check.test(password)) throw new InvalidPasswordException(`Password did not conform with policy: ${check.message}`);
  }
}

/** A temporary password that satisfies the policy: one of each class, then random letters and digits. */
export function generateTemporaryPassword(policy: PasswordPolicyType | undefined, randomBytes: (n: number) => Buffer): string {
  const length = Math.max(policy?.MinimumLength ?? 8, 12);
  const parts = [
    randomString(randomBytes, 1, 'abcdefghijkmnopqrstuvwxyz'),
    randomString(randomBytes, 1, 'ABCDEFGHJKLMNPQRSTUVWXYZ'),
    randomString(randomBytes, 1, '23456789'),
    randomString(randomBytes, 1, '!@#%^&*-_=+'),
    randomString(randomBytes, length - 4, 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'),
  ];
  return parts.join('');
}
