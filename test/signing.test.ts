import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  ListUserPoolsCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigError, loadConfig } from '../src/config.js';
import { sdkClient, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

// SDK clients write a `$source` into the credentials object they are given: each gets a copy of this.
const ACCESS_KEY: Readonly<{ accessKeyId: string; secretAccessKey: string }> = { accessKeyId: 'AKIAGATEHOUSETEST01', secretAccessKey: 'gatehouse-test-secret-key-000000000001' };
const PRODUCTION = { mode: 'production' as const, secretsKey: 'x'.repeat(32), accessKeys: [ACCESS_KEY] };
const IDP = 'AWSCognitoIdentityProviderService';
const AMZ_JSON = 'application/x-amz-json-1.1';
/** The errors of SigV4 authentication: an unsigned operation must never answer with one of these. */
const SIGNATURE_ERRORS = ['MissingAuthenticationTokenException', 'UnrecognizedClientException', 'InvalidSignatureException', 'IncompleteSignatureException'];
const MINUTE = 60_000;

type SdkError = Error & { $metadata: { httpStatusCode?: number } };

async function rejects(promise: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<SdkError> {
  let caught: SdkError | undefined;
  await assert.rejects(promise, (error: SdkError) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    assert.equal(error.$metadata.httpStatusCode, status);
    if (message) assert.match(error.message, message);
    caught = error;
    return true;
  });
  return caught!;
}

interface Answer {
  status: number;
  type: string | null;
  body: { __type?: string; message?: string };
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  const body = JSON.parse(text) as Answer['body'];
  if (response.status !== 200) {
    // Authentication errors keep the wire shape of every other error.
    assert.equal(response.headers.get('x-amzn-errortype'), body.__type);
    assert.equal(response.headers.get('content-type'), AMZ_JSON);
    assert.equal(typeof body.message, 'string');
  }
  return { status: response.status, type: response.headers.get('x-amzn-errortype'), body };
}

/** A raw, unsigned POST /. */
async function unsigned(url: string, target: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(
    await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'content-type': AMZ_JSON, 'x-amz-target': target, ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** Signs a POST / with the SDK's own signer, as an AWS client would; the caller sends it. */
async function signedRequest(
  url: string,
  target: string,
  body: string,
  { credentials = ACCESS_KEY, service = 'cognito-idp', contentType = AMZ_JSON, applyChecksum = true, signHost = true } = {},
): Promise<{ headers: Record<string, string>; body: string }> {
  const endpoint = new URL(url);
  // applyChecksum: whether the signer also sends (and signs) x-amz-content-sha256, the hash of the body.
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: Hash.bind(null, 'sha256'), applyChecksum });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: Number(endpoint.port),
      path: '/',
      // The signer signs every header it is given; the SDK adds Host before signing, so it is signed.
      headers: { ...(signHost && { host: endpoint.host }), 'content-type': contentType, 'x-amz-target': target },
      body,
    }),
  );
  // fetch sets Host itself, to the same value that was signed.
  const { host: _host, ...headers } = signed.headers;
  return { headers, body };
}

async function send(url: string, request: { headers: Record<string, string>; body: string }): Promise<Answer> {
  return answer(await fetch(`${url}/`, { method: 'POST', headers: request.headers, body: request.body }));
}

for (const store of STORES) {
  describe(`SigV4 authentication in production mode (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;
    before(async () => {
      server = await startServer(store.name, PRODUCTION);
      idp = sdkClient(server.url, 'us-east-1', { ...ACCESS_KEY });
    });
    after(() => server?.close());

    /** An SDK client whose clock is off by `offsetMs`, so it signs with that date. */
    const skewed = (offsetMs: number) =>
      new CognitoIdentityProviderClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: { ...ACCESS_KEY },
        maxAttempts: 1,
        systemClockOffset: offsetMs,
      });

    it('serves admin calls signed with a configured access key', async () => {
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'signed' }));
      poolId = UserPool!.Id!;
      const described = await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.equal(described.UserPool?.Name, 'signed');
      const listed = await idp.send(new ListUserPoolsCommand({ MaxResults: 60 }));
      assert.ok(listed.UserPools?.some((p) => p.Id === poolId));
    });

    it('refuses an access key it does not know with UnrecognizedClientException', async () => {
      const stranger = sdkClient(server.url, 'us-east-1', { accessKeyId: 'AKIASTRANGER0000001', secretAccessKey: ACCESS_KEY.secretAccessKey });
      await rejects(
        stranger.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
        'UnrecognizedClientException',
        400,
        /^The security token included in the request is invalid\.$/,
      );
    });

    it('refuses the right key with the wrong secret with InvalidSignatureException', async () => {
      const forger = sdkClient(server.url, 'us-east-1', { accessKeyId: ACCESS_KEY.accessKeyId, secretAccessKey: `${ACCESS_KEY.secretAccessKey}x` });
      await rejects(
        forger.send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
        'InvalidSignatureException',
        400,
        /^The request signature we calculated does not match the signature you provided\./,
      );
    });

    it('refuses a signature dated outside the allowed clock skew, in the past or the future', async () => {
      await rejects(
        skewed(-15 * MINUTE).send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
        'InvalidSignatureException',
        400,
        /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
      );
      await rejects(
        skewed(15 * MINUTE).send(new DescribeUserPoolCommand({ UserPoolId: poolId })),
        'InvalidSignatureException',
        400,
        /^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$/,
      );
    });

    it('accepts a clock within the allowed skew', async () => {
      for (const offset of [-4 * MINUTE, 4 * MINUTE]) {
        const { UserPool } = await skewed(offset).send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
        assert.equal(UserPool?.Id, poolId);
      }
    });

    it('lets the SDK correct its clock from the Date of a "Signature expired" answer', async () => {
      const late = skewed(-15 * MINUTE);
      await rejects(late.send(new DescribeUserPoolCommand({ UserPoolId: poolId })), 'InvalidSignatureException', 400, /^Signature expired/);
      // The SDK read the server time from the Date header (second resolution) and dropped its offset.
      const offset = late.config.systemClockOffset ?? Number.NaN;
      assert.ok(Math.abs(offset) < 5_000, `corrected clock offset ${offset} ms`);
      const { UserPool } = await late.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.equal(UserPool?.Id, poolId);
    });

    it('refuses an unsigned admin call with 403 MissingAuthenticationTokenException', async () => {
      const res = await unsigned(server.url, `${IDP}.DescribeUserPool`, { UserPoolId: poolId });
      assert.equal(res.status, 403);
      assert.deepEqual(res.body, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
      // Also when the input is invalid: authentication comes before validation, so nothing leaks to strangers.
      const invalid = await unsigned(server.url, `${IDP}.DescribeUserPool`, {});
      assert.equal(invalid.status, 403);
      assert.equal(invalid.type, 'MissingAuthenticationTokenException');
      // Identity pool admin operations too.
      const identity = await unsigned(server.url, 'AWSCognitoIdentityService.ListIdentityPools', { MaxResults: 10 });
      assert.equal(identity.status, 403);
      assert.equal(identity.type, 'MissingAuthenticationTokenException');
    });

    it('refuses a malformed Authorization header with IncompleteSignatureException', async () => {
      for (const authorization of ['AWS4-HMAC-SHA256 garbage', 'Bearer abc', `AWS4-HMAC-SHA256 Credential=${ACCESS_KEY.accessKeyId}, SignedHeaders=host, Signature=00`]) {
        const res = await unsigned(server.url, `${IDP}.DescribeUserPool`, { UserPoolId: poolId }, { authorization });
        assert.equal(res.status, 400, authorization);
        assert.equal(res.type, 'IncompleteSignatureException', authorization);
      }
    });

    it('serves a request it signs itself, with either JSON content type', async () => {
      for (const contentType of [AMZ_JSON, 'application/json']) {
        const request = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }), { contentType });
        const res = await send(server.url, request);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal((res.body as { UserPool?: { Id?: string } }).UserPool?.Id, poolId);
      }
    });

    it('refuses a request whose body or target was changed after signing with InvalidSignatureException', async () => {
      const otherBody = JSON.stringify({ UserPoolId: 'us-east-1_Other1234' });
      const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
      // Signed without x-amz-content-sha256: the body's hash is only inside the signature.
      const bare = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }), { applyChecksum: false });
      assert.equal(bare.headers['x-amz-content-sha256'], undefined);
      const tamperedBare = await send(server.url, { ...bare, body: otherBody });
      assert.equal(tamperedBare.status, 400, JSON.stringify(tamperedBare.body));
      assert.equal(tamperedBare.type, 'InvalidSignatureException');
      assert.match(tamperedBare.body.message!, /does not match the signature you provided/);

      // Signed with x-amz-content-sha256: the header must not vouch for a body it does not describe...
      const original = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }));
      assert.equal(original.headers['x-amz-content-sha256'], sha256(original.body));
      const tamperedBody = await send(server.url, { ...original, body: otherBody });
      assert.equal(tamperedBody.status, 400, JSON.stringify(tamperedBody.body));
      assert.equal(tamperedBody.type, 'InvalidSignatureException');
      // ...and fixing the header up to the new body breaks the signature instead.
      const fixedUp = await send(server.url, { headers: { ...original.headers, 'x-amz-content-sha256': sha256(otherBody) }, body: otherBody });
      assert.equal(fixedUp.status, 400, JSON.stringify(fixedUp.body));
      assert.equal(fixedUp.type, 'InvalidSignatureException');
      assert.match(fixedUp.body.message!, /does not match the signature you provided/);

      const tamperedTarget = await send(server.url, { ...original, headers: { ...original.headers, 'x-amz-target': `${IDP}.DeleteUserPool` } });
      assert.equal(tamperedTarget.status, 400);
      assert.equal(tamperedTarget.type, 'InvalidSignatureException');

      // The untouched requests still pass, so it was the change that was refused.
      for (const untouched of [await send(server.url, bare), await send(server.url, original)]) {
        assert.equal(untouched.status, 200, JSON.stringify(untouched.body));
      }
      const still = await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.equal(still.UserPool?.Id, poolId, 'the pool survived the tampered DeleteUserPool');
    });

    it('refuses, as a signature that does not match, a query with a broken escape and a signed header that was not sent', async () => {
      const request = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }));
      const brokenQuery = answer(await fetch(`${server.url}/?a=%E0%A4%A`, { method: 'POST', headers: request.headers, body: request.body }));
      const missingHeader = send(server.url, {
        ...request,
        headers: { ...request.headers, authorization: request.headers.authorization.replace(/SignedHeaders=([^,]*)/, 'SignedHeaders=$1;x-not-sent') },
      });
      for (const res of [await brokenQuery, await missingHeader]) {
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.type, 'InvalidSignatureException');
        assert.match(res.body.message!, /does not match the signature you provided/);
      }
      assert.equal((await send(server.url, request)).status, 200, 'the request as signed still passes');
    });

    it('refuses a signature that does not cover the Host header', async () => {
      const request = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }), { signHost: false });
      assert.doesNotMatch(request.headers.authorization, /SignedHeaders=[^,]*\bhost\b/);
      const res = await send(server.url, request);
      assert.equal(res.status, 400);
      assert.equal(res.type, 'InvalidSignatureException');
      assert.equal(res.body.message, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    });

    it('refuses a signature scoped to another service', async () => {
      const request = await signedRequest(server.url, `${IDP}.DescribeUserPool`, JSON.stringify({ UserPoolId: poolId }), { service: 'cognito-identity' });
      const res = await send(server.url, request);
      assert.equal(res.status, 400);
      assert.equal(res.type, 'InvalidSignatureException');
      assert.match(res.body.message!, /cognito-idp/);
    });

    it('does not ask for a signature on operations Cognito serves unsigned', async () => {
      const calls: [string, unknown][] = [
        [`${IDP}.InitiateAuth`, { AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'abc123', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } }],
        [`${IDP}.SignUp`, { ClientId: 'abc123', Username: 'alice', Password: 'Passw0rd!' }],
        [`${IDP}.ConfirmSignUp`, { ClientId: 'abc123', Username: 'alice', ConfirmationCode: '123456' }],
        [`${IDP}.GetUser`, { AccessToken: 'eyJraWQiOiJ4In0.e30.c2ln' }],
        ['AWSCognitoIdentityService.GetId', { IdentityPoolId: 'us-east-1:0f0e0d0c-0b0a-0908-0706-050403020100' }],
      ];
      for (const [target, body] of calls) {
        const res = await unsigned(server.url, target, body);
        assert.ok(res.status >= 400 && res.status < 500, `${target}: ${res.status}`);
        assert.ok(!SIGNATURE_ERRORS.includes(res.type ?? ''), `${target} answered ${res.type}`);
        // Whatever the handler answers (UnsupportedOperationException until it is built, then an unknown
        // client or token), it is the answer a signed call gets: the signature plays no part.
        const signed = await send(server.url, await signedRequest(server.url, target, JSON.stringify(body)));
        assert.equal(res.type, signed.type, `${target}: unsigned ${res.type}, signed ${signed.type}`);
      }
      // An invalid unsigned call gets the validation answer, not an authentication one.
      const invalid = await unsigned(server.url, `${IDP}.InitiateAuth`, { ClientId: 'abc123' });
      assert.equal(invalid.type, 'InvalidParameterException');
      assert.match(invalid.body.message!, /Value null at 'authFlow' failed to satisfy constraint: Member must not be null/);
    });

    it('does not ask the SDK for a signature on unsigned operations, whatever its credentials', async () => {
      const stranger = sdkClient(server.url, 'us-east-1', { accessKeyId: 'AKIASTRANGER0000001', secretAccessKey: 'not-a-secret-gatehouse-knows' });
      // Each call starts only when awaited, so no rejection is left unhandled while another is checked.
      const attempts = [
        () => stranger.send(new InitiateAuthCommand({ AuthFlow: 'USER_PASSWORD_AUTH', ClientId: 'abc123', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Passw0rd!' } })),
        () => stranger.send(new SignUpCommand({ ClientId: 'abc123', Username: 'alice', Password: 'Passw0rd!' })),
      ];
      for (const attempt of attempts) {
        // No client or user exists, so the call fails, but not for want of a signature.
        await assert.rejects(attempt(), (error: SdkError) => {
          assert.ok(!SIGNATURE_ERRORS.includes(error.name), `answered ${error.name}: ${error.message}`);
          assert.ok(error.$metadata.httpStatusCode! >= 400 && error.$metadata.httpStatusCode! < 500, `status ${error.$metadata.httpStatusCode}`);
          return true;
        });
      }
    });

    it('has no development routes', async () => {
      const res = await fetch(`${server.url}/_dev/reset`, { method: 'POST' });
      await res.text();
      assert.equal(res.status, 404);
      const still = await idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
      assert.equal(still.UserPool?.Id, poolId);
    });
  });

  describe(`production mode without access keys (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(store.name, { ...PRODUCTION, accessKeys: [] });
    });
    after(() => server?.close());

    it('refuses every signed call', async () => {
      await rejects(
        sdkClient(server.url, 'us-east-1', { ...ACCESS_KEY }).send(new ListUserPoolsCommand({ MaxResults: 10 })),
        'UnrecognizedClientException',
        400,
      );
    });
  });

  describe(`development mode accepts any credentials (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(store.name);
    });
    after(() => server?.close());

    const randomKey = () => ({
      accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    });

    it('serves admin calls signed with keys it has never seen', async () => {
      const [first, second] = [randomKey(), randomKey()];
      assert.notEqual(first.accessKeyId, second.accessKeyId);
      const { UserPool } = await sdkClient(server.url, 'us-east-1', first).send(new CreateUserPoolCommand({ PoolName: 'dev-one' }));
      const described = await sdkClient(server.url, 'us-east-1', second).send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id! }));
      assert.equal(described.UserPool?.Name, 'dev-one');
    });

    it('serves admin calls with no signature at all, and with a stale one', async () => {
      const res = await unsigned(server.url, `${IDP}.ListUserPools`, { MaxResults: 10 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const late = new CognitoIdentityProviderClient({
        endpoint: server.url,
        region: 'us-east-1',
        credentials: randomKey(),
        maxAttempts: 1,
        systemClockOffset: -60 * MINUTE,
      });
      const listed = await late.send(new ListUserPoolsCommand({ MaxResults: 10 }));
      assert.ok(listed.UserPools?.some((p) => p.Name === 'dev-one'));
    });
  });
}

describe('configuration guards for signing', () => {
  const secretsKey = 'k'.repeat(32);

  function refuses(overrides: Parameters<typeof loadConfig>[0], env: NodeJS.ProcessEnv, key: string): void {
    assert.throws(
      () => loadConfig(overrides, env),
      (error: Error) => {
        assert.ok(error instanceof ConfigError, `a ConfigError, not ${error.name}: ${error.message}`);
        assert.match(error.message, new RegExp(`\\b${key}\\b`));
        return true;
      },
    );
  }

  it('refuses production mode without a secrets key', () => {
    refuses({ mode: 'production' }, {}, 'secretsKey');
    refuses({}, { GATEHOUSE_MODE: 'production' }, 'secretsKey');
    // Too short a key is no key.
    refuses({ mode: 'production' }, { GATEHOUSE_SECRETS_KEY: 'short' }, 'secretsKey');
  });

  it('starts production mode with a secrets key, on any address, with access keys from the environment', () => {
    const config = loadConfig(
      { mode: 'production', host: '0.0.0.0' },
      { GATEHOUSE_SECRETS_KEY: secretsKey, GATEHOUSE_ACCESS_KEYS: `${ACCESS_KEY.accessKeyId}:${ACCESS_KEY.secretAccessKey}` },
    );
    assert.equal(config.mode, 'production');
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.secretsKey, secretsKey);
    assert.deepEqual(config.accessKeys, [ACCESS_KEY]);
  });

  it('refuses a non-loopback host in development mode', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'gatehouse.example.com']) {
      refuses({ host }, {}, 'host');
      refuses({}, { GATEHOUSE_HOST: host }, 'host');
    }
  });

  it('lets development mode bind to loopback', () => {
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) {
      assert.equal(loadConfig({ host }, {}).host, host);
    }
  });
});
