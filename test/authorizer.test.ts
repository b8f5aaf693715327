import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import Fastify from 'fastify';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import type { ServiceContext } from '../src/context.js';
import { SecretBox } from '../src/security/secret-box.js';
import { issueCredentials } from '../src/sts/session-credentials.js';
import {
  RolePolicyCache,
  authorizeFetchRequest,
  captureRawBody,
  createIamAuthorizer,
  createUserPoolAuthorizer,
  decideIamRequest,
  expressAuthorizer,
  fastifyAuthorizer,
  parsePolicy,
  refusalResponse,
  s3AccessChecks,
  s3Actions,
  sessionOpener,
  templateActions,
  type AuthorizerDecision,
  type AuthorizerRequest,
  type IamPrincipal,
  type LoadedRole,
  type Refused,
} from '../src/authorizer/index.js';
import { droppingPort } from './helpers/dropping-port.js';
import { FAST_HASHING, startServer, type TestServer } from './helpers/server.js';
import { parseRouteTable, RouteTableError } from '../src/gateway-routes.js';

const SECRETS_KEY = 'authorizer-test-secrets-key-0123456789abcdef';
const ACCOUNT = '000000000000';
const ROLE = 'photos';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE}`;
const ROLE_ID = 'AROAPHOTOSEXAMPLE0001';
const ALICE = 'us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-5b6c7d8e9f01';
const BOB = 'us-east-1:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const HOST = '127.0.0.1:9000';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** The authorizers' clock in these tests: fixed, so expiry and skew are exact. */
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

const PHOTO_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bucket/photos/${cognito-identity.amazonaws.com:sub}/*' },
    {
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::bucket',
      Condition: { StringLike: { 's3:prefix': 'photos/${cognito-identity.amazonaws.com:sub}/*' } },
    },
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:us-east-1:000000000000:orders/*' },
    { Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::bucket/photos/*/private/*' },
  ],
};

interface Creds {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Real Gatehouse session credentials, sealed under SECRETS_KEY as the STS endpoint seals them. */
function credentialsFor(identityId: string, expiresAt = T0 + HOUR, secretsKey = SECRETS_KEY): Creds {
  const ctx = { secrets: new SecretBox(secretsKey), randomBytes } as unknown as ServiceContext;
  const issued = issueCredentials(ctx, {
    roleArn: ROLE_ARN,
    roleId: ROLE_ID,
    sessionName: 'CognitoIdentityCredentials',
    expiresAt,
    context: {
      'cognito-identity.amazonaws.com:aud': 'us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab',
      'cognito-identity.amazonaws.com:sub': identityId,
      'cognito-identity.amazonaws.com:amr': ['authenticated'],
      'aws:userid': `${ROLE_ID}:CognitoIdentityCredentials`,
    },
  });
  return { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken };
}

function escape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface SignSpec {
  method?: string;
  /** Already encoded, as an SDK puts it on the wire. */
  path: string;
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string;
  service?: string;
  credentials: Partial<Creds> & { accessKeyId: string; secretAccessKey: string };
  signingDate?: number;
  presign?: number | false;
  /** x-amz-content-sha256 as S3 clients send it (true: the body's hash; a string: that value). */
  contentSha?: boolean | string;
  host?: string;
}

/** Signs (or presigns) with the AWS SDK's own signer and returns the request as it arrives at the authorizer. */
async function signed(spec: SignSpec): Promise<AuthorizerRequest> {
  const service = spec.service ?? 's3';
  const signer = new SignatureV4({
    credentials: spec.credentials,
    region: 'us-east-1',
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: service !== 's3',
    applyChecksum: spec.contentSha === true,
  });
  const host = spec.host ?? HOST;
  const headers: Record<string, string> = { host, ...spec.headers };
  if (typeof spec.contentSha === 'string') headers['x-amz-content-sha256'] = spec.contentSha;
  const request = new HttpRequest({ method: spec.method ?? 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 9000, path: spec.path, query: spec.query ?? {}, headers, ...(spec.body !== undefined && { body: spec.body }) });
  const signingDate = new Date(spec.signingDate ?? T0);
  const out = spec.presign ? await signer.presign(request, { signingDate, expiresIn: spec.presign }) : await signer.sign(request, { signingDate });
  const outQuery = out.query ?? {};
  const query = Object.keys(outQuery)
    .sort()
    .flatMap((name) => {
      const value = outQuery[name];
      return (Array.isArray(value) ? value : [value ?? '']).map((v) => `${escape(name)}=${escape(v)}`);
    })
    .join('&');
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(out.headers)) lower[name.toLowerCase()] = value;
  return { method: out.method, url: query ? `${out.path}?${query}` : out.path, headers: lower, ...(spec.body !== undefined && { body: Buffer.from(spec.body) }), sourceIp: '203.0.113.7' };
}

function refused(decision: AuthorizerDecision<unknown>, status: number, code: string): void {
  assert.equal(decision.allowed, false, `expected ${status} ${code}, got allowed`);
  if (!decision.allowed) {
    assert.equal(decision.code, code, `expected ${code}, got ${decision.code}: ${decision.message}`);
    assert.equal(decision.status, status);
  }
}

function allowed(decision: AuthorizerDecision<IamPrincipal>): IamPrincipal {
  assert.equal(decision.allowed, true, decision.allowed ? '' : `refused ${decision.status} ${decision.code}: ${decision.message}`);
  return (decision as { principal: IamPrincipal }).principal;
}

describe('IAM authorizer: the decision', () => {
  const alice = credentialsFor(ALICE);
  const roles = new Map<string, LoadedRole | null>([[ROLE, { roleId: ROLE_ID, policies: [parsePolicy(PHOTO_POLICY, { kind: 'identity' })] }]]);
  let now = T0;
  const authorize = createIamAuthorizer({
    secretsKey: SECRETS_KEY,
    roles: async (name) => {
      const role = roles.get(name);
      return role === null || role === undefined ? undefined : { roleId: role.roleId!, policies: role.policies };
    },
    policyCacheSeconds: 0,
    resolveAction: (request) => (request.url.startsWith('/orders') ? templateActions({ action: 'execute-api:Invoke', resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:orders/\${method}\${path}` })(request) : s3AccessChecks(request)),
    now: () => new Date(now),
  });

  it('allows a header-signed S3 PUT with the body hash (x-amz-content-sha256), under the caller’s own prefix', async () => {
    const request = await signed({ method: 'PUT', path: `/bucket/photos/${escape(ALICE)}/cat%20%281%29.jpg`, query: { 'x-id': 'PutObject' }, body: 'meow', contentSha: true, credentials: alice });
    assert.match(String(request.headers['x-amz-content-sha256']), /^[0-9a-f]{64}$/);
    const principal = allowed(await authorize(request));
    assert.equal(principal.action, 's3:PutObject');
    assert.equal(principal.resource, `arn:aws:s3:::bucket/photos/${ALICE}/cat (1).jpg`);
    assert.equal(principal.identityId, ALICE);
    assert.equal(principal.roleArn, ROLE_ARN);
    assert.equal(principal.presigned, false);
  });

  it('allows a GET, a HEAD and a ListBucket of the own prefix; refuses another identity’s prefix and an explicit Deny', async () => {
    allowed(await authorize(await signed({ path: `/bucket/photos/${escape(ALICE)}/cat.jpg`, contentSha: true, credentials: alice })));
    allowed(await authorize(await signed({ method: 'HEAD', path: `/bucket/photos/${escape(ALICE)}/cat.jpg`, contentSha: true, credentials: alice })));
    allowed(await authorize(await signed({ path: '/bucket', query: { 'list-type': '2', prefix: `photos/${ALICE}/2026` }, contentSha: true, credentials: alice })));
    refused(await authorize(await signed({ path: '/bucket', query: { 'list-type': '2', prefix: 'photos/' }, contentSha: true, credentials: alice })), 403, 'AccessDenied');
    const other = await authorize(await signed({ path: `/bucket/photos/${escape(BOB)}/cat.jpg`, contentSha: true, credentials: alice }));
    refused(other, 403, 'AccessDenied');
    assert.match((other as { message: string }).message, /not authorized to perform: s3:GetObject on resource: arn:aws:s3:::bucket\/photos\/us-east-1:9a8b.*because no identity-based policy allows/);
    const denied = await authorize(await signed({ path: `/bucket/photos/${escape(ALICE)}/private/x.jpg`, contentSha: true, credentials: alice }));
    refused(denied, 403, 'AccessDenied');
    assert.match((denied as { message: string }).message, /explicit deny/);
    refused(await authorize(await signed({ method: 'DELETE', path: `/bucket/photos/${escape(ALICE)}/cat.jpg`, contentSha: true, credentials: alice })), 403, 'AccessDenied');
  });

  it('verifies services that normalise and double-encode the path, with a multi-valued query (execute-api)', async () => {
    const request = await signed({
      method: 'POST',
      path: '/orders/a%20b/./c/../d',
      query: { b: ['2', '1'], a: 'x y', 'c~': "it's" },
      headers: { 'content-type': 'application/json', 'x-custom': '  spaced   out  ' },
      body: '{"n":1}',
      service: 'execute-api',
      credentials: alice,
    });
    const principal = allowed(await authorize(request));
    assert.equal(principal.action, 'execute-api:Invoke');
    assert.equal(principal.resource, 'arn:aws:execute-api:us-east-1:000000000000:orders/POST/orders/a b/./c/../d');
    // Without x-amz-content-sha256 the signature covers the body: a changed body breaks it.
    refused(await authorize({ ...request, body: Buffer.from('{"n":2}') }), 403, 'SignatureDoesNotMatch');
  });

  it('allows a presigned GET (X-Amz-* in the query) until X-Amz-Expires, from S3 presigners and generic ones', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    // As @aws-sdk/s3-request-presigner: UNSIGNED-PAYLOAD, hoisted into the query by the signer.
    const s3Style = await signed({ path, presign: 300, contentSha: UNSIGNED, credentials: alice });
    assert.match(s3Style.url, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.match(s3Style.url, /X-Amz-Security-Token=/);
    assert.equal(s3Style.headers.authorization, undefined);
    assert.equal(allowed(await authorize(s3Style)).presigned, true);
    // A generic presigner signs the (empty) body's hash and nothing else.
    allowed(await authorize(await signed({ path, presign: 300, credentials: alice })));
    allowed(await authorize(await signed({ path: '/orders/list', presign: 60, service: 'execute-api', credentials: alice })));

    now = T0 + 299_000;
    try {
      allowed(await authorize(s3Style));
      now = T0 + 301_000;
      refused(await authorize(s3Style), 403, 'AccessDenied');
    } finally {
      now = T0;
    }
    // Signed in the future beyond the skew: not valid yet.
    refused(await authorize(await signed({ path, presign: 300, signingDate: T0 + 10 * MINUTE, credentials: alice })), 403, 'RequestTimeTooSkewed');
    // A changed query parameter breaks the signature.
    refused(await authorize({ ...s3Style, url: s3Style.url.replace('X-Amz-Expires=300', 'X-Amz-Expires=3000') }), 403, 'SignatureDoesNotMatch');
    refused(await authorize({ ...s3Style, url: s3Style.url.replace('X-Amz-Expires=300', 'X-Amz-Expires=999999') }), 403, 'AuthorizationQueryParametersError');
  });

  it('refuses a wrong signature: another secret, a changed path, method or signed header', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    refused(await authorize(await signed({ path, contentSha: true, credentials: { ...alice, secretAccessKey: 'x'.repeat(40) } })), 403, 'SignatureDoesNotMatch');
    refused(await authorize(await signed({ path, presign: 60, credentials: { ...alice, secretAccessKey: 'x'.repeat(40) } })), 403, 'SignatureDoesNotMatch');
    const good = await signed({ path, contentSha: true, headers: { 'x-amz-meta-owner': 'alice' }, credentials: alice });
    allowed(await authorize(good));
    refused(await authorize({ ...good, url: `/bucket/photos/${escape(ALICE)}/dog.jpg` }), 403, 'SignatureDoesNotMatch');
    refused(await authorize({ ...good, method: 'DELETE' }), 403, 'SignatureDoesNotMatch');
    refused(await authorize({ ...good, headers: { ...good.headers, 'x-amz-meta-owner': 'mallory' } }), 403, 'SignatureDoesNotMatch');
    refused(await authorize({ ...good, headers: { ...good.headers, host: 'evil.example:9000' } }), 403, 'SignatureDoesNotMatch');
    const { 'x-amz-meta-owner': _owner, ...withoutSignedHeader } = good.headers;
    refused(await authorize({ ...good, headers: withoutSignedHeader }), 403, 'SignatureDoesNotMatch');
  });

  it('refuses an expired session (ExpiredToken), even when the signature’s own date is current', async () => {
    const shortLived = credentialsFor(ALICE, T0 + 15 * MINUTE);
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    allowed(await authorize(await signed({ path, contentSha: true, credentials: shortLived })));
    now = T0 + 16 * MINUTE;
    try {
      refused(await authorize(await signed({ path, contentSha: true, signingDate: now, credentials: shortLived })), 403, 'ExpiredToken');
      refused(await authorize(await signed({ path, presign: 3600, signingDate: T0, credentials: shortLived })), 403, 'ExpiredToken');
    } finally {
      now = T0;
    }
  });

  it('refuses a tampered or foreign session token (InvalidToken) and an access key id that is not the token’s', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const token = alice.sessionToken;
    const middle = Math.floor(token.length / 2);
    const tampered = `${token.slice(0, middle)}${token[middle] === 'A' ? 'B' : 'A'}${token.slice(middle + 1)}`;
    refused(await authorize(await signed({ path, contentSha: true, credentials: { ...alice, sessionToken: tampered } })), 403, 'InvalidToken');
    refused(await authorize(await signed({ path, contentSha: true, credentials: { ...alice, sessionToken: 'FQoGZXIvYXdzEXAMPLE' } })), 403, 'InvalidToken');
    // Sealed under another installation's key.
    refused(await authorize(await signed({ path, contentSha: true, credentials: credentialsFor(ALICE, T0 + HOUR, 'another-installation-secrets-key-000000000') })), 403, 'InvalidToken');
    // Bob's access key and secret with Alice's token: the token names another key.
    const bob = credentialsFor(BOB);
    refused(await authorize(await signed({ path, contentSha: true, credentials: { ...bob, sessionToken: alice.sessionToken } })), 403, 'InvalidAccessKeyId');
    // No token at all: long-term keys are not this authorizer's.
    refused(await authorize(await signed({ path, contentSha: true, credentials: { accessKeyId: alice.accessKeyId, secretAccessKey: alice.secretAccessKey } })), 403, 'InvalidAccessKeyId');
  });

  it('allows X-Amz-Date within the clock skew and refuses it beyond (RequestTimeTooSkewed)', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    allowed(await authorize(await signed({ path, contentSha: true, signingDate: T0 - 4 * MINUTE, credentials: alice })));
    allowed(await authorize(await signed({ path, contentSha: true, signingDate: T0 + 4 * MINUTE, credentials: alice })));
    refused(await authorize(await signed({ path, contentSha: true, signingDate: T0 - 6 * MINUTE, credentials: alice })), 403, 'RequestTimeTooSkewed');
    refused(await authorize(await signed({ path, contentSha: true, signingDate: T0 + 6 * MINUTE, credentials: alice })), 403, 'RequestTimeTooSkewed');
    const request = await signed({ path, contentSha: true, credentials: alice });
    refused(await authorize({ ...request, headers: { ...request.headers, 'x-amz-date': 'yesterday' } }), 403, 'IncompleteSignature');
  });

  it('checks x-amz-content-sha256 against the body unless it is UNSIGNED-PAYLOAD or STREAMING-…', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const put = await signed({ method: 'PUT', path, body: 'original', contentSha: true, credentials: alice });
    allowed(await authorize(put));
    refused(await authorize({ ...put, body: Buffer.from('replaced') }), 403, 'XAmzContentSHA256Mismatch');
    refused(await authorize({ ...put, body: undefined }), 403, 'XAmzContentSHA256Mismatch');
    const unsigned = await signed({ method: 'PUT', path, body: 'original', contentSha: UNSIGNED, credentials: alice });
    allowed(await authorize({ ...unsigned, body: Buffer.from('anything at all') }));
    const streaming = await signed({ method: 'PUT', path, body: 'chunks', contentSha: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', credentials: alice });
    allowed(await authorize(streaming));
    const bogus = await signed({ method: 'PUT', path, body: 'x', contentSha: 'not-a-hash', credentials: alice });
    refused(await authorize(bogus), 403, 'InvalidArgument');
  });

  it('answers malformed signing on S3 routes as S3 does: 400 with its own codes, where API Gateway answers 403', async () => {
    const s3 = async (request: AuthorizerRequest) => {
      const decision = await authorize(request);
      assert.equal(decision.allowed, false);
      const { status, body } = refusalResponse(decision as Refused, 's3');
      return `${status} ${/<Code>([^<]*)<\/Code>/.exec(body)?.[1]}`;
    };
    assert.equal(await s3({ method: 'GET', url: '/bucket/photos/x', headers: { host: HOST, authorization: 'AWS4-HMAC-SHA256 Credential=nonsense' } }), '400 AuthorizationHeaderMalformed');
    assert.equal(await s3({ method: 'GET', url: '/bucket/photos/x?X-Amz-Signature=00', headers: { host: HOST } }), '400 AuthorizationQueryParametersError');
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const presigned = await signed({ path, presign: 300, contentSha: UNSIGNED, credentials: alice });
    assert.equal(await s3({ ...presigned, url: presigned.url.replace('X-Amz-Expires=300', 'X-Amz-Expires=999999') }), '400 AuthorizationQueryParametersError');
    const headerSigned = await signed({ path, contentSha: true, credentials: alice });
    assert.equal(await s3({ ...presigned, headers: { ...presigned.headers, authorization: String(headerSigned.headers.authorization) } }), '400 InvalidArgument');
    // What S3 answers with 403 stays 403.
    assert.equal(await s3({ ...headerSigned, headers: { ...headerSigned.headers, authorization: String(headerSigned.headers.authorization).replace(/Signature=\w{4}/, 'Signature=0000') } }), '403 SignatureDoesNotMatch');
    assert.equal(refusalResponse((await authorize({ method: 'GET', url: '/bucket/photos/x', headers: { host: HOST, authorization: 'AWS4-HMAC-SHA256 Credential=nonsense' } })) as Refused, 'json').status, 403);
  });

  it('answers 401 when there are no SigV4 credentials and 403 when they are malformed', async () => {
    refused(await authorize({ method: 'GET', url: '/bucket/photos/x', headers: { host: HOST } }), 401, 'MissingAuthenticationToken');
    refused(await authorize({ method: 'GET', url: '/bucket/photos/x', headers: { host: HOST, authorization: 'Bearer abc.def.ghi' } }), 401, 'MissingAuthenticationToken');
    refused(await authorize({ method: 'GET', url: '/bucket/photos/x', headers: { host: HOST, authorization: 'AWS4-HMAC-SHA256 Credential=nonsense' } }), 403, 'IncompleteSignature');
    refused(await authorize({ method: 'GET', url: '/bucket/photos/x?X-Amz-Signature=00', headers: { host: HOST } }), 403, 'IncompleteSignature');
    refused(await authorize({ method: 'GET', url: '/bucket/photos/x?a=%E0%A4%A', headers: { host: HOST } }), 403, 'IncompleteSignature');
    // Host must be signed.
    const noHost = new SignatureV4({ credentials: alice, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const out = await noHost.sign(new HttpRequest({ method: 'GET', hostname: '127.0.0.1', path: `/bucket/photos/${escape(ALICE)}/a`, headers: {} }), { signingDate: new Date(T0) });
    refused(await authorize({ method: 'GET', url: `/bucket/photos/${escape(ALICE)}/a`, headers: { ...lowerCase(out.headers), host: HOST } }), 403, 'SignatureDoesNotMatch');
  });

  it('refuses a request carrying both an Authorization header and X-Amz-Signature (InvalidArgument, 403)', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const presigned = await signed({ path, presign: 300, contentSha: UNSIGNED, credentials: alice });
    const headerSigned = await signed({ path, contentSha: true, credentials: alice });
    allowed(await authorize(presigned));
    allowed(await authorize(headerSigned));
    const both = await authorize({ ...presigned, headers: { ...presigned.headers, authorization: String(headerSigned.headers.authorization) } });
    refused(both, 403, 'InvalidArgument');
    assert.equal((both as { message: string }).message, 'Only one auth mechanism allowed: the Authorization header or X-Amz-Signature.');
    // An Authorization header of another scheme next to a presigned query is not a second SigV4 mechanism.
    allowed(await authorize({ ...presigned, headers: { ...presigned.headers, authorization: 'Bearer abc.def.ghi' } }));
  });

  it('refuses a credential scope dated another day than X-Amz-Date (SignatureDoesNotMatch), header-signed or presigned', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const message = 'The date of the credential scope is not the date of X-Amz-Date.';
    const good = await signed({ path, contentSha: true, credentials: alice });
    const authorization = String(good.headers.authorization);
    assert.match(authorization, /\/20261126\/us-east-1\/s3\/aws4_request/);
    const header = await authorize({ ...good, headers: { ...good.headers, authorization: authorization.replace('/20261126/', '/20261125/') } });
    refused(header, 403, 'SignatureDoesNotMatch');
    assert.equal((header as { message: string }).message, message);

    const presigned = await signed({ path, presign: 300, contentSha: UNSIGNED, credentials: alice });
    assert.match(presigned.url, /X-Amz-Credential=[^&]*%2F20261126%2F/);
    const query = await authorize({ ...presigned, url: presigned.url.replace('%2F20261126%2F', '%2F20261127%2F') });
    refused(query, 403, 'SignatureDoesNotMatch');
    assert.equal((query as { message: string }).message, message);
  });

  it('refuses a signature that does not cover Host (SignatureDoesNotMatch: Host must be a signed header)', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const message = 'Host must be a signed header.';
    const good = await signed({ path, contentSha: true, credentials: alice });
    const authorization = String(good.headers.authorization);
    assert.match(authorization, /SignedHeaders=host;/);
    const header = await authorize({ ...good, headers: { ...good.headers, authorization: authorization.replace('SignedHeaders=host;', 'SignedHeaders=') } });
    refused(header, 403, 'SignatureDoesNotMatch');
    assert.equal((header as { message: string }).message, message);
    // Signed by the SDK's own signer without a Host header at all.
    const noHost = new SignatureV4({ credentials: alice, region: 'us-east-1', service: 's3', sha256: Hash.bind(null, 'sha256'), uriEscapePath: false });
    const out = await noHost.sign(new HttpRequest({ method: 'GET', hostname: '127.0.0.1', path, headers: {} }), { signingDate: new Date(T0) });
    const bySdk = await authorize({ method: 'GET', url: path, headers: { ...lowerCase(out.headers), host: HOST } });
    refused(bySdk, 403, 'SignatureDoesNotMatch');
    assert.equal((bySdk as { message: string }).message, message);
    // Presigned: X-Amz-SignedHeaders without host.
    const presigned = await signed({ path, presign: 300, contentSha: UNSIGNED, credentials: alice });
    assert.match(presigned.url, /X-Amz-SignedHeaders=host(&|$)/);
    const query = await authorize({ ...presigned, url: presigned.url.replace(/X-Amz-SignedHeaders=host(?=&|$)/, 'X-Amz-SignedHeaders=x-amz-date') });
    refused(query, 403, 'SignatureDoesNotMatch');
    assert.equal((query as { message: string }).message, message);
  });

  it('refuses sessions of a role that no longer exists or was re-created, and requests that map to no action', async () => {
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    const request = await signed({ path, contentSha: true, credentials: alice });
    const saved = roles.get(ROLE)!;
    try {
      roles.set(ROLE, { roleId: 'AROANEWROLE0000000001', policies: saved.policies });
      refused(await authorize(request), 403, 'AccessDenied');
      roles.set(ROLE, null);
      refused(await authorize(request), 403, 'AccessDenied');
    } finally {
      roles.set(ROLE, saved);
    }
    refused(await authorize(await signed({ method: 'PATCH', path, contentSha: true, credentials: alice })), 403, 'AccessDenied');
  });

  it('keeps to the signing services it is given', async () => {
    const s3Only = createIamAuthorizer({ secretsKey: SECRETS_KEY, roles: async () => [PHOTO_POLICY], services: ['s3'], resolveAction: s3Actions(), now: () => new Date(T0) });
    const path = `/bucket/photos/${escape(ALICE)}/cat.jpg`;
    allowed(await s3Only(await signed({ path, contentSha: true, credentials: alice })));
    refused(await s3Only(await signed({ path, service: 'execute-api', credentials: alice })), 403, 'SignatureDoesNotMatch');
  });

  it('caches a role’s policies for policyCacheSeconds, loading each role once at a time', async () => {
    let loads = 0;
    let wall = 0;
    const cache = new RolePolicyCache(
      async () => {
        loads++;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return [JSON.stringify(PHOTO_POLICY)];
      },
      30_000,
      () => wall,
    );
    const [a, b] = await Promise.all([cache.get(ROLE), cache.get(ROLE)]);
    assert.equal(loads, 1);
    assert.equal(a, b);
    assert.equal(cache.peek(ROLE), a);
    wall = 29_999;
    await cache.get(ROLE);
    assert.equal(loads, 1);
    wall = 30_000;
    assert.equal(cache.peek(ROLE), undefined);
    await cache.get(ROLE);
    assert.equal(loads, 2);
    // A repository-shaped source: get() tells whether the role exists and its id.
    const repo = new RolePolicyCache({ policies: async () => [{ name: 'p', document: JSON.stringify(PHOTO_POLICY) }], get: async (name) => (name === ROLE ? { roleId: ROLE_ID } : undefined) });
    assert.equal((await repo.get(ROLE))?.roleId, ROLE_ID);
    assert.equal((await repo.get('gone')), null);
  });

  it('is a pure, synchronous decision with the role already loaded (decideIamRequest)', async () => {
    const role = roles.get(ROLE)!;
    const request = await signed({ path: `/bucket/photos/${escape(ALICE)}/cat.jpg`, contentSha: true, credentials: alice });
    const decision = decideIamRequest(request, { openSession: sessionOpener(SECRETS_KEY), nowMs: T0, maxClockSkewSeconds: 300, role: () => role, resolveAction: s3Actions() });
    assert.equal(allowed(decision).action, 's3:GetObject');
  });

  it('puts the global condition keys in the context: aws:SourceIp, aws:SecureTransport, aws:CurrentTime, aws:userid', async () => {
    const policy = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: 'arn:aws:s3:::bucket/*',
          Condition: {
            IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
            Bool: { 'aws:SecureTransport': 'true' },
            DateLessThan: { 'aws:CurrentTime': '2026-11-27T00:00:00Z' },
            StringEquals: { 'aws:userid': `${ROLE_ID}:CognitoIdentityCredentials`, 'aws:PrincipalType': 'AssumedRole' },
          },
        },
      ],
    };
    let clock = T0;
    const strict = createIamAuthorizer({ secretsKey: SECRETS_KEY, roles: async () => [policy], resolveAction: s3Actions(), now: () => new Date(clock) });
    const request = await signed({ path: '/bucket/a.txt', contentSha: true, credentials: alice });
    allowed(await strict({ ...request, secure: true }));
    refused(await strict({ ...request, secure: false }), 403, 'AccessDenied');
    refused(await strict({ ...request, secure: true, sourceIp: '198.51.100.1' }), 403, 'AccessDenied');
    allowed(await strict({ ...request, secure: true, sourceIp: '::ffff:203.0.113.9' }));
    clock = Date.UTC(2026, 10, 27, 0, 0, 1);
    const longLived = credentialsFor(ALICE, clock + HOUR);
    const later = await signed({ path: '/bucket/a.txt', contentSha: true, signingDate: clock, credentials: longLived });
    refused(await strict({ ...later, secure: true }), 403, 'AccessDenied');
  });
});

const UNSIGNED = 'UNSIGNED-PAYLOAD';

function lowerCase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

describe('S3 action mapping (path style)', () => {
  const check = (method: string, url: string, headers: Record<string, string> = {}) => s3AccessChecks({ method, url, headers });
  const one = (method: string, url: string) => {
    const checks = check(method, url);
    return checks && checks.map((c) => `${c.action} ${c.resource}`).join(' + ');
  };

  it('maps object requests: GET/HEAD → GetObject, PUT → PutObject, DELETE → DeleteObject, on arn:aws:s3:::bucket/key', () => {
    assert.equal(one('GET', '/bucket/photos/a%20b.jpg?x-id=GetObject'), 's3:GetObject arn:aws:s3:::bucket/photos/a b.jpg');
    assert.equal(one('HEAD', '/bucket/k'), 's3:GetObject arn:aws:s3:::bucket/k');
    assert.equal(one('PUT', '/bucket/photos/us-east-1%3Aid/x.jpg?x-id=PutObject'), 's3:PutObject arn:aws:s3:::bucket/photos/us-east-1:id/x.jpg');
    assert.equal(one('DELETE', '/bucket/k'), 's3:DeleteObject arn:aws:s3:::bucket/k');
    assert.equal(one('GET', '/bucket/k?versionId=3'), 's3:GetObjectVersion arn:aws:s3:::bucket/k');
    assert.equal(one('PUT', '/bucket/k?tagging'), 's3:PutObjectTagging arn:aws:s3:::bucket/k');
    assert.equal(one('GET', '/bucket/k?acl'), 's3:GetObjectAcl arn:aws:s3:::bucket/k');
    assert.equal(one('POST', '/bucket/k?uploads'), 's3:PutObject arn:aws:s3:::bucket/k');
    assert.equal(one('PUT', '/bucket/k?partNumber=1&uploadId=u'), 's3:PutObject arn:aws:s3:::bucket/k');
    assert.equal(one('DELETE', '/bucket/k?uploadId=u'), 's3:AbortMultipartUpload arn:aws:s3:::bucket/k');
    assert.equal(one('GET', '/bucket/k?uploadId=u'), 's3:ListMultipartUploadParts arn:aws:s3:::bucket/k');
    assert.equal(one('PATCH', '/bucket/k'), undefined);
  });

  it('maps bucket requests: GET → ListBucket (with s3:prefix), PUT → CreateBucket, DELETE → DeleteBucket; GET / → ListAllMyBuckets', () => {
    const [list] = check('GET', '/bucket?list-type=2&prefix=photos%2Fme%2F&delimiter=%2F')!;
    assert.deepEqual(list, { action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket', context: { 's3:prefix': 'photos/me/', 's3:delimiter': '/' } });
    assert.equal(one('GET', '/bucket/'), 's3:ListBucket arn:aws:s3:::bucket');
    assert.equal(one('HEAD', '/bucket'), 's3:ListBucket arn:aws:s3:::bucket');
    assert.equal(one('PUT', '/bucket'), 's3:CreateBucket arn:aws:s3:::bucket');
    assert.equal(one('DELETE', '/bucket'), 's3:DeleteBucket arn:aws:s3:::bucket');
    assert.equal(one('GET', '/bucket?uploads'), 's3:ListBucketMultipartUploads arn:aws:s3:::bucket');
    assert.equal(one('POST', '/bucket?delete'), 's3:DeleteObject arn:aws:s3:::bucket/*');
    assert.equal(one('GET', '/'), 's3:ListAllMyBuckets arn:aws:s3:::*');
    assert.equal(one('GET', '/bucket/%E0%A4%A'), undefined);
  });

  it('CopyObject also needs GetObject on the source; a base path is stripped', () => {
    const checks = check('PUT', '/bucket/dest', { 'x-amz-copy-source': '/other/src%20key?versionId=1' })!;
    assert.deepEqual(
      checks.map((c) => `${c.action} ${c.resource}`),
      ['s3:PutObject arn:aws:s3:::bucket/dest', 's3:GetObjectVersion arn:aws:s3:::other/src key'],
    );
    assert.equal(s3AccessChecks({ method: 'GET', url: '/store/bucket/k', headers: {} }, { basePath: '/store' })?.[0]?.resource, 'arn:aws:s3:::bucket/k');
    assert.equal(s3AccessChecks({ method: 'GET', url: '/elsewhere/k', headers: {} }, { basePath: '/store' }), undefined);
  });

  it('fixed templates fill ${method}, ${path} and ${rest}', () => {
    const resolve = templateActions({ action: 'orders:${method}', resource: 'arn:aws:execute-api:us-east-1:000000000000:api/${rest}', prefix: '/api' });
    assert.deepEqual(resolve({ method: 'GET', url: '/api/orders/7?x=1', headers: {} }), { action: 'orders:GET', resource: 'arn:aws:execute-api:us-east-1:000000000000:api//orders/7' });
  });
});

describe('middleware adapters', () => {
  // These requests are signed with the real clock, so their credentials must be valid now, not at T0.
  const alice = credentialsFor(ALICE, Date.now() + HOUR);
  const authorize = createIamAuthorizer({
    secretsKey: SECRETS_KEY,
    roles: async () => [PHOTO_POLICY],
    resolveAction: templateActions({ action: 'execute-api:Invoke', resource: 'arn:aws:execute-api:us-east-1:000000000000:orders/${method}${path}' }),
    // The signatures below are made with the real clock.
  });

  it('Fastify: a preHandler with captureRawBody checks a JSON body’s signature and exposes the decision', async () => {
    const app = Fastify();
    app.addHook('preParsing', captureRawBody());
    app.addHook('preHandler', fastifyAuthorizer(authorize));
    app.post('/orders/new', async (request) => ({ echo: request.body, principal: request.authorizer?.principalId }));
    app.get('/orders/list', async (request) => ({ principal: request.authorizer?.principalId }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const host = new URL(url).host;
      const body = JSON.stringify({ item: 'camera' });
      const request = await signed({ method: 'POST', path: '/orders/new', headers: { 'content-type': 'application/json' }, body, service: 'execute-api', credentials: alice, signingDate: Date.now(), host });
      const { host: _h, ...headers } = request.headers as Record<string, string>;
      const ok = await fetch(`${url}/orders/new`, { method: 'POST', headers, body });
      assert.equal(ok.status, 200);
      assert.deepEqual(await ok.json(), { echo: { item: 'camera' }, principal: `${ROLE_ID}:CognitoIdentityCredentials` });
      const tampered = await fetch(`${url}/orders/new`, { method: 'POST', headers, body: JSON.stringify({ item: 'camera', qty: 100 }) });
      assert.equal(tampered.status, 403);
      assert.equal((await tampered.json()).code, 'SignatureDoesNotMatch');
      // A GET (no body) goes through the same hooks.
      const list = await signed({ path: '/orders/list', service: 'execute-api', credentials: alice, signingDate: Date.now(), host });
      const { host: _lh, ...listHeaders } = list.headers as Record<string, string>;
      const listed = await fetch(`${url}/orders/list`, { headers: listHeaders });
      assert.equal(listed.status, 200);
      const anonymous = await fetch(`${url}/orders/new`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers.get('x-amzn-errortype'), 'MissingAuthenticationToken');
    } finally {
      await app.close();
    }
  });

  it('Fastify: captureRawBody answers 413 for a body over its limit, before the authorizer runs', async () => {
    const app = Fastify();
    let decisions = 0;
    app.addHook('preParsing', captureRawBody(16));
    app.addHook('preHandler', fastifyAuthorizer(async (request) => {
      decisions++;
      return authorize(request);
    }));
    app.post('/orders/new', async (request) => ({ size: request.rawBody?.length }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const tooLarge = await fetch(`${url}/orders/new`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(17) });
      assert.equal(tooLarge.status, 413);
      assert.deepEqual(await tooLarge.json(), { statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' });
      assert.equal(decisions, 0);
      // Exactly at the limit the body is kept and reaches the authorizer (unsigned here: 401).
      const atLimit = await fetch(`${url}/orders/new`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(16) });
      assert.equal(atLimit.status, 401);
      assert.equal(decisions, 1);
    } finally {
      await app.close();
    }
  });

  it('Express-style (req, res, next) on node:http, with the S3 XML error format', async () => {
    const middleware = expressAuthorizer(authorize, { errorFormat: 's3' });
    const server: Server = createServer((req: IncomingMessage & { authorizer?: { principalId: string } }, res: ServerResponse) => {
      middleware(req, res, (error?: unknown) => {
        if (error) {
          res.writeHead(500).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`hello ${req.authorizer?.principalId}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const request = await signed({ path: '/orders/list', service: 'execute-api', credentials: alice, signingDate: Date.now(), host });
      const { host: _h, ...headers } = request.headers as Record<string, string>;
      const ok = await fetch(`http://${host}/orders/list`, { headers });
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), `hello ${ROLE_ID}:CognitoIdentityCredentials`);
      const denied = await fetch(`http://${host}/orders/list`);
      assert.equal(denied.status, 401);
      assert.equal(denied.headers.get('content-type'), 'application/xml');
      assert.match(await denied.text(), /<Error><Code>MissingAuthenticationToken<\/Code><Message>/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('Fetch API: authorizeFetchRequest gives the decision and a ready refusal Response', async () => {
    const request = await signed({ method: 'PUT', path: '/orders/7', body: 'x=1', service: 'execute-api', credentials: alice, signingDate: Date.now(), host: 'api.example.test' });
    const { host: _h, ...headers } = request.headers as Record<string, string>;
    const ok = await authorizeFetchRequest(authorize, new Request('http://api.example.test/orders/7', { method: 'PUT', headers, body: 'x=1' }));
    assert.equal(ok.decision.allowed, true);
    assert.equal(ok.response, undefined);
    const bad = await authorizeFetchRequest(authorize, new Request('http://api.example.test/orders/7', { method: 'PUT', headers, body: 'x=2' }));
    assert.equal(bad.response?.status, 403);
  });
});

describe('user pool authorizer', () => {
  let server: TestServer;
  let idp: CognitoIdentityProviderClient;
  let issuer: string;
  let clientId: string;
  let otherClientId: string;
  let tokens: { idToken: string; accessToken: string; sub: string };

  before(async () => {
    server = await startServer('sqlite', FAST_HASHING);
    idp = server.idp();
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'api' }));
    const poolId = UserPool!.Id!;
    issuer = `${server.url}/${poolId}`;
    const client = async () =>
      (await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    clientId = await client();
    otherClientId = await client();
    await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'alice', MessageAction: 'SUPPRESS' }));
    await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'alice', Password: 'Corr3ct-Horse-Battery', Permanent: true }));
    const { AuthenticationResult } = await idp.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Corr3ct-Horse-Battery' } }),
    );
    tokens = { idToken: AuthenticationResult!.IdToken!, accessToken: AuthenticationResult!.AccessToken!, sub: String(decodeJwt(AuthenticationResult!.IdToken!).sub) };
  });
  after(() => server?.close());

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('allows a valid ID token and a valid access token (bare or Bearer), with the keys fetched from the issuer', async () => {
    const authorize = createUserPoolAuthorizer({ issuer, clientIds: [clientId] });
    const byId = await authorize(bearer(tokens.idToken));
    assert.equal(byId.allowed, true);
    if (byId.allowed) {
      assert.equal(byId.principalId, tokens.sub);
      assert.equal(byId.principal.tokenUse, 'id');
      assert.equal(byId.principal.clientId, clientId);
      assert.equal(byId.principal.username, 'alice');
    }
    const byAccess = await authorize({ headers: { authorization: tokens.accessToken } });
    assert.equal(byAccess.allowed, true);
    if (byAccess.allowed) assert.deepEqual(byAccess.principal.scopes, ['aws.cognito.signin.user.admin']);
  });

  it('refuses a token of another app client and of the wrong token_use (401)', async () => {
    refused(await createUserPoolAuthorizer({ issuer, clientIds: [otherClientId] })(bearer(tokens.idToken)), 401, 'Unauthorized');
    refused(await createUserPoolAuthorizer({ issuer, clientIds: [otherClientId] })(bearer(tokens.accessToken)), 401, 'Unauthorized');
    refused(await createUserPoolAuthorizer({ issuer, tokenUse: 'access' })(bearer(tokens.idToken)), 401, 'Unauthorized');
    refused(await createUserPoolAuthorizer({ issuer, tokenUse: 'id' })(bearer(tokens.accessToken)), 401, 'Unauthorized');
    // Another issuer (the same keys' pool under another name) does not verify.
    refused(await createUserPoolAuthorizer({ issuer: `${server.url}/us-east-1_Other0000`, jwksUri: `${issuer}/.well-known/jwks.json` })(bearer(tokens.idToken)), 401, 'Unauthorized');
  });

  it('requires the scopes of the route: 403 insufficient_scope without them, and only access tokens carry scopes', async () => {
    const admin = createUserPoolAuthorizer({ issuer, requiredScopes: ['aws.cognito.signin.user.admin'] });
    assert.equal((await admin(bearer(tokens.accessToken))).allowed, true);
    refused(await admin(bearer(tokens.idToken)), 401, 'Unauthorized');
    const photos = createUserPoolAuthorizer({ issuer, requiredScopes: ['photos/read', 'aws.cognito.signin.user.admin'] });
    const decision = await photos(bearer(tokens.accessToken));
    refused(decision, 403, 'InsufficientScope');
    assert.match((decision as { challenge: string }).challenge, /^Bearer error="insufficient_scope", scope="photos\/read aws.cognito.signin.user.admin"$/);
    assert.equal((await createUserPoolAuthorizer({ issuer, requiredScopes: ['photos/read', 'aws.cognito.signin.user.admin'], scopeMatch: 'any' })(bearer(tokens.accessToken))).allowed, true);
  });

  it('with requiredScopes, refuses an ID token as invalid_token (401 "An access token is required.")', async () => {
    const scoped = createUserPoolAuthorizer({ issuer, clientIds: [clientId], requiredScopes: ['aws.cognito.signin.user.admin'] });
    const decision = await scoped(bearer(tokens.idToken));
    refused(decision, 401, 'Unauthorized');
    assert.equal((decision as { message: string }).message, 'An access token is required.');
    assert.equal((decision as { challenge: string }).challenge, 'Bearer error="invalid_token", error_description="An access token is required."');
    assert.equal((await scoped(bearer(tokens.accessToken))).allowed, true);
  });

  it('refuses to be made with tokenUse id and requiredScopes, which would admit no token; a route table says so too', () => {
    assert.throws(() => createUserPoolAuthorizer({ issuer, tokenUse: 'id', requiredScopes: ['aws.cognito.signin.user.admin'] }), /ID tokens carry no scopes/);
    assert.doesNotThrow(() => createUserPoolAuthorizer({ issuer, tokenUse: 'id', requiredScopes: [] }));
    const route = { authorizer: 'userPool', issuer, tokenUse: 'id', requiredScopes: ['reports/read'] };
    assert.throws(() => parseRouteTable({ routes: { '/api/*': route } }), (error: Error) => {
      assert.ok(error instanceof RouteTableError);
      assert.match(error.message, /routes\.\/api\/\*\.requiredScopes: tokenUse 'id' with requiredScopes admits no token/);
      return true;
    });
    assert.doesNotThrow(() => parseRouteTable({ routes: { '/api/*': { ...route, tokenUse: 'access' } } }));
  });

  it('refuses an expired token, a forged one, a tampered one and none (401)', async () => {
    const { exp } = decodeJwt(tokens.accessToken);
    const late = createUserPoolAuthorizer({ issuer, now: () => new Date((exp! + 1) * 1000) });
    const expired = await late(bearer(tokens.accessToken));
    refused(expired, 401, 'Unauthorized');
    assert.match((expired as { message: string }).message, /expired/);

    // Same claims and kid, signed with a key of our own.
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const { kid } = decodeProtectedHeader(tokens.accessToken);
    const forged = await new SignJWT(decodeJwt(tokens.accessToken)).setProtectedHeader({ alg: 'RS256', kid: kid! }).sign(privateKey);
    const authorize = createUserPoolAuthorizer({ issuer });
    refused(await authorize(bearer(forged)), 401, 'Unauthorized');
    const foreignKid = await new SignJWT(decodeJwt(tokens.accessToken)).setProtectedHeader({ alg: 'RS256', kid: 'not-a-gatehouse-key' }).sign(privateKey);
    refused(await authorize(bearer(foreignKid)), 401, 'Unauthorized');
    // alg=none and HS256 with the public key as secret are refused outright.
    const [header, payload] = tokens.accessToken.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid })).toString('base64url')}.${payload}.`;
    refused(await authorize(bearer(none)), 401, 'Unauthorized');
    // A changed claim breaks the signature.
    const claims = { ...decodeJwt(tokens.accessToken), scope: 'photos/admin' };
    const tampered = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${tokens.accessToken.split('.')[2]}`;
    refused(await authorize(bearer(tampered)), 401, 'Unauthorized');
    refused(await authorize({ headers: {} }), 401, 'Unauthorized');
    refused(await authorize(bearer('not-a-jwt')), 401, 'Unauthorized');

    // Keys given directly (no fetch) verify the same way; a key set without the pool's key does not.
    const local = createUserPoolAuthorizer({ issuer, keys: async () => publicKey });
    refused(await local(bearer(tokens.accessToken)), 401, 'Unauthorized');
  });

  it('lets the adapter answer 5xx when the JWKS cannot be had (the authorizer throws): no answer, not 200, not JSON', async () => {
    const keysAt = async (jwksUri: string) => createUserPoolAuthorizer({ issuer, jwksUri })(bearer(tokens.accessToken));
    await assert.rejects(keysAt(`http://127.0.0.1:${await droppingPort()}/jwks.json`), TypeError);
    // Gatehouse answers 404 at the first and JSON that is no key set at the second: neither is the caller's fault.
    await assert.rejects(keysAt(`${issuer}/no-such-jwks.json`), /Expected 200 OK/);
    await assert.rejects(keysAt(`${server.url}/health`), /JSON Web Key Set malformed/);
  });
});
