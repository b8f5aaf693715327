import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain OAuth 2.0 provider on loopback, standing in for Facebook or Login with Amazon (which hand out no
 * ID token) in federation tests: an authorization endpoint that signs in `signedIn` at once (or refuses,
 * with `refuse`), a token endpoint that takes the code by GET (Facebook) or POST (Amazon) with the client's
 * secret, and a profile endpoint that answers with the account's attributes for the bearer token, only the
 * `fields` asked for when the request names some (as the Graph API does).
 */
export interface TestOAuth2Idp {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Where the authorization endpoint sends the browser back: Gatehouse's idpresponse, once the pool exists. */
  redirectUri: string;
  /** The account the next authorization signs in, and the attributes of each. */
  signedIn: string;
  accounts: Map<string, Record<string, unknown>>;
  /** The next authorization answers this error instead of a code. */
  refuse?: string;
  /** What the token and profile endpoints were asked. */
  seen: { tokenMethod?: string; fields?: string | null; scope?: string | null; codeChallenge?: string | null };
  close(): Promise<void>;
}

/** A form-encoded request body (the loopback providers' token endpoints). */
export async function requestForm(request: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString());
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startOAuth2Idp(tokenMethod: 'GET' | 'POST'): Promise<TestOAuth2Idp> {
  const codes = new Map<string, string>();
  const tokens = new Map<string, string>();
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const idp: TestOAuth2Idp = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    clientId: 'gatehouse-app',
    clientSecret: 'the-app-secret-of-gatehouse',
    redirectUri: '',
    signedIn: 'someone',
    accounts: new Map(),
    seen: {},
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };

  http.on('request', async (request, response) => {
    const url = new URL(request.url!, idp.url);
    if (url.pathname === '/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== idp.clientId || q.get('redirect_uri') !== idp.redirectUri) return json(response, 400, { error: 'invalid_request' });
      idp.seen.scope = q.get('scope');
      idp.seen.codeChallenge = q.get('code_challenge');
      const back = new URL(idp.redirectUri);
      if (idp.refuse) {
        back.searchParams.set('error', idp.refuse);
        idp.refuse = undefined;
      } else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, idp.signedIn);
        back.searchParams.set('code', code);
      }
      back.searchParams.set('state', q.get('state') ?? '');
      return response.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token') {
      idp.seen.tokenMethod = request.method;
      if (request.method !== tokenMethod) return json(response, 405, { error: 'invalid_request', error_description: `use ${tokenMethod}` });
      const form = request.method === 'GET' ? url.searchParams : await requestForm(request);
      const account = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('client_id') !== idp.clientId || form.get('client_secret') !== idp.clientSecret) return json(response, 401, { error: 'invalid_client' });
      if (!account || form.get('redirect_uri') !== idp.redirectUri) return json(response, 400, { error: 'invalid_grant' });
      const accessToken = randomBytes(16).toString('hex');
      tokens.set(accessToken, account);
      return json(response, 200, { access_token: accessToken, token_type: 'bearer', expires_in: 3600 });
    }
    if (url.pathname === '/me') {
      const account = tokens.get(/^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
      if (!account) return json(response, 401, { error: 'invalid_token' });
      const attributes = idp.accounts.get(account) ?? {};
      const fields = url.searchParams.get('fields');
      idp.seen.fields = fields;
      if (fields === null) return json(response, 200, attributes);
      return json(response, 200, Object.fromEntries(fields.split(',').filter((f) => f in attributes).map((f) => [f, attributes[f]])));
    }
    response.writeHead(404).end();
  });
  return idp;
}
