import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './helpers/server.js';

// API calls are answered by the API listener on node:http (src/api-listener.ts); every other request, and
// Fastify's inject, by Fastify. These hold the two doors to the same answers.

const LIST_POOLS = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' };
const CORS_HEADERS = ['access-control-allow-origin', 'access-control-expose-headers', 'vary'];

function corsOf(headers: Headers | Record<string, unknown>): Record<string, unknown> {
  const get = (name: string) => (headers instanceof Headers ? (headers.get(name) ?? undefined) : headers[name]);
  return Object.fromEntries(CORS_HEADERS.map((name) => [name, get(name)]));
}

describe('the API listener and Fastify answer alike', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('sqlite', {
      corsOrigins: ['https://app.example'],
      trustProxy: true,
      credentialRateLimit: { perSecond: 0.001, burst: 2 },
    });
  });
  after(() => server?.close());

  it('gives an API call the CORS headers @fastify/cors gives the other routes, for an allowed and a refused origin', async () => {
    for (const origin of ['https://app.example', 'https://elsewhere.example']) {
      const api = await fetch(`${server.url}/`, { method: 'POST', headers: { ...LIST_POOLS, origin }, body: '{"MaxResults":1}' });
      assert.equal(api.status, 200);
      const health = await fetch(`${server.url}/health`, { headers: { origin } });
      assert.equal(health.status, 200);
      assert.deepEqual(corsOf(api.headers), corsOf(health.headers), origin);
    }
    const allowed = await fetch(`${server.url}/`, { method: 'POST', headers: { ...LIST_POOLS, origin: 'https://app.example' }, body: '{}' });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
  });

  it('answers the same call with the same status, headers and body through Fastify (inject)', async () => {
    const calls = [
      { headers: LIST_POOLS, body: '{"MaxResults":1}' },
      { headers: { ...LIST_POOLS, 'x-amz-target': 'AWSCognitoIdentityProviderService.NoSuchThing' }, body: '{}' },
      { headers: LIST_POOLS, body: '{not json' },
      { headers: { ...LIST_POOLS, 'content-type': 'text/plain' }, body: '{}' },
    ];
    for (const call of calls) {
      const direct = await fetch(`${server.url}/`, { method: 'POST', headers: { ...call.headers, origin: 'https://app.example' }, body: call.body });
      const injected = await server.gatehouse.app.inject({ method: 'POST', url: '/', headers: { ...call.headers, origin: 'https://app.example' }, payload: call.body });
      assert.equal(direct.status, injected.statusCode);
      assert.equal(await direct.text(), injected.body);
      for (const name of ['content-type', 'x-amzn-errortype', ...CORS_HEADERS]) {
        assert.equal(direct.headers.get(name) ?? undefined, injected.headers[name], `${name} of ${call.headers['x-amz-target']}`);
      }
      assert.ok(direct.headers.get('x-amzn-requestid') && injected.headers['x-amzn-requestid']);
    }
  });

  it('counts credential checks by the X-Forwarded-For address when proxies are trusted', async () => {
    const signIn = (address: string) =>
      fetch(`${server.url}/`, {
        method: 'POST',
        headers: { ...LIST_POOLS, 'x-amz-target': 'AWSCognitoIdentityProviderService.InitiateAuth', 'x-forwarded-for': `${address}, 10.0.0.1` },
        body: JSON.stringify({ ClientId: 'nosuchclient', AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'a', PASSWORD: 'b' } }),
      });
    const types = async (address: string, times: number) => {
      const seen: string[] = [];
      for (let i = 0; i < times; i++) {
        const res = await signIn(address);
        seen.push(res.headers.get('x-amzn-errortype') ?? String(res.status));
        await res.text();
      }
      return seen;
    };
    // A burst of two per address: the third call from one client is refused, another client is not.
    assert.deepEqual(await types('203.0.113.7', 3), ['ResourceNotFoundException', 'ResourceNotFoundException', 'TooManyRequestsException']);
    assert.deepEqual(await types('198.51.100.9', 1), ['ResourceNotFoundException']);
  });
});
