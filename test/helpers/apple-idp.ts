import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, jwtVerify, SignJWT } from 'jose';
import { json, requestForm } from './oauth2-idp.js';

/** An app's Sign in with Apple key: the PEM of Apple's .p8 file, and the public half Apple keeps. */
export function appleKey(): { pem: string; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicKey };
}

/**
 * Sign in with Apple on loopback, as Apple's documentation describes it: an authorization endpoint that
 * insists on response_mode=form_post when the name or email is asked for, and answers with a page whose
 * form posts the code, the state and (at the first sign-in only) a `user` with the person's name; a token
 * endpoint that takes as client secret only an ES256 JWT of the app's key (iss the team, sub the Services
 * ID, aud Apple) and answers with an RS256 ID token; and its keys.
 */
export interface TestAppleIdp {
  url: string;
  clientId: string;
  teamId: string;
  keyId: string;
  privateKey: string;
  redirectUri: string;
  /** The account the next authorization signs in. */
  signedIn: { sub: string; email: string; firstName?: string; lastName?: string };
  /** What the token endpoint was sent as client secret, decoded once checked. */
  seen: { responseMode?: string | null; secretClaims?: Record<string, unknown> };
  close(): Promise<void>;
}

const attr = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export async function startAppleIdp(): Promise<TestAppleIdp> {
  const appKey = appleKey();
  const { privateKey: signingKey, publicKey: verifyingKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(await exportJWK(verifyingKey)), kid: 'apple-key-1', use: 'sig', alg: 'RS256' };
  const codes = new Map<string, { account: TestAppleIdp['signedIn']; nonce: string | null }>();
  const seenBefore = new Set<string>();
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const apple: TestAppleIdp = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    clientId: 'com.example.web',
    teamId: 'TEAM123456',
    keyId: 'KEY1234567',
    privateKey: appKey.pem,
    redirectUri: '',
    signedIn: { sub: '000123.abc', email: 'someone@privaterelay.appleid.example' },
    seen: {},
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };

  http.on('request', async (request, response) => {
    const url = new URL(request.url!, apple.url);
    if (url.pathname === '/auth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== apple.clientId || q.get('redirect_uri') !== apple.redirectUri) return json(response, 400, { error: 'invalid_client' });
      apple.seen.responseMode = q.get('response_mode');
      const scopes = (q.get('scope') ?? '').split(' ');
      if ((scopes.includes('name') || scopes.includes('email')) && q.get('response_mode') !== 'form_post') {
        return json(response, 400, { error: 'invalid_request', error_description: 'response_mode must be form_post when name or email scope is requested.' });
      }
      const code = randomBytes(16).toString('hex');
      const account = apple.signedIn;
      codes.set(code, { account, nonce: q.get('nonce') });
      const fields: Record<string, string> = { code, state: q.get('state') ?? '' };
      // Apple tells the app the person's name once, at their first sign-in to it.
      if (!seenBefore.has(account.sub) && account.firstName) fields.user = JSON.stringify({ name: { firstName: account.firstName, lastName: account.lastName }, email: account.email });
      seenBefore.add(account.sub);
      const inputs = Object.entries(fields).map(([name, value]) => `<input type="hidden" name="${name}" value="${attr(value)}">`).join('');
      return response.writeHead(200, { 'content-type': 'text/html' }).end(`<form method="post" action="${attr(apple.redirectUri)}">${inputs}<button>Continue</button></form>`);
    }
    if (url.pathname === '/auth/token' && request.method === 'POST') {
      const form = await requestForm(request);
      try {
        const { payload, protectedHeader } = await jwtVerify(form.get('client_secret') ?? '', appKey.publicKey, {
          algorithms: ['ES256'],
          issuer: apple.teamId,
          subject: apple.clientId,
          audience: 'https://appleid.apple.com',
        });
        if (protectedHeader.kid !== apple.keyId || form.get('client_id') !== apple.clientId) throw new Error('wrong key or client');
        apple.seen.secretClaims = payload;
      } catch {
        return json(response, 400, { error: 'invalid_client' });
      }
      const granted = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!granted || form.get('redirect_uri') !== apple.redirectUri || form.get('grant_type') !== 'authorization_code') return json(response, 400, { error: 'invalid_grant' });
      const idToken = await new SignJWT({ email: granted.account.email, email_verified: 'true', is_private_email: 'true', ...(granted.nonce && { nonce: granted.nonce }) })
        .setProtectedHeader({ alg: 'RS256', kid: jwk.kid })
        .setIssuer(apple.url)
        .setAudience(apple.clientId)
        .setSubject(granted.account.sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(signingKey);
      return json(response, 200, { access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 3600, id_token: idToken });
    }
    if (url.pathname === '/auth/keys') return json(response, 200, { keys: [jwk] });
    response.writeHead(404).end();
  });
  return apple;
}
