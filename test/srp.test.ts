import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import {
  createSrpVerifier,
  formatSrpTimestamp,
  parseSrpTimestamp,
  SRP_G,
  SRP_N,
  SrpError,
  srpModPow,
  startSrpSession,
  verifyPasswordClaim,
  type PasswordClaim,
} from '../src/userpools/auth/srp.js';

// The client side is amazon-cognito-identity-js's own code (CommonJS, no types for these internals).
interface ClientBigInteger {
  toString(radix: number): string;
}
interface ClientHelper {
  getLargeAValue(callback: (error: Error | null, largeA: ClientBigInteger) => void): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverB: ClientBigInteger,
    salt: ClientBigInteger,
    callback: (error: Error | null, key: Uint8Array) => void,
  ): void;
}
const require = createRequire(import.meta.url);
const AuthenticationHelper = (require('amazon-cognito-identity-js/lib/AuthenticationHelper.js') as { default: new (poolName: string) => ClientHelper }).default;
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as { default: new (value: string, radix: number) => ClientBigInteger }).default;
const DateHelper = (require('amazon-cognito-identity-js/lib/DateHelper.js') as { default: new () => { getNowString(): string } }).default;

const POOL_ID = 'eu-west-1_Gh7TsKq2x';
const POOL_NAME = POOL_ID.split('_')[1]!; // what CognitoUserPool.getUserPoolName() returns
const USER_ID = '5b2f1e0a-7c3d-4e8f-9a1b-2c3d4e5f6a7b';
const PASSWORD = 'Corr3ct horse battery staple!';

/**
 * A client helper. The constructor's own 1024-bit `a` costs about 90 ms per modPow in the client's jsbn
 * BigInteger, so most exchanges here give the helper a 256-bit `a` instead (set before the helper computes
 * A itself); everything else is the client's unchanged code.
 */
const template = new AuthenticationHelper(POOL_NAME) as ClientHelper & Record<string, unknown>;
function client(options: { a?: bigint; poolName?: string } = {}): ClientHelper {
  const poolName = options.poolName ?? POOL_NAME;
  if (options.a === undefined) return new AuthenticationHelper(poolName);
  const helper = Object.create(AuthenticationHelper.prototype) as Record<string, unknown>;
  for (const field of ['N', 'g', 'k', 'infoBits']) helper[field] = template[field];
  helper.poolName = poolName;
  helper.smallAValue = new BigInteger(options.a.toString(16), 16);
  return helper as unknown as ClientHelper;
}

function largeA(helper: ClientHelper): string {
  let hex = '';
  helper.getLargeAValue((error, value) => {
    assert.ifError(error);
    hex = value.toString(16); // as CognitoUser sends SRP_A: unpadded
  });
  return hex;
}

/** The client's second step (CognitoUser.authenticateUserDefaultAuth): HKDF key, then the claim signature. */
function clientClaim(
  helper: ClientHelper,
  challenge: { userIdForSrp: string; salt: string; srpB: string; secretBlock: string },
  password: string,
  poolName = POOL_NAME,
): { timestamp: string; signature: string } {
  let key: Uint8Array | undefined;
  helper.getPasswordAuthenticationKey(challenge.userIdForSrp, password, new BigInteger(challenge.srpB, 16), new BigInteger(challenge.salt, 16), (error, hkdf) => {
    assert.ifError(error);
    key = hkdf;
  });
  assert.ok(key, 'the client computed no key');
  const timestamp = new DateHelper().getNowString();
  const message = Buffer.concat([
    Buffer.from(poolName, 'utf8'),
    Buffer.from(challenge.userIdForSrp, 'utf8'),
    Buffer.from(challenge.secretBlock, 'base64'),
    Buffer.from(timestamp, 'utf8'),
  ]);
  return { timestamp, signature: createHmac('sha256', key).update(message).digest('base64') };
}

interface Exchange {
  claim: PasswordClaim;
  salt: string;
  srpA: string;
  srpB: string;
}

/** One full USER_SRP_AUTH exchange between the real client math and the server functions. */
function exchange(options: {
  helper?: ClientHelper;
  credentials?: { salt: string; verifier: string };
  session?: { srpB: string; b: string };
  clientPassword?: string;
  userIdForSrp?: string;
  poolName?: string;
}): Exchange {
  const poolName = options.poolName ?? POOL_NAME;
  const userIdForSrp = options.userIdForSrp ?? USER_ID;
  const credentials = options.credentials ?? createSrpVerifier(poolName, userIdForSrp, PASSWORD, randomBytes);
  const helper = options.helper ?? client({ a: randomScalar(), poolName });
  const srpA = largeA(helper);
  const session = options.session ?? startSrpSession(credentials.verifier, srpA, randomBytes);
  const secretBlock = randomBytes(48).toString('base64');
  const { timestamp, signature } = clientClaim(
    helper,
    { userIdForSrp, salt: credentials.salt, srpB: session.srpB, secretBlock },
    options.clientPassword ?? PASSWORD,
    poolName,
  );
  return {
    claim: {
      poolName,
      userIdForSrp,
      verifierHex: credentials.verifier,
      srpAHex: srpA,
      srpBHex: session.srpB,
      bHex: session.b,
      secretBlockBase64: secretBlock,
      timestamp,
      signatureBase64: signature,
    },
    salt: credentials.salt,
    srpA,
    srpB: session.srpB,
  };
}

// ---- independent reference math for choosing edge cases and checking srpModPow ----

const toBigInt = (hex: string): bigint => BigInt(`0x${hex}`);
const randomScalar = (): bigint => toBigInt(randomBytes(32).toString('hex')) | 1n;

function refPad(x: bigint): string {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return /^[89a-f]/.test(hex) ? `00${hex}` : hex;
}

function refModPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let square = base % SRP_N;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * square) % SRP_N;
    square = (square * square) % SRP_N;
  }
  return result;
}

const refU = (a: bigint, b: bigint): bigint => toBigInt(createHash('sha256').update(Buffer.from(refPad(a) + refPad(b), 'hex')).digest('hex'));

/** The shape of a number's encoding that padding bugs depend on. */
type Shape = 'high-bit' | 'odd-length' | 'short';
function shapeOf(x: bigint, fullBits: number): Shape | 'other' {
  const bits = x.toString(2).length;
  if (bits === fullBits) return 'high-bit'; // PAD() prepends 00
  if (bits <= fullBits - 8) return 'short'; // a byte shorter than the usual width
  if (x.toString(16).length % 2) return 'odd-length'; // PAD() prepends a 0 nibble
  return 'other';
}

function until<T>(draw: () => T, accept: (value: T) => boolean, what: string, tries = 5000): T {
  for (let i = 0; i < tries; i++) {
    const value = draw();
    if (accept(value)) return value;
  }
  throw new Error(`no ${what} found in ${tries} tries`);
}

/** A randomBytes that answers the given buffers first, then real randomness. */
function scripted(...buffers: Buffer[]): (n: number) => Buffer {
  return (n) => {
    const next = buffers.shift();
    if (!next) return randomBytes(n);
    assert.equal(next.length, n);
    return next;
  };
}

describe('SRP (USER_SRP_AUTH) against amazon-cognito-identity-js', () => {
  it('a full exchange verifies, with the client’s own 1024-bit a and its own timestamp', () => {
    const { claim } = exchange({ helper: client() });
    assert.equal(verifyPasswordClaim(claim), true);
    const when = parseSrpTimestamp(claim.timestamp);
    assert.ok(when, `unparsable client timestamp ${claim.timestamp}`);
    assert.ok(Math.abs(when.getTime() - Date.now()) < 5000);
  });

  it('user ids and passwords that are not ASCII', () => {
    const userIdForSrp = 'jürgen+ß@例え.jp';
    const password = 'pässwörd 🔐 Ωmega';
    const credentials = createSrpVerifier(POOL_NAME, userIdForSrp, password, randomBytes);
    const { claim } = exchange({ credentials, userIdForSrp, clientPassword: password });
    assert.equal(verifyPasswordClaim(claim), true);
  });

  it('a wrong password, user id or pool name fails', () => {
    const credentials = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, randomBytes);
    assert.equal(verifyPasswordClaim(exchange({ credentials, clientPassword: `${PASSWORD}x` }).claim), false);
    assert.equal(verifyPasswordClaim(exchange({ credentials, clientPassword: '' }).claim), false);
    assert.equal(verifyPasswordClaim(exchange({ credentials, userIdForSrp: `${USER_ID}x` }).claim), false);
    assert.equal(verifyPasswordClaim(exchange({ credentials, poolName: `${POOL_NAME}x` }).claim), false);
  });

  it('a tampered timestamp, secret block, signature or session value fails', () => {
    const { claim } = exchange({});
    assert.equal(verifyPasswordClaim(claim), true);
    const when = parseSrpTimestamp(claim.timestamp)!;
    const later = formatSrpTimestamp(new Date(when.getTime() + 1000));
    const block = Buffer.from(claim.secretBlockBase64, 'base64');
    const flipped = Buffer.from(block);
    flipped[0]! ^= 1;
    const signature = Buffer.from(claim.signatureBase64, 'base64');
    signature[31]! ^= 0x80;
    const tampered: Array<[string, Partial<PasswordClaim>]> = [
      ['timestamp', { timestamp: later }],
      ['timestamp (trailing space)', { timestamp: `${claim.timestamp} ` }],
      ['secret block', { secretBlockBase64: flipped.toString('base64') }],
      ['secret block (cut)', { secretBlockBase64: block.subarray(1).toString('base64') }],
      ['signature', { signatureBase64: signature.toString('base64') }],
      ['signature (truncated)', { signatureBase64: signature.subarray(0, 16).toString('base64') }],
      ['signature (empty)', { signatureBase64: '' }],
      ['b', { bHex: randomBytes(32).toString('hex') }],
      ['B', { srpBHex: (toBigInt(claim.srpBHex) + 1n).toString(16) }],
      ['A', { srpAHex: (toBigInt(claim.srpAHex) + 1n).toString(16) }],
      ['verifier', { verifierHex: createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, randomBytes).verifier }],
      ['malformed A', { srpAHex: 'not hex' }],
      ['malformed b', { bHex: '' }],
    ];
    for (const [what, change] of tampered) assert.equal(verifyPasswordClaim({ ...claim, ...change }), false, what);
    assert.equal(verifyPasswordClaim({ ...claim }), true);
  });

  it('A = 0, A = N (and A ≡ 0 mod N otherwise) and malformed A are rejected', () => {
    const { verifier } = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, randomBytes);
    for (const srpA of ['0', '00', SRP_N.toString(16), SRP_N.toString(16).toUpperCase(), `00${SRP_N.toString(16)}`, (2n * SRP_N).toString(16)]) {
      assert.throws(() => startSrpSession(verifier, srpA, randomBytes), SrpError, srpA.slice(0, 8));
    }
    for (const srpA of ['', 'xyz', '12 34', '0x1234', 'f'.repeat(5000)]) {
      assert.throws(() => startSrpSession(verifier, srpA, randomBytes), SrpError, JSON.stringify(srpA.slice(0, 8)));
    }
    // And a claim carrying such an A never verifies.
    const { claim } = exchange({});
    assert.equal(verifyPasswordClaim({ ...claim, srpAHex: SRP_N.toString(16) }), false);
    assert.equal(verifyPasswordClaim({ ...claim, srpAHex: '0' }), false);
    assert.equal(verifyPasswordClaim({ ...claim, srpBHex: SRP_N.toString(16) }), false);
  });

  it('salts of every shape (high bit set, leading zero bytes, odd length, zero) verify', () => {
    const salts: Array<[string, Buffer]> = [
      ['high bit', Buffer.from('80'.padEnd(32, 'a'), 'hex')],
      ['all ff', Buffer.alloc(16, 0xff)],
      ['odd length', Buffer.from('0f'.padEnd(32, '3'), 'hex')],
      ['leading zero byte, then high bit', Buffer.from('0080'.padEnd(32, '1'), 'hex')],
      ['tiny', Buffer.from('00000000000000000000000000000001', 'hex')],
      ['zero', Buffer.alloc(16)],
    ];
    const helper = client({ a: randomScalar() }); // A fixed here: the salt is what varies
    for (const [what, bytes] of salts) {
      const credentials = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, scripted(bytes));
      assert.equal(toBigInt(credentials.salt), toBigInt(bytes.toString('hex')), what);
      assert.equal(credentials.salt, refPad(toBigInt(bytes.toString('hex'))), `${what}: the salt is written as PAD(salt)`);
      assert.equal(verifyPasswordClaim(exchange({ helper, credentials }).claim), true, what);
      // The client reads SALT as a number: the same salt written with extra leading zeros, or upper case, still matches.
      const respelled = { ...credentials, salt: `0000${credentials.salt.toUpperCase()}` };
      assert.equal(verifyPasswordClaim(exchange({ helper, credentials: respelled }).claim), true, `${what} (respelled)`);
    }
  });

  it('A, B, u and S of every padding shape (high bit, odd hex length, a byte short) verify', () => {
    const credentials = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, randomBytes);
    const v = toBigInt(credentials.verifier);
    const shapes: Shape[] = ['high-bit', 'odd-length', 'short'];

    // A: chosen through the client's a (the client computes A itself; 'high-bit' is impossible for A < N
    // unless A's top byte is ff, so every shape is drawn the same way).
    for (const shape of shapes) {
      const a = until(randomScalar, (candidate) => shapeOf(srpModPow(SRP_G, candidate), 3072) === shape, `A (${shape})`);
      const result = exchange({ helper: client({ a }), credentials });
      assert.equal(shapeOf(toBigInt(result.srpA), 3072), shape);
      assert.equal(verifyPasswordClaim(result.claim), true, `A ${shape}`);
    }

    // B, u and S: chosen through the server's b, for one client A.
    const a = randomScalar();
    const bigA = srpModPow(SRP_G, a);
    const srpA = bigA.toString(16);
    const draw = () => startSrpSession(credentials.verifier, srpA, randomBytes);
    const uOf = (session: { srpB: string }) => refU(bigA, toBigInt(session.srpB));
    const sOf = (session: { srpB: string; b: string }) => srpModPow((bigA * srpModPow(v, uOf(session))) % SRP_N, toBigInt(session.b));
    const cases: Array<[string, (session: { srpB: string; b: string }) => boolean]> = [];
    for (const shape of shapes) {
      cases.push([`B ${shape}`, (s) => shapeOf(toBigInt(s.srpB), 3072) === shape]);
      cases.push([`u ${shape}`, (s) => shapeOf(uOf(s), 256) === shape]);
      cases.push([`S ${shape}`, (s) => shapeOf(sOf(s), 3072) === shape]);
    }
    const helper = client({ a });
    for (const [what, accept] of cases) {
      const session = until(draw, accept, what);
      assert.equal(session.srpB, toBigInt(session.srpB).toString(16), 'SRP_B is sent without leading zeros');
      assert.equal(verifyPasswordClaim(exchange({ helper, credentials, session }).claim), true, what);
    }
  });

  it('random exchanges: every client claim verifies, every wrong-password claim fails', () => {
    // Few, because the client's jsbn math costs ~100 ms an exchange; the padding shapes are hit on purpose above.
    for (let i = 0; i < 12; i++) {
      const credentials = createSrpVerifier(POOL_NAME, `user-${i}`, `${PASSWORD}${i}`, randomBytes);
      const wrong = i % 4 === 3;
      const { claim } = exchange({
        credentials,
        userIdForSrp: `user-${i}`,
        clientPassword: wrong ? `${PASSWORD}${i + 1}` : `${PASSWORD}${i}`,
      });
      assert.equal(verifyPasswordClaim(claim), !wrong, `exchange ${i}`);
    }
  });
});

describe('SRP server functions', () => {
  it('the verifier is g^x with x computed as the client computes it', () => {
    const credentials = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, scripted(Buffer.from('9c'.repeat(16), 'hex')));
    assert.equal(credentials.salt, `00${'9c'.repeat(16)}`);
    const inner = createHash('sha256').update(`${POOL_NAME}${USER_ID}:${PASSWORD}`, 'utf8').digest('hex');
    const x = toBigInt(createHash('sha256').update(Buffer.from(`00${'9c'.repeat(16)}${inner}`, 'hex')).digest('hex'));
    assert.equal(toBigInt(credentials.verifier), refModPow(2n, x));
    assert.equal(credentials.verifier, refPad(refModPow(2n, x)));
    // Same randomness, same result: the functions are pure.
    assert.deepEqual(createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, scripted(Buffer.from('9c'.repeat(16), 'hex'))), credentials);
  });

  it('B = (k·v + g^b) mod N, and a b that gives B = 0 or b = 0 is drawn again', () => {
    const { verifier } = createSrpVerifier(POOL_NAME, USER_ID, PASSWORD, randomBytes);
    const v = toBigInt(verifier);
    const k = toBigInt(createHash('sha256').update(Buffer.from(refPad(SRP_N) + refPad(2n), 'hex')).digest('hex'));
    const srpA = srpModPow(SRP_G, randomScalar()).toString(16);
    const b = randomBytes(32);
    const session = startSrpSession(verifier, srpA, scripted(Buffer.alloc(32), b));
    assert.equal(session.b, b.toString('hex'));
    assert.equal(toBigInt(session.srpB), (k * v + refModPow(2n, toBigInt(b.toString('hex')))) % SRP_N);
    assert.throws(() => startSrpSession(verifier, srpA, (n) => Buffer.alloc(n)), SrpError);
    // v = N - k·g (mod N) with b = 1 makes B = 0: that draw is refused.
    const kInverse = refModPow(k, SRP_N - 2n);
    const badVerifier = ((SRP_N - 2n) * kInverse) % SRP_N;
    const one = Buffer.alloc(32);
    one[31] = 1;
    const next = startSrpSession(badVerifier.toString(16), srpA, scripted(one, b));
    assert.equal(next.b, b.toString('hex'));
  });

  it('srpModPow agrees with BigInt arithmetic, including the bases and results OpenSSL refuses', () => {
    const q = (SRP_N - 1n) / 2n;
    const bases = [0n, 1n, 2n, 3n, SRP_N - 2n, SRP_N - 1n, SRP_N, SRP_N + 1n, 2n * SRP_N + 5n, toBigInt(randomBytes(384).toString('hex'))];
    const exponents = [0n, 1n, 2n, 3n, randomScalar(), randomScalar() + 1n];
    for (const base of bases) {
      for (const exponent of exponents) {
        assert.equal(srpModPow(base, exponent), refModPow(base, exponent), `${base.toString(16).slice(0, 6)}^${exponent.toString(16).slice(0, 6)}`);
      }
    }
    // Results 1 and N-1, which OpenSSL will not return as a shared secret.
    assert.equal(srpModPow(3n, SRP_N - 1n), 1n);
    assert.equal(srpModPow(2n, q), 1n); // 2 is a quadratic residue mod N
    assert.equal(srpModPow(SRP_N - 2n, q), SRP_N - 1n);
    assert.throws(() => srpModPow(2n, -1n), RangeError);
  });
});

describe('SRP TIMESTAMP', () => {
  /** What the client's DateHelper writes when the clock says `date`. */
  function clientTimestampAt(date: Date): string {
    const RealDate = globalThis.Date;
    class FixedDate extends RealDate {
      constructor() {
        super(date.getTime());
      }
    }
    globalThis.Date = FixedDate as DateConstructor;
    try {
      return new DateHelper().getNowString();
    } finally {
      globalThis.Date = RealDate;
    }
  }

  it('is formatted as the client formats it: day not zero-padded, time zero-padded, UTC', () => {
    assert.equal(formatSrpTimestamp(new Date('2024-01-02T03:04:05Z')), 'Tue Jan 2 03:04:05 UTC 2024');
    assert.equal(formatSrpTimestamp(new Date('2024-03-05T09:07:01.999Z')), 'Tue Mar 5 09:07:01 UTC 2024');
    assert.equal(formatSrpTimestamp(new Date('2023-12-31T23:59:59Z')), 'Sun Dec 31 23:59:59 UTC 2023');
    assert.equal(formatSrpTimestamp(new Date('2024-01-02T03:04:05Z')), clientTimestampAt(new Date('2024-01-02T03:04:05Z')));
    for (let i = 0; i < 300; i++) {
      const date = new Date(Date.UTC(2000, 0, 1) + Math.floor(Math.random() * 60 * 365 * 86_400_000));
      const text = formatSrpTimestamp(date);
      assert.equal(text, clientTimestampAt(date));
      assert.equal(parseSrpTimestamp(text)?.getTime(), Math.floor(date.getTime() / 1000) * 1000, text);
    }
  });

  it('parses leniently where clients may differ, and refuses anything else', () => {
    const expected = Date.UTC(2024, 0, 2, 3, 4, 5);
    assert.equal(parseSrpTimestamp('Tue Jan 2 03:04:05 UTC 2024')?.getTime(), expected);
    assert.equal(parseSrpTimestamp('Tue Jan 02 03:04:05 UTC 2024')?.getTime(), expected); // strftime('%d')
    assert.equal(parseSrpTimestamp('Tue Jan 2 3:04:05 UTC 2024')?.getTime(), expected);
    assert.equal(parseSrpTimestamp('Mon Jan 2 03:04:05 UTC 2024')?.getTime(), expected); // the weekday is not checked
    assert.equal(parseSrpTimestamp('Thu Feb 29 00:00:00 UTC 2024')?.getTime(), Date.UTC(2024, 1, 29));
    for (const bad of [
      '',
      'garbage',
      'Tue Jan 2 03:04:05 GMT 2024',
      'Tue Jan 2 03:04:05 UTC 24',
      'Tue Jan 32 03:04:05 UTC 2024',
      'Tue Jan 0 03:04:05 UTC 2024',
      'Fri Feb 30 03:04:05 UTC 2024',
      'Thu Feb 29 00:00:00 UTC 2023',
      'Tue Jan 2 24:00:00 UTC 2024',
      'Tue Jan 2 03:60:05 UTC 2024',
      'Tue Jan 2 03:04:60 UTC 2024',
      'Tue Jan  2 03:04:05 UTC 2024',
      ' Tue Jan 2 03:04:05 UTC 2024',
      'Tue Jan 2 03:04:05 UTC 2024\n',
      'tue jan 2 03:04:05 UTC 2024',
      '2024-01-02T03:04:05Z',
    ]) {
      assert.equal(parseSrpTimestamp(bad), undefined, JSON.stringify(bad));
    }
  });
});
