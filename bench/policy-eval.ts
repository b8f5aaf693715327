/**
 * Micro-benchmark of the IAM policy evaluator (src/authorizer/policy), standalone:
 *
 *   node --import tsx bench/policy-eval.ts [seconds per case, default 1]
 *
 * Evaluates a typical Cognito identity-pool role policy — three statements, policy variables in Resource
 * and in a condition, a set-qualified condition on the multi-valued amr key and a Deny on insecure
 * transport — against requests that end in each decision, then the role's trust policy and parsing.
 * Prints evaluations per second (best of 5 rounds). Checks each decision first: a fast wrong answer
 * means nothing.
 */
import { evaluate, parsePolicy, trustAllows, type AuthorizationRequest, type Decision, type TrustRequest } from '../src/authorizer/policy/index.js';

const secondsPerCase = Number(process.argv[2] ?? 1) || 1;

const SUB = 'us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-5b6c7d8e9f01';
const OTHER = 'us-east-1:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const POOL = 'us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab';

const rolePolicyJson = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ListOwnPrefix',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::photo-bucket',
      Condition: { StringLike: { 's3:prefix': ['photos/${cognito-identity.amazonaws.com:sub}/*'] } },
    },
    {
      Sid: 'ReadWriteOwnObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: ['arn:aws:s3:::photo-bucket/photos/${cognito-identity.amazonaws.com:sub}/*'],
      Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } },
    },
    {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
});

const trustPolicyJson = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Federated: 'cognito-identity.amazonaws.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'cognito-identity.amazonaws.com:aud': POOL },
        'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
      },
    },
  ],
});

const rolePolicy = parsePolicy(rolePolicyJson, { kind: 'identity' });
const trustPolicy = parsePolicy(trustPolicyJson, { kind: 'trust' });

const context = {
  'aws:SecureTransport': true,
  'aws:SourceIp': '203.0.113.7',
  'aws:CurrentTime': '2024-05-17T10:00:00Z',
  'aws:userid': 'AROAEXAMPLEROLEID:CognitoIdentityCredentials',
  'cognito-identity.amazonaws.com:sub': SUB,
  'cognito-identity.amazonaws.com:aud': POOL,
  'cognito-identity.amazonaws.com:amr': ['authenticated', 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E'],
};

const requests: Array<{ label: string; expected: Decision; request: AuthorizationRequest }> = [
  {
    label: 'GetObject in own prefix           → Allow',
    expected: 'Allow',
    request: { action: 's3:GetObject', resource: `arn:aws:s3:::photo-bucket/photos/${SUB}/2024/cat.jpg`, context },
  },
  {
    label: "GetObject in another's prefix     → ImplicitDeny",
    expected: 'ImplicitDeny',
    request: { action: 's3:GetObject', resource: `arn:aws:s3:::photo-bucket/photos/${OTHER}/2024/cat.jpg`, context },
  },
  {
    label: 'ListBucket with own prefix        → Allow',
    expected: 'Allow',
    request: { action: 's3:ListBucket', resource: 'arn:aws:s3:::photo-bucket', context: { ...context, 's3:prefix': `photos/${SUB}/2024` } },
  },
  {
    label: 'PutObject over plain HTTP         → Deny',
    expected: 'Deny',
    request: { action: 's3:PutObject', resource: `arn:aws:s3:::photo-bucket/photos/${SUB}/x.jpg`, context: { ...context, 'aws:SecureTransport': false } },
  },
];

const trustRequest: TrustRequest = { principalFederated: 'cognito-identity.amazonaws.com', action: 'sts:AssumeRoleWithWebIdentity', context };

// Correctness first.
for (const { label, expected, request } of requests) {
  const { decision } = evaluate([rolePolicy], request);
  if (decision !== expected) throw new Error(`${label.trim()}: got ${decision}`);
}
if (!trustAllows(trustPolicy, trustRequest)) throw new Error('the trust policy refused an authenticated identity of its pool');

const ROUNDS = 5;

/**
 * Runs `fn` for about `secondsPerCase` seconds (after a warm-up), split into ROUNDS rounds; returns the
 * best round's calls/s — on a shared machine the best round is the one least disturbed by other load.
 */
function measure(fn: (i: number) => unknown): number {
  for (let i = 0; i < 20_000; i++) fn(i);
  const budget = (secondsPerCase * 1000) / ROUNDS;
  let best = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      for (let i = 0; i < 1000; i++) fn(ops + i); // check the clock every 1000 calls, not every call
      ops += 1000;
      elapsed = performance.now() - start;
    } while (elapsed < budget);
    best = Math.max(best, (ops * 1000) / elapsed);
  }
  return best;
}

const row = (name: string, opsPerSecond: number): void => {
  const perCall = 1e6 / opsPerSecond;
  process.stdout.write(`${name.padEnd(60)} ${Math.round(opsPerSecond).toLocaleString('en-US').padStart(12)} /s  (${perCall.toFixed(2)} µs)\n`);
};

process.stdout.write(`node ${process.version}, ${secondsPerCase}s per case, best of ${ROUNDS} rounds\n\n`);
process.stdout.write('evaluate([3-statement role policy], request):\n');
for (const { label, request } of requests) row(`  ${label}`, measure(() => evaluate([rolePolicy], request)));
row('  mixed (the four above in turn)', measure((i) => evaluate([rolePolicy], requests[i & 3]!.request)));

process.stdout.write('\nother operations:\n');
row('  trustAllows(Cognito trust policy, authenticated identity)', measure(() => trustAllows(trustPolicy, trustRequest)));
row('  parsePolicy(3-statement role policy JSON)', measure(() => parsePolicy(rolePolicyJson)));
row(
  '  parsePolicy + first evaluate (nothing cached)',
  measure(() => evaluate([parsePolicy(rolePolicyJson)], requests[0]!.request)),
);
