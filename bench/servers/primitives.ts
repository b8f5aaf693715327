// The baselines of the sign-up and sign-in scenarios: the bare operations that bound what Gatehouse can
// do per second, in a process of their own, so they get the same libuv threadpool (4 threads unless
// UV_THREADPOOL_SIZE says otherwise) and the same machine as a Gatehouse child. Run by lib/primitives.ts:
//
//   node --import tsx bench/servers/primitives.ts '{"passwordHashing":{"memoryKiB":19456,"iterations":2,"parallelism":1}}'
//
// It prints "primitives ready" once its hash, keys and SRP values exist, then answers PrimitiveRequests
// on the IPC channel with the figures of a closed-loop or fixed-rate run (lib/drive.ts, as the bench
// drives a server), and `POST /<op>` over HTTP (the HTTP floor, below). Hashing, SRP, signing and verifying call the server's own functions (security/jws.ts
// is node:crypto's RSA with the JWT encoding around it), with a 2048-bit key made the way signing-keys.ts
// makes one.
import { createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { decodeJws, signJws, verifyJws, type JwsClaims } from '../../src/security/jws.js';
import { createSrpVerifier, formatSrpTimestamp, SRP_G, srpModPow, startSrpSession, verifyPasswordClaim } from '../../src/userpools/auth/srp.js';
import { hashPassword, verifyPassword, type PasswordCredentials } from '../../src/userpools/users/password-store.js';
import { closedLoop, fixedRate } from '../lib/drive.js';
import type { PrimitiveOp, PrimitiveReply, PrimitiveRequest, PrimitiveSettings } from '../lib/primitives.js';

const settings = JSON.parse(process.argv[2] ?? '{}') as PrimitiveSettings;
if (!settings.passwordHashing) throw new Error('usage: primitives.ts \'{"passwordHashing":{...}}\'');

const PASSWORD = 'Bench-Passw0rd!';
const POOL_NAME = 'BenchPool1';
const USERNAME = 'bench-user';
const ISSUER = `http://127.0.0.1:8420/us-east-1_${POOL_NAME}`;

const credentials: PasswordCredentials = { hash: await hashPassword(PASSWORD, settings.passwordHashing), temporary: false };

const pair = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
const kid = randomBytes(20).toString('base64url');
// Exported and imported again, as signing-keys.ts loads a stored key.
const privateKey = createPrivateKey({ key: await exportJWK(pair.privateKey), format: 'jwk' });
const publicKey = createPublicKey({ key: await exportJWK(pair.publicKey), format: 'jwk' });

/** Claims of the size and shape of Gatehouse's tokens (tokens.ts mintTokens). */
function claims(use: 'id' | 'access'): JwsClaims {
  const iat = Math.floor(Date.now() / 1000);
  const common = { sub: '2f4e6a1c-0b3d-4e5f-8a9b-0c1d2e3f4a5b', iss: ISSUER, origin_jti: randomUUID(), event_id: randomUUID(), auth_time: iat, iat, exp: iat + 3600, jti: randomUUID() };
  return use === 'id'
    ? { ...common, email: 'bench-user@example.com', email_verified: true, aud: '1example23456789', 'cognito:username': USERNAME, token_use: 'id' }
    : { ...common, client_id: '1example23456789', token_use: 'access', scope: 'aws.cognito.signin.user.admin', username: USERNAME };
}

const sign = (payload: JwsClaims) => signJws(payload, privateKey, { kid });
const accessToken = await sign(claims('access'));

const verifier = createSrpVerifier(POOL_NAME, USERNAME, PASSWORD, randomBytes);
const srpA = srpModPow(SRP_G, BigInt(`0x${randomBytes(32).toString('hex')}`)).toString(16);
const secretBlock = randomBytes(64).toString('base64');
const wrongSignature = Buffer.alloc(32).toString('base64');

async function verify(): Promise<void> {
  if (!(await verifyPassword(credentials, PASSWORD))) throw new Error('argon2 verify failed');
}

/** The ID and access tokens of one sign-in, signed at once as mintTokens signs them. */
const signPair = () => Promise.all([sign(claims('id')), sign(claims('access'))]);

const ops: Record<PrimitiveOp, () => Promise<unknown>> = {
  'argon2-hash': () => hashPassword(PASSWORD, settings.passwordHashing),
  'argon2-hash-srp-verifier': async () => {
    await hashPassword(PASSWORD, settings.passwordHashing);
    createSrpVerifier(POOL_NAME, USERNAME, PASSWORD, randomBytes);
  },
  'argon2-verify': verify,
  'argon2-verify-sign-pair': async () => {
    await verify();
    await signPair();
  },
  'rs256-sign': () => sign(claims('access')),
  'rs256-sign-pair': signPair,
  'rs256-verify': async () => verifyJws(decodeJws(accessToken), publicKey, { issuer: ISSUER, now: new Date() }),
  'srp-server-round-trip': async () => {
    // InitiateAuth: B = k·v + g^b. RespondToAuthChallenge: S = (A·v^u)^b and the HMAC check (a wrong
    // signature costs the same as a right one: the comparison is the last step), then the two tokens.
    const session = startSrpSession(verifier.verifier, srpA, randomBytes);
    verifyPasswordClaim({
      poolName: POOL_NAME,
      userIdForSrp: USERNAME,
      verifierHex: verifier.verifier,
      srpAHex: srpA,
      srpBHex: session.srpB,
      bHex: session.b,
      secretBlockBase64: secretBlock,
      timestamp: formatSrpTimestamp(new Date()),
      signatureBase64: wrongSignature,
    });
    await signPair();
  },
  none: async () => {},
};

// The HTTP floor: the same operations behind a bare node:http server, one per request, answering a small
// JSON body once the operation is done. What a server doing nothing but the primitive would serve.
const DONE = Buffer.from('{"done":true}');
const floor = createServer((req, res) => {
  const op = Object.hasOwn(ops, req.url!.slice(1)) ? ops[req.url!.slice(1) as PrimitiveOp] : undefined;
  req.resume();
  req.on('end', () => {
    if (!op) return void res.writeHead(404).end();
    op().then(
      () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1', 'content-length': DONE.length }).end(DONE),
      (error: unknown) => res.writeHead(500).end(String(error)),
    );
  });
});
await new Promise<void>((resolve) => floor.listen(0, '127.0.0.1', resolve));

process.on('message', (message: PrimitiveRequest) => {
  const op = ops[message.op];
  const run = !op
    ? Promise.reject(new Error(`unknown primitive ${message.op}`))
    : message.mode === 'rate'
      ? fixedRate(op, message.rate!, message.seconds, message.concurrency)
      : closedLoop(op, message.concurrency, message.seconds);
  run.then(
    (sample) => process.send!({ id: message.id, sample } satisfies PrimitiveReply),
    (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) } satisfies PrimitiveReply),
  );
});
process.on('disconnect', () => process.exit(0));
process.stdout.write(`primitives ready, HTTP floor at http://127.0.0.1:${(floor.address() as AddressInfo).port}\n`);
