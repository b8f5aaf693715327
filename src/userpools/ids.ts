const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Unbiased random characters: bytes that would skew the distribution are thrown away. */
export function randomString(randomBytes: (n: number) => Buffer, length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** `us-east-1_AbCdEf123`: region, underscore, nine letters and digits (Amplify reads the region from it). */
export function newUserPoolId(randomBytes: (n: number) => Buffer, region: string): string {
  return `${region}_${randomString(randomBytes, 9, ALPHANUMERIC)}`;
}

/** 26 lower-case letters and digits, as Cognito's app client ids are. */
export function newClientId(randomBytes: (n: number) => Buffer): string {
  return randomString(randomBytes, 26, LOWER_ALPHANUMERIC);
}

/** 51 lower-case letters and digits (~263 bits), as Cognito's generated client secrets are. */
export function newClientSecret(randomBytes: (n: number) => Buffer): string {
  return randomString(randomBytes, 51, LOWER_ALPHANUMERIC);
}

/** A user import job's id, as Cognito makes them: `import-` and ten letters and digits. */
export function newImportJobId(randomBytes: (n: number) => Buffer): string {
  return `import-${randomString(randomBytes, 10, ALPHANUMERIC)}`;
}
