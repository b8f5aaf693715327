import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserPoolClientCommand, CreateUserPoolCommand, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import { RateLimiter } from '../src/security/rate-limiter.js';
import { startServer, type TestServer } from './helpers/server.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the sustained rate', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    assert.deepEqual([1, 2, 3, 4].map(() => limiter.take('a')), [true, true, true, false]);
    assert.equal(limiter.take('b'), true, 'buckets are per key');
    now += 500;
    assert.equal(limiter.take('a'), true, 'one token back after half a second at 2/s');
    assert.equal(limiter.take('a'), false);
  });
});

describe('credential checks are rate limited per address (sqlite)', () => {
  let server: TestServer;
  let clientId: string;
  before(async () => {
    server = await startServer('sqlite', { credentialRateLimit: { perSecond: 0.001, burst: 3 } });
    const idp = server.idp();
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'limited' }));
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientName: 'c', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
    );
    clientId = UserPoolClient!.ClientId!;
  });
  after(() => server?.close());

  it('answers TooManyRequestsException (429) once the burst is spent, and leaves admin operations alone', async () => {
    const idp = server.idp();
    const attempt = () => idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'nobody', PASSWORD: 'x' } }));
    for (let i = 0; i < 3; i++) await assert.rejects(attempt(), { name: 'UserNotFoundException' });
    await assert.rejects(attempt(), (error: Error & { $metadata: { httpStatusCode: number } }) => {
      assert.equal(error.name, 'TooManyRequestsException');
      assert.equal(error.$metadata.httpStatusCode, 429);
      return true;
    });
    await idp.send(new CreateUserPoolCommand({ PoolName: 'not a credential check' }));
  });
});
