import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { decodeJws, JwsExpiredError, JwsInvalidError, signJws, verifyJws } from '../src/security/jws.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'http://127.0.0.1:8420/us-east-1_Example';
const NOW = new Date('2026-11-26T12:00:00Z');
const iat = Math.floor(NOW.getTime() / 1000);
const claims = { iss: ISSUER, sub: 'someone', iat, exp: iat + 3600, token_use: 'access' };

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const verify = (token: string, key = publicKey) => verifyJws(decodeJws(token), key, { issuer: ISSUER, now: NOW });

describe('RS256 compact JWS (security/jws.ts)', () => {
  it('signs what jose verifies, and verifies what jose signs', async () => {
    const ours = await signJws(claims, privateKey, { kid: 'k1' });
    const joseKey = await importJWK({ ...publicKey.export({ format: 'jwk' }), alg: 'RS256' }, 'RS256');
    const { payload, protectedHeader } = await jwtVerify(ours, joseKey, { issuer: ISSUER, currentDate: NOW });
    assert.equal(payload.sub, 'someone');
    assert.deepEqual(protectedHeader, { alg: 'RS256', kid: 'k1' });

    const theirs = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(privateKey);
    assert.equal(verify(theirs).sub, 'someone');
  });

  it('refuses alg none, and HS256 signed with the public key as the secret', async () => {
    const none = `${b64({ alg: 'none' })}.${b64(claims)}.`;
    assert.throws(() => verify(none), JwsInvalidError);
    const input = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims)}`;
    const secret = publicKey.export({ format: 'pem', type: 'spki' });
    const hs256 = `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
    assert.throws(() => verify(hs256), JwsInvalidError);
  });

  it('refuses a changed claim, another key, another issuer, and a critical header it does not know', async () => {
    const token = await signJws(claims, privateKey, { kid: 'k1' });
    const [header, , signature] = token.split('.');
    assert.throws(() => verify(`${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`), JwsInvalidError);
    assert.throws(() => verify(token, other.publicKey), JwsInvalidError);
    assert.throws(() => verifyJws(decodeJws(token), publicKey, { issuer: `${ISSUER}x`, now: NOW }), JwsInvalidError);
    const crit = `${b64({ alg: 'RS256', crit: ['exp'] })}.${b64(claims)}`;
    assert.throws(() => verify(`${crit}.${signature}`), JwsInvalidError);
  });

  it('refuses characters outside base64url, so a token has one spelling', async () => {
    const token = await signJws(claims, privateKey, { kid: 'k1' });
    assert.throws(() => decodeJws(`${token}=`), JwsInvalidError);
    assert.throws(() => decodeJws(token.replace('.', '.+')), JwsInvalidError);
    assert.throws(() => decodeJws(`${token}.extra`), JwsInvalidError);
    assert.throws(() => decodeJws('not a token'), JwsInvalidError);
    // The signature's last character carries 2 bits of a 2048-bit signature and 4 that Buffer ignores:
    // flipping one of those decodes to the same bytes, and must still be refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = `${token.slice(0, -1)}${alphabet[alphabet.indexOf(token.at(-1)!) ^ 1]}`;
    assert.deepEqual(Buffer.from(twin.split('.')[2], 'base64url'), Buffer.from(token.split('.')[2], 'base64url'));
    assert.throws(() => decodeJws(twin), JwsInvalidError);
  });

  it('says expired only of a genuine token, and refuses a missing exp and a future nbf', async () => {
    const expired = await signJws({ ...claims, exp: iat }, privateKey, { kid: 'k1' });
    assert.throws(() => verify(expired), JwsExpiredError);
    assert.throws(() => verify(expired, other.publicKey), JwsInvalidError);
    const { exp: _exp, ...noExp } = claims;
    for (const bad of [noExp, { ...claims, nbf: iat + 60 }, { ...claims, exp: String(iat + 60) }]) {
      const token = await signJws(bad, privateKey, { kid: 'k1' });
      assert.throws(() => verify(token), JwsInvalidError);
    }
  });
});
