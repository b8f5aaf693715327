/**
 * Requests the IAM authorizer lets through where AWS (IAM, S3, SigV4) would refuse them: S3 requests mapped
 * to a weaker action than the one AWS documents, x-amz-* headers and bodies the signature does not cover,
 * and an unresolvable policy variable in NotResource. Each test fails while the gap is open.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluate, parsePolicy } from '../src/authorizer/policy/index.js';
import type { AuthorizerRequest } from '../src/authorizer/decision.js';
import { s3AccessChecks } from '../src/authorizer/s3-actions.js';
import { randomBytes } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ServiceContext } from '../src/context.js';
import { SecretBox } from '../src/security/secret-box.js';
import { issueCredentials } from '../src/sts/session-credentials.js';
import { decideIamRequest, sessionOpener, templateActions, type ActionResolver, type LoadedRole } from '../src/authorizer/index.js';

function allowed(policy: object, request: Partial<AuthorizerRequest> & { method: string; url: string }): boolean {
  const checks = s3AccessChecks({ headers: {}, ...request });
  if (checks === undefined) return false; // refused: not a request the mapping knows
  return checks.every(
    (check) => evaluate([parsePolicy(policy, { kind: 'identity' })], { action: check.action, resource: check.resource, context: check.context ?? {} }).decision === 'Allow',
  );
}

const policy = (statement: object) => ({ Version: '2012-10-17', Statement: [statement] });

describe('S3 bucket sub-resources are not ListBucket / CreateBucket / DeleteBucket', () => {
  const listOnly = policy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: 'arn:aws:s3:::photos' });
  const createOnly = policy({ Effect: 'Allow', Action: ['s3:CreateBucket'], Resource: 'arn:aws:s3:::photos' });
  const deleteOnly = policy({ Effect: 'Allow', Action: ['s3:DeleteBucket'], Resource: 'arn:aws:s3:::photos' });

  it('GET ?lifecycle needs s3:GetLifecycleConfiguration, not s3:ListBucket', () => {
    assert.equal(allowed(listOnly, { method: 'GET', url: '/photos?lifecycle' }), false);
  });
  it('GET ?encryption needs s3:GetEncryptionConfiguration, not s3:ListBucket', () => {
    assert.equal(allowed(listOnly, { method: 'GET', url: '/photos?encryption' }), false);
  });
  it('PUT ?lifecycle needs s3:PutLifecycleConfiguration, not s3:CreateBucket', () => {
    assert.equal(allowed(createOnly, { method: 'PUT', url: '/photos?lifecycle' }), false);
  });
  it('PUT ?publicAccessBlock needs s3:PutBucketPublicAccessBlock, not s3:CreateBucket', () => {
    assert.equal(allowed(createOnly, { method: 'PUT', url: '/photos?publicAccessBlock' }), false);
  });
  it('DELETE ?website needs s3:DeleteBucketWebsite, not s3:DeleteBucket', () => {
    assert.equal(allowed(deleteOnly, { method: 'DELETE', url: '/photos?website' }), false);
  });
});

describe('S3 sub-resources on a specific object version need the …Version… action', () => {
  const currentOnly = policy({
    Effect: 'Allow',
    Action: ['s3:GetObjectAcl', 's3:PutObjectAcl', 's3:GetObjectTagging', 's3:PutObjectTagging', 's3:DeleteObjectTagging'],
    Resource: 'arn:aws:s3:::photos/*',
  });

  it('GET ?acl&versionId needs s3:GetObjectVersionAcl', () => {
    assert.equal(allowed(currentOnly, { method: 'GET', url: '/photos/a.jpg?acl&versionId=v1' }), false);
  });
  it('PUT ?acl&versionId needs s3:PutObjectVersionAcl', () => {
    assert.equal(allowed(currentOnly, { method: 'PUT', url: '/photos/a.jpg?acl&versionId=v1' }), false);
  });
  it('GET ?tagging&versionId needs s3:GetObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'GET', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
  it('PUT ?tagging&versionId needs s3:PutObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'PUT', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
  it('DELETE ?tagging&versionId needs s3:DeleteObjectVersionTagging', () => {
    assert.equal(allowed(currentOnly, { method: 'DELETE', url: '/photos/a.jpg?tagging&versionId=v1' }), false);
  });
});

describe('S3 sub-resources map to their own actions, and unknown ones are refused', () => {
  const actionOf = (method: string, url: string) => s3AccessChecks({ headers: {}, method, url })?.map((check) => check.action);
  it('maps the bucket configurations and object-version sub-resources S3 names', () => {
    for (const [method, url, action] of [
      ['GET', '/photos?lifecycle', 's3:GetLifecycleConfiguration'],
      ['PUT', '/photos?publicAccessBlock', 's3:PutBucketPublicAccessBlock'],
      ['DELETE', '/photos?encryption', 's3:PutEncryptionConfiguration'],
      ['DELETE', '/photos?website', 's3:DeleteBucketWebsite'],
      ['GET', '/photos/a.jpg?acl&versionId=v1', 's3:GetObjectVersionAcl'],
      ['GET', '/photos/a.jpg?retention&versionId=v1', 's3:GetObjectRetention'],
      ['GET', '/photos/a.jpg?versionId=v1', 's3:GetObjectVersion'],
    ]) {
      assert.deepEqual(actionOf(method, url), [action], `${method} ${url}`);
    }
  });
  it('refuses a sub-resource the mapping does not know for the method, rather than taking it for the plain action', () => {
    for (const [method, url] of [
      ['GET', '/photos?inventory'],
      ['PUT', '/photos?analytics'],
      ['DELETE', '/photos?logging'],
      ['PUT', '/photos/a.jpg?restore'],
    ]) {
      assert.equal(actionOf(method, url), undefined, `${method} ${url}`);
    }
  });
});

describe('an empty leading path segment does not turn an object read into ListAllMyBuckets', () => {
  it('GET //photos/bob/secret.jpg is not s3:ListAllMyBuckets', () => {
    const listBuckets = policy({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' });
    assert.equal(allowed(listBuckets, { method: 'GET', url: '//photos/bob/secret.jpg' }), false);
  });
});

// ---------------------------------------------------------------------------------------------------
// The signed request: what the signature does not cover must not change what the request does.
// ---------------------------------------------------------------------------------------------------

const SECRETS_KEY = 'policy-guards-secrets-key-0123456789abcdef';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/photos';
const ROLE_ID = 'AROAPHOTOSEXAMPLE0001';
const ALICE = 'us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-5b6c7d8e9f01';
const T0 = Date.UTC(2026, 10, 26, 12, 0, 0);

function aliceCredentials() {
  const ctx = { secrets: new SecretBox(SECRETS_KEY), randomBytes } as unknown as ServiceContext;
  const issued = issueCredentials(ctx, {
    roleArn: ROLE_ARN,
    roleId: ROLE_ID,
    sessionName: 'CognitoIdentityCredentials',
    expiresAt: T0 + 3_600_000,
    context: { 'cognito-identity.amazonaws.com:sub': ALICE, 'aws:userid': `${ROLE_ID}:CognitoIdentityCredentials` },
  });
  return { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken };
}

const role: LoadedRole = {
  roleId: ROLE_ID,
  policies: [
    parsePolicy(
      policy({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 'execute-api:Invoke'], Resource: ['arn:aws:s3:::bucket/photos/${cognito-identity.amazonaws.com:sub}/*', 'arn:aws:execute-api:*:*:*'] }),
      { kind: 'identity' },
    ),
  ],
};

async function sign(options: { method: string; path: string; service: string; headers?: Record<string, string>; body?: string; presign?: number }): Promise<AuthorizerRequest> {
  const signer = new SignatureV4({ credentials: aliceCredentials(), region: 'us-east-1', service: options.service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: options.service !== 's3' });
  const request = new HttpRequest({
    method: options.method,
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 9000,
    path: options.path,
    headers: { host: '127.0.0.1:9000', ...options.headers },
    ...(options.body !== undefined && { body: options.body }),
  });
  const signingDate = new Date(T0);
  const out = options.presign ? await signer.presign(request, { signingDate, expiresIn: options.presign }) : await signer.sign(request, { signingDate });
  const query = Object.entries(out.query ?? {})
    .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`)
    .join('&');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(out.headers)) headers[name.toLowerCase()] = value;
  return { method: out.method, url: query ? `${out.path}?${query}` : out.path, headers, ...(options.body !== undefined && { body: Buffer.from(options.body) }) };
}

const decide = (request: AuthorizerRequest, resolveAction: ActionResolver = s3ActionsFor) =>
  decideIamRequest(request, { openSession: sessionOpener(SECRETS_KEY), nowMs: T0, maxClockSkewSeconds: 300, role: () => role, resolveAction });
const s3ActionsFor = (request: AuthorizerRequest) => s3AccessChecks(request);

describe('x-amz-* headers the signature does not cover', () => {
  it('refuses a presigned PutObject URL replayed with an unsigned x-amz-copy-source (S3: HeadersNotSigned)', async () => {
    const path = `/bucket/photos/${encodeURIComponent(ALICE)}/upload.jpg`;
    const presigned = await sign({ method: 'PUT', path, service: 's3', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, presign: 300 });
    assert.equal(decide(presigned).allowed, true); // the URL as issued works
    // Whoever holds the URL turns the upload into a CopyObject of another object the signer can read.
    const copied = { ...presigned, headers: { ...presigned.headers, 'x-amz-copy-source': `/bucket/photos/${encodeURIComponent(ALICE)}/diary.txt` } };
    assert.equal(decide(copied).allowed, false, 'an unsigned x-amz-copy-source changed the operation and was still allowed');
  });

  it('refuses a header-signed request with an x-amz-* header added after signing', async () => {
    const path = `/bucket/photos/${encodeURIComponent(ALICE)}/upload.jpg`;
    const signed = await sign({ method: 'PUT', path, service: 's3', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal(decide(signed).allowed, true);
    const tampered = { ...signed, headers: { ...signed.headers, 'x-amz-acl': 'public-read' } };
    assert.equal(decide(tampered).allowed, false, 'an x-amz-acl header outside SignedHeaders was accepted');
  });
});

describe('UNSIGNED-PAYLOAD outside S3', () => {
  it('refuses an execute-api request whose body is not covered by the signature (only S3 accepts UNSIGNED-PAYLOAD)', async () => {
    const orders = templateActions({ action: 'execute-api:Invoke', resource: 'arn:aws:execute-api:us-east-1:000000000000:orders/${method}${path}' });
    const request = await sign({ method: 'POST', path: '/orders', service: 'execute-api', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, body: '{"amount":1}' });
    const tampered = { ...request, body: Buffer.from('{"amount":1000000}') };
    assert.equal(decide(tampered, orders).allowed, false, 'a body the signature does not cover was accepted for execute-api');
  });
});

describe('a policy variable without a value in NotResource', () => {
  // IAM: "If AWS cannot resolve a variable this might cause the entire statement to be invalid" — an Allow
  // that cannot be resolved grants nothing; it must not turn into "allow every resource".
  it('does not make an Allow with NotResource cover every resource', () => {
    const doc = parsePolicy(
      policy({ Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::bucket/${aws:username}/private/*' }),
      { kind: 'identity' },
    );
    // The caller is a Cognito identity: there is no aws:username in its context.
    const result = evaluate([doc], { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/bob/private/diary.txt', context: { 'cognito-identity.amazonaws.com:sub': ALICE } });
    assert.notEqual(result.decision, 'Allow');
  });
});
