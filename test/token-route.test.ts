import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateUserPoolCommand, CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createMachineClient, MACHINE_SCOPE } from './helpers/machine-client.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const DOMAIN = 'auth.example.com';

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown> | string;
  /** Which server wrote it (below). */
  direct: boolean;
}

/**
 * `POST /<poolId>/oauth2/token` is answered on node:http (token-route.ts); the same endpoint at the root of
 * the pool's domain is Fastify's route. Every answer of the one must be the answer of the other.
 */
for (const { name, skip } of STORES) {
  describe(`the direct token route answers as the Fastify route does (${name})`, { skip }, () => {
    let server: TestServer;
    let poolId: string;
    let machine: { id: string; secret: string };
    let port: number;

    before(async () => {
      server = await startServer(name, FAST_HASHING);
      port = Number(new URL(server.url).port);
      const idp = server.idp();
      poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'token-route' }))).UserPool!.Id!;
      machine = await createMachineClient(idp, poolId);
      await idp.send(
        new CreateUserPoolDomainCommand({
          UserPoolId: poolId,
          Domain: DOMAIN,
          CustomDomainConfig: { CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000' },
        }),
      );
    });
    after(() => server?.close());

    /** One raw HTTP exchange, so the Host can be the domain's and nothing is added or normalised. */
    function post(path: string, body: string, headers: Record<string, string>): Promise<Answer> {
      return new Promise((resolve, reject) => {
        const sent = request({ host: '127.0.0.1', port, method: 'POST', path, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const json = /json/.test(res.headers['content-type'] ?? '');
            resolve({
              status: res.statusCode!,
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
              body: json && text ? (JSON.parse(text) as Record<string, unknown>) : text,
              // node:http keeps a header name as written: the API listener writes x-amzn-RequestId, Fastify lower-cases it.
              direct: res.rawHeaders.includes('x-amzn-RequestId'),
            });
          });
        });
        sent.on('error', reject);
        sent.end(body);
      });
    }

    const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const form = (values: Record<string, string | string[]>) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(values)) for (const one of [value].flat()) params.append(key, one);
      return params.toString();
    };
    const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
    /** What may differ between two answers to the same request. */
    const VARYING = new Set(['date', 'x-amzn-requestid', 'content-length']);
    const comparable = (answer: Answer) => Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !VARYING.has(k)));

    /** The same request at the issuer (direct) and at the domain's root (Fastify). */
    async function both(body: string, headers: Record<string, string>, path = `/${poolId}/oauth2/token`): Promise<[Answer, Answer]> {
      const direct = await post(path, body, { host: `127.0.0.1:${port}`, ...headers });
      const fastify = await post('/oauth2/token', body, { host: DOMAIN, ...headers });
      assert.equal(direct.direct, true, 'the issuer path is answered directly');
      assert.equal(fastify.direct, false, 'the domain path is answered by Fastify');
      assert.deepEqual(comparable(direct), comparable(fastify));
      assert.equal(direct.status, fastify.status);
      return [direct, fastify];
    }

    it('grants client_credentials with the same headers, and a token of the same shape', async () => {
      const [direct, fastify] = await both(form({ grant_type: 'client_credentials', scope: MACHINE_SCOPE }), { ...FORM, authorization: basic(machine.id, machine.secret) });
      assert.equal(direct.status, 200);
      assert.equal(direct.headers['cache-control'], 'no-store');
      assert.equal(direct.headers.pragma, 'no-cache');
      assert.equal(direct.headers['x-content-type-options'], 'nosniff');
      const shape = (answer: Answer) => Object.keys(answer.body as object).sort();
      assert.deepEqual(shape(direct), ['access_token', 'expires_in', 'token_type']);
      assert.deepEqual(shape(fastify), shape(direct));
    });

    it('gives each error the same status, challenge and body', async () => {
      const cases: [string, Record<string, string | string[]>, Record<string, string>][] = [
        ['a wrong secret over Basic', { grant_type: 'client_credentials' }, { authorization: basic(machine.id, 'wrong') }],
        ['a wrong secret in the body', { grant_type: 'client_credentials', client_id: machine.id, client_secret: 'wrong' }, {}],
        ['an unknown client', { grant_type: 'client_credentials', client_id: 'nobody' }, {}],
        ['no client', { grant_type: 'client_credentials' }, {}],
        ['an unknown grant', { grant_type: 'password' }, { authorization: basic(machine.id, machine.secret) }],
        ['a repeated parameter', { grant_type: ['client_credentials', 'client_credentials'] }, { authorization: basic(machine.id, machine.secret) }],
        ['a scope the client may not have', { grant_type: 'client_credentials', scope: 'openid' }, { authorization: basic(machine.id, machine.secret) }],
        ['a grant the client may not use', { grant_type: 'authorization_code', code: 'x' }, { authorization: basic(machine.id, machine.secret) }],
        ['Basic credentials that are not id:secret', { grant_type: 'client_credentials' }, { authorization: `Basic ${Buffer.from('no-colon').toString('base64')}` }],
      ];
      for (const [what, values, headers] of cases) {
        const [direct, fastify] = await both(form(values), { ...FORM, ...headers });
        assert.ok(direct.status >= 400, what);
        assert.deepEqual(direct.body, fastify.body, what);
      }
    });

    it('answers CORS, a charset in the content type and a query string alike', async () => {
      const body = form({ grant_type: 'client_credentials' });
      const auth = { authorization: basic(machine.id, machine.secret) };
      await both(body, { ...FORM, ...auth, origin: 'https://app.example.com' });
      await both(body, { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', ...auth });
      const [direct] = await both(body, { ...FORM, ...auth }, `/${poolId}/oauth2/token?ignored=1`);
      assert.equal(direct.status, 200);
    });

    it('leaves to Fastify what it does not take: another content type, an unknown length, a pool that does not exist', async () => {
      const json = await post(`/${poolId}/oauth2/token`, JSON.stringify({ grant_type: 'client_credentials' }), { 'content-type': 'application/json', authorization: basic(machine.id, machine.secret) });
      assert.equal(json.direct, false);
      const chunked = await new Promise<Answer>((resolve, reject) => {
        const sent = request({ host: '127.0.0.1', port, method: 'POST', path: `/${poolId}/oauth2/token`, headers: { ...FORM, authorization: basic(machine.id, machine.secret) } }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, headers: {}, body: '', direct: res.rawHeaders.includes('x-amzn-RequestId') }));
        });
        sent.on('error', reject);
        sent.write('grant_type=client_');
        sent.end('credentials');
      });
      assert.equal(chunked.direct, false);
      assert.equal(chunked.status, 200);
      const missing = await post('/us-east-1_NoSuchPool/oauth2/token', 'grant_type=client_credentials', FORM);
      assert.equal(missing.direct, true);
      assert.equal(missing.status, 404);
      assert.deepEqual(missing.body, { error: 'invalid_request', error_description: 'No user pool is served at this address.' });
      const notAPoolId = await post('/not-a-pool/oauth2/token', 'grant_type=client_credentials', FORM);
      assert.equal(notAPoolId.direct, false);
      assert.deepEqual(comparable(notAPoolId), comparable(missing));
      assert.deepEqual(notAPoolId.body, missing.body);
    });
  });
}
