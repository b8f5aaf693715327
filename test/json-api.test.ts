import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createJsonApi } from '../src/protocol/json-api.js';
import { userPoolsModel } from '../src/protocol/service-model.js';

describe('the JSON protocol (protocol/json-api.ts)', () => {
  it('answers with the members of the operation\'s output shape only, so a handler\'s internal state never reaches the wire', async () => {
    const api = createJsonApi<object>({
      services: [
        {
          model: userPoolsModel,
          // A handler that returns more than GetUserResponse has: a stand-in for a stored user leaking.
          operations: { GetUser: async () => ({ Username: 'ada', UserAttributes: [], credentials: { hash: '$argon2id$secret' } }) },
        },
      ],
      requireSignature: false,
      secretFor: () => undefined,
      maxClockSkewSeconds: 300,
      defaultRegion: 'us-east-1',
      now: () => new Date(),
      createContext: () => ({}),
      log: pino({ level: 'silent' }),
    });
    const response = await api({
      id: 'r1',
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.GetUser' },
      body: Buffer.from(JSON.stringify({ AccessToken: 'a.b.c' })),
      ip: '127.0.0.1',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body.toString('utf8')), { Username: 'ada', UserAttributes: [] });
  });
});
