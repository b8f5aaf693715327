/**
 * Micro-benchmark of the modular exponentiation behind SRP (3072-bit N), standalone:
 *
 *   node --import tsx bench/srp-modpow.ts [seconds per case, default 1]
 *
 * Compares the native path src/userpools/auth/srp.ts uses (OpenSSL through a node:crypto DiffieHellman
 * object: setPrivateKey(exponent) + computeSecret(base)) with a plain JavaScript BigInt square-and-multiply,
 * for the exponent sizes the server uses (256-bit b and u, 256-bit x), and for a full 3072-bit exponent.
 * Then measures the server's SRP operations end to end. Prints ops/s; checks both paths agree first.
 */
import { randomBytes } from 'node:crypto';
import {
  createSrpVerifier,
  formatSrpTimestamp,
  SRP_G,
  SRP_N,
  srpModPow,
  startSrpSession,
  verifyPasswordClaim,
} from '../src/userpools/auth/srp.js';

const secondsPerCase = Number(process.argv[2] ?? 1) || 1;

function modPowBigInt(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let square = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % modulus;
    square = (square * square) % modulus;
  }
  return result;
}

const randomBigInt = (bytes: number): bigint => BigInt(`0x${randomBytes(bytes).toString('hex')}`);

/** Runs `fn` over pre-drawn inputs for about `secondsPerCase` seconds; returns ops/s. */
function measure<T>(inputs: T[], fn: (input: T) => unknown): number {
  for (let i = 0; i < Math.min(3, inputs.length); i++) fn(inputs[i]!); // warm-up
  const budget = secondsPerCase * 1000;
  let ops = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    fn(inputs[ops % inputs.length]!);
    ops++;
    elapsed = performance.now() - start;
  } while (elapsed < budget);
  return (ops * 1000) / elapsed;
}

const row = (name: string, opsPerSecond: number): void => {
  process.stdout.write(`${name.padEnd(84)} ${opsPerSecond.toFixed(1).padStart(10)} ops/s  (${(1000 / opsPerSecond).toFixed(3)} ms/op)\n`);
};

process.stdout.write(`node ${process.version}, OpenSSL ${process.versions.openssl}, ${secondsPerCase}s per case\n\n`);

// Both paths must agree before their speed means anything.
for (let i = 0; i < 5; i++) {
  const base = randomBigInt(384) % SRP_N;
  const exponent = randomBigInt(32);
  if (srpModPow(base, exponent) !== modPowBigInt(base, exponent, SRP_N)) throw new Error('native and BigInt modPow disagree');
}

const cases: Array<{ label: string; exponentBytes: number; base: 'g' | 'random' }> = [
  { label: 'g^b, 256-bit b (B in startSrpSession)', exponentBytes: 32, base: 'g' },
  { label: 'y^e, random 3072-bit base, 256-bit e (v^u, (A·v^u)^b)', exponentBytes: 32, base: 'random' },
  { label: 'y^e, random 3072-bit base, 3072-bit e', exponentBytes: 384, base: 'random' },
];

process.stdout.write('modular exponentiation mod N (3072-bit):\n');
for (const c of cases) {
  const inputs = Array.from({ length: 64 }, () => ({
    base: c.base === 'g' ? SRP_G : randomBigInt(384) % SRP_N,
    exponent: randomBigInt(c.exponentBytes) | 1n,
  }));
  row(`  native DiffieHellman  ${c.label}`, measure(inputs, ({ base, exponent }) => srpModPow(base, exponent)));
  row(`  BigInt sq.-and-mult.  ${c.label}`, measure(inputs, ({ base, exponent }) => modPowBigInt(base, exponent, SRP_N)));
}

process.stdout.write('\nserver SRP operations (src/userpools/auth/srp.ts):\n');
const poolName = 'Abc123xyz';
const userId = '2f4e6a1c-0b3d-4e5f-8a9b-0c1d2e3f4a5b';
const { verifier } = createSrpVerifier(poolName, userId, 'Passw0rd!', randomBytes);
const srpA = srpModPow(SRP_G, randomBigInt(128)).toString(16);
row('  createSrpVerifier (1 modPow)', measure([0], () => createSrpVerifier(poolName, userId, 'Passw0rd!', randomBytes)));
row('  startSrpSession (1 modPow)', measure([0], () => startSrpSession(verifier, srpA, randomBytes)));
const sessions = Array.from({ length: 16 }, () => startSrpSession(verifier, srpA, randomBytes));
const timestamp = formatSrpTimestamp(new Date());
row(
  '  verifyPasswordClaim (2 modPow, signature not matching)',
  measure(sessions, (s) =>
    verifyPasswordClaim({
      poolName,
      userIdForSrp: userId,
      verifierHex: verifier,
      srpAHex: srpA,
      srpBHex: s.srpB,
      bHex: s.b,
      secretBlockBase64: 'c2VjcmV0',
      timestamp,
      signatureBase64: Buffer.alloc(32).toString('base64'),
    }),
  ),
);
