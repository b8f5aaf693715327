import { createHmac, randomBytes } from 'node:crypto';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { decideIamRequest, parsePolicy, s3Actions, sessionOpener, type AuthorizerRequest, type IamDecisionOptions, type LoadedRole } from '../../src/authorizer/index.js';
import type { ServiceContext } from '../../src/context.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { issueCredentials } from '../../src/sts/session-credentials.js';
import { row } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { median } from '../lib/stats.js';

const SECRETS_KEY = 'bench-authorizer-secrets-key-0123456789abcdef';
const IDENTITIES = 16;
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const POLICY = parsePolicy(
  {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bucket/photos/${cognito-identity.amazonaws.com:sub}/*' },
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket', Condition: { StringLike: { 's3:prefix': 'photos/${cognito-identity.amazonaws.com:sub}/*' } } },
      { Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    ],
  },
  { kind: 'identity' },
);

const escape = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * What an S3 client sends through the gateway, signed by the AWS SDK's signer with real Gatehouse session
 * credentials: per identity a GET and a HEAD (header-signed, empty payload hash), a PUT of 1 KiB
 * (x-amz-content-sha256 checked against the body) and a presigned GET.
 */
async function signedRequests(): Promise<AuthorizerRequest[]> {
  const ctx = { secrets: new SecretBox(SECRETS_KEY), randomBytes } as unknown as ServiceContext;
  const requests: AuthorizerRequest[] = [];
  const body = randomBytes(1024);
  for (let i = 0; i < IDENTITIES; i++) {
    const identityId = `us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-${String(i).padStart(12, '0')}`;
    const issued = issueCredentials(ctx, {
      roleArn: 'arn:aws:iam::000000000000:role/photos',
      roleId: 'AROAPHOTOSEXAMPLE0001',
      sessionName: 'CognitoIdentityCredentials',
      expiresAt: NOW + 3_600_000,
      context: {
        'cognito-identity.amazonaws.com:aud': 'us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab',
        'cognito-identity.amazonaws.com:sub': identityId,
        'cognito-identity.amazonaws.com:amr': ['authenticated'],
        'aws:userid': 'AROAPHOTOSEXAMPLE0001:CognitoIdentityCredentials',
      },
    });
    const signer = new SignatureV4({
      credentials: { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken },
      region: 'us-east-1',
      service: 's3',
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: false,
    });
    const path = `/bucket/photos/${escape(identityId)}/2026/img-${i}.jpg`;
    const base = { protocol: 'http:', hostname: '127.0.0.1', port: 8421, path };
    const headers = { host: '127.0.0.1:8421', 'user-agent': 'aws-sdk-js/3 bench', 'amz-sdk-invocation-id': `id-${i}` };
    const signingDate = new Date(NOW);
    const asReceived = (out: HttpRequest, payload?: Buffer): AuthorizerRequest => {
      const query = Object.entries(out.query ?? {})
        .map(([name, value]) => `${escape(name)}=${escape(String(value))}`)
        .join('&');
      const lower: Record<string, string> = {};
      for (const [name, value] of Object.entries(out.headers)) lower[name.toLowerCase()] = value;
      return { method: out.method, url: query ? `${out.path}?${query}` : out.path, headers: lower, body: payload, sourceIp: '203.0.113.7', secure: true };
    };
    const sha = { 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
    requests.push(asReceived((await signer.sign(new HttpRequest({ ...base, method: 'GET', query: { 'x-id': 'GetObject' }, headers: { ...headers, ...sha } }), { signingDate })) as HttpRequest));
    requests.push(asReceived((await signer.sign(new HttpRequest({ ...base, method: 'HEAD', headers: { ...headers, ...sha } }), { signingDate })) as HttpRequest));
    const put = new HttpRequest({ ...base, method: 'PUT', query: { 'x-id': 'PutObject' }, headers: { ...headers, 'content-type': 'image/jpeg', 'content-length': '1024' }, body });
    requests.push(asReceived((await signer.sign(put, { signingDate })) as HttpRequest, body));
    requests.push(asReceived((await signer.presign(new HttpRequest({ ...base, method: 'GET', headers: { host: headers.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }), { signingDate, expiresIn: 900 })) as HttpRequest));
  }
  return requests;
}

/** Calls `op` back to back for `seconds`, on this thread: operations per second. */
function rate(op: (i: number) => void, seconds: number): number {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let count = 0;
  let now = started;
  while (now < deadline) {
    for (let i = 0; i < 256; i++) op(count + i);
    count += 256;
    now = performance.now();
  }
  return count / ((now - started) / 1000);
}

/**
 * The IAM authorizer's decision for SigV4-signed S3 requests (signature, payload hash, session token,
 * role policy), in process on one core, against the bare HMAC-SHA256 rate of the same run: a decision
 * costs one SHA-256 of the canonical request, one HMAC (the signing key and the opened session are
 * cached) and a policy evaluation, so it should stay within 20 HMACs.
 */
export const authorizerDecisions: Scenario = {
  name: 'authorizer-decisions',
  description: 'SigV4-signed request decisions/s of the IAM authorizer on one core (pure decision, in process) vs bare HMAC-SHA256/s (target ratio ≥ 0.05)',
  async run(ctx) {
    const requests = await signedRequests();
    const role: LoadedRole = { roleId: 'AROAPHOTOSEXAMPLE0001', policies: [POLICY] };
    const options: IamDecisionOptions = { openSession: sessionOpener(SECRETS_KEY), nowMs: NOW, maxClockSkewSeconds: 300, role: () => role, resolveAction: s3Actions() };
    // A fast wrong answer means nothing: every prepared request must be allowed.
    for (const request of requests) {
      const decision = decideIamRequest(request, options);
      if (!decision.allowed) throw new Error(`${request.method} ${request.url}: ${decision.code} ${decision.message}`);
    }
    let refused = 0;
    const decide = (i: number) => {
      if (!decideIamRequest(requests[i % requests.length]!, options).allowed) refused++;
    };
    const key = randomBytes(32);
    const stringToSign = `AWS4-HMAC-SHA256\n20261126T120000Z\n20261126/us-east-1/s3/aws4_request\n${randomBytes(32).toString('hex')}`;
    let sink = 0;
    const hmac = () => {
      sink += createHmac('sha256', key).update(stringToSign).digest('hex').length;
    };

    const seconds = Math.min(ctx.load.seconds, 3);
    rate(decide, ctx.load.warmupSeconds);
    rate(hmac, ctx.load.warmupSeconds);
    const subject: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < ctx.load.rounds; round++) {
      // Alternating order, so drift in the machine's load falls on both.
      if (round % 2 === 0) {
        baseline.push(rate(hmac, seconds));
        subject.push(rate(decide, seconds));
      } else {
        subject.push(rate(decide, seconds));
        baseline.push(rate(hmac, seconds));
      }
      ctx.log(`round ${round + 1}: ${subject.at(-1)!.toFixed(0)} decisions/s, ${baseline.at(-1)!.toFixed(0)} HMAC-SHA256/s`);
    }
    if (refused > 0 || sink === 0) throw new Error(`${refused} decisions refused during the run`);
    const value = median(subject);
    return [
      row({
        scenario: 'authorizer-decisions',
        metric: 'SigV4 decisions/s (1 core)',
        unit: 'ops/s',
        value,
        baseline: { label: 'bare HMAC-SHA256/s, same run', value: median(baseline) },
        target: { on: 'ratio', op: '>=', limit: 0.05 },
        samples: { value: subject, baseline },
        note: `${requests.length} pre-signed S3 requests (GET, HEAD, PUT 1 KiB with payload hash, presigned GET) of ${IDENTITIES} identities; ${(1e6 / value).toFixed(1)} µs per decision`,
      }),
    ];
  },
};
