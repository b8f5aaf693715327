import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  evaluate,
  MalformedPolicyDocumentError,
  parsePolicy,
  parseStoredPolicy,
  trustAllows,
  type PolicyDocument,
  type RequestContext,
} from '../src/authorizer/policy/index.js';

const MISSING = Symbol('missing');
type ContextInput = RequestContext[string] | typeof MISSING;

/** Whether a single Allow statement with this Condition allows a request with this context. */
function holds(condition: Record<string, Record<string, unknown>>, context: RequestContext, version = '2012-10-17'): boolean {
  const policy = parsePolicy({ Version: version, Statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: condition } });
  return evaluate([policy], { action: 'svc:Do', resource: 'arn:aws:svc:us-east-1:123456789012:thing/1', context }).decision === 'Allow';
}

/** `holds` for one operator, one key (`k`), and a context that has `k` = value or lacks it. */
function check(operator: string, policyValues: unknown, value: ContextInput): boolean {
  return holds({ [operator]: { k: policyValues } }, value === MISSING ? {} : { k: value });
}

const allow = (statement: Record<string, unknown>, version = '2012-10-17'): PolicyDocument =>
  parsePolicy({ Version: version, Statement: [{ Effect: 'Allow', ...statement }] });

const decide = (policies: PolicyDocument[], action: string, resource: string, context: RequestContext = {}) =>
  evaluate(policies, { action, resource, context }).decision;

const assertMalformed = (input: string | object, pattern: RegExp, options?: Parameters<typeof parsePolicy>[1]): void => {
  assert.throws(
    () => parsePolicy(input, options),
    (error: unknown) => {
      assert.ok(error instanceof MalformedPolicyDocumentError, `expected MalformedPolicyDocumentError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
};

const statement = (extra: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra },
});

describe('parsePolicy', () => {
  it('accepts a statement object or an array, a string or an object, and normalises', () => {
    const fromObject = parsePolicy({
      Version: '2012-10-17',
      Id: 'p1',
      Statement: {
        Sid: 'One',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { NumericLessThan: { 's3:max-keys': 10 }, Bool: { 'aws:SecureTransport': true } },
      },
    });
    assert.deepEqual(fromObject, {
      Version: '2012-10-17',
      Id: 'p1',
      Statement: [
        {
          Sid: 'One',
          Effect: 'Allow',
          Action: ['s3:GetObject'],
          Resource: ['arn:aws:s3:::b/*'],
          Condition: { NumericLessThan: { 's3:max-keys': ['10'] }, Bool: { 'aws:SecureTransport': ['true'] } },
        },
      ],
    });
    assert.deepEqual(parsePolicy(JSON.stringify(fromObject)), fromObject);
    assert.ok(Object.isFrozen(fromObject) && Object.isFrozen(fromObject.Statement[0]) && Object.isFrozen(fromObject.Statement[0]!.Action));
  });

  it('defaults a missing Version to 2008-10-17, as IAM does', () => {
    const policy = parsePolicy({ Statement: [{ Effect: 'Deny', NotAction: ['iam:*'], NotResource: '*' }] });
    assert.equal(policy.Version, '2008-10-17');
    assert.deepEqual(policy.Statement[0]!.NotAction, ['iam:*']);
  });

  it('accepts trust policies (Principal, no Resource) and checks the kind when asked', () => {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }],
    };
    assert.deepEqual(parsePolicy(trust, { kind: 'trust' }).Statement[0]!.Principal, { Federated: ['cognito-identity.amazonaws.com'] });
    assert.equal(parsePolicy({ ...trust, Statement: { ...trust.Statement[0], Principal: '*' } }).Statement[0]!.Principal, '*');
    assertMalformed(trust, /Statement\[0\]: A permissions policy statement cannot have Principal/, { kind: 'identity' });
    assertMalformed(statement({ Principal: '*' }), /trust policy statement cannot have Resource/, { kind: 'trust' });
    assertMalformed({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRole' } }, /needs a Principal/, { kind: 'trust' });
    assertMalformed({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:*' } }, /no Resource or NotResource/, { kind: 'identity' });
  });

  const malformed: Array<[string, string | object, RegExp]> = [
    ['invalid JSON', '{"Version": "2012-10-17",', /not valid JSON/],
    ['not an object', '[1, 2]', /must be a JSON object, not an array/],
    ['unknown Version', { Version: '2012-10-18', Statement: [] }, /^Version: Version must be "2012-10-17" or "2008-10-17", not "2012-10-18"/],
    ['no Statement', { Version: '2012-10-17' }, /has no Statement/],
    ['empty Statement', { Version: '2012-10-17', Statement: [] }, /Statement: Statement must not be empty/],
    ['unknown document element', { Version: '2012-10-17', Statement: [], Statements: [] }, /Unknown element "Statements"/],
    ['statement not an object', { Version: '2012-10-17', Statement: ['s3:*'] }, /Statement\[0\]: A statement must be a JSON object/],
    ['unknown statement element', statement({ Actions: 's3:*' }), /Statement: Unknown element "Actions"/],
    ['Effect missing', { Version: '2012-10-17', Statement: { Action: 's3:*', Resource: '*' } }, /Statement\.Effect: The statement has no Effect/],
    ['Effect lower-case', statement({ Effect: 'allow' }), /Effect must be "Allow" or "Deny", not "allow"/],
    ['Action missing', { Version: '2012-10-17', Statement: { Effect: 'Allow', Resource: '*' } }, /no Action or NotAction/],
    ['Action and NotAction', statement({ NotAction: 's3:PutObject' }), /cannot have both Action and NotAction/],
    ['Resource and NotResource', statement({ NotResource: '*' }), /cannot have both Resource and NotResource/],
    ['Principal and NotPrincipal', statement({ Principal: '*', NotPrincipal: '*' }), /cannot have both Principal and NotPrincipal/],
    ['Action without a service', statement({ Action: 'GetObject' }), /Statement\.Action\[0\]: Action must be "\*" or "service:action"/],
    ['empty Action list', statement({ Action: [] }), /Statement\.Action: The list must not be empty/],
    ['Action not a string', statement({ Action: ['s3:GetObject', 7] }), /Statement\.Action\[1\]: Expected a non-empty string, not number 7/],
    ['Resource not an ARN', statement({ Resource: 'bucket/*' }), /Resource must be "\*" or an ARN, not "bucket\/\*"/],
    ['Sid not alphanumeric', statement({ Sid: 'my statement' }), /Sid.*must be alphanumeric/],
    [
      'duplicate Sid',
      { Version: '2012-10-17', Statement: [{ Sid: 'A', Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: 's3:*', Resource: '*' }] },
      /Statement\[1\]\.Sid: .*unique.*"A"/,
    ],
    ['Principal not * or object', statement({ Principal: 'cognito-identity.amazonaws.com' }), /Principal must be "\*" or an object/],
    ['unknown principal type', statement({ Principal: { Cognito: 'x' } }), /Unknown principal type "Cognito"/],
    ['Condition not an object', statement({ Condition: ['StringEquals'] }), /Statement\.Condition: Condition must be an object/],
    ['unknown operator', statement({ Condition: { StringEqualz: { k: 'v' } } }), /Statement\.Condition\.StringEqualz: unknown condition operator "StringEqualz"/],
    ['unknown qualifier', statement({ Condition: { 'ForSomeValues:StringLike': { k: 'v' } } }), /unknown condition operator "ForSomeValues:StringLike"/],
    ['NullIfExists', statement({ Condition: { NullIfExists: { k: 'true' } } }), /unknown condition operator "NullIfExists"/],
    ['operator block not an object', statement({ Condition: { StringEquals: 'v' } }), /takes an object of condition keys/],
    ['empty condition value list', statement({ Condition: { StringEquals: { k: [] } } }), /Condition\.StringEquals\.k: A condition key needs at least one value/],
    ['condition value an object', statement({ Condition: { StringEquals: { k: { v: 1 } } } }), /Condition values must be strings, numbers or booleans, not an object/],
    ['condition value null', statement({ Condition: { StringEquals: { k: ['a', null] } } }), /StringEquals\.k\[1\]: .*not null/],
    ['non-numeric Numeric value', statement({ Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }), /NumericLessThan takes numbers, not "ten"/],
    ['hex is not a number', statement({ Condition: { NumericEquals: { k: '0x10' } } }), /takes numbers/],
    ['variable in a Numeric value', statement({ Condition: { NumericEquals: { k: '${aws:PrincipalTag/limit}' } } }), /takes numbers/],
    ['bad date', statement({ Condition: { DateLessThan: { 'aws:CurrentTime': 'next tuesday' } } }), /DateLessThan takes ISO 8601 dates or epoch seconds/],
    ['impossible date', statement({ Condition: { DateLessThan: { 'aws:CurrentTime': '2023-02-29T00:00:00Z' } } }), /takes ISO 8601 dates/],
    ['bad IP', statement({ Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/33' } } }), /IpAddress takes IPv4 or IPv6 addresses or CIDR blocks, not "203\.0\.113\.0\/33"/],
    ['bad Bool', statement({ Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }), /Bool takes "true" or "false", not "yes"/],
    ['bad Null', statement({ Condition: { Null: { k: 'maybe' } } }), /Null takes "true" or "false"/],
    ['bad base64', statement({ Condition: { BinaryEquals: { k: 'not base64!' } } }), /BinaryEquals takes base64 values/],
  ];
  for (const [name, input, pattern] of malformed) {
    it(`refuses: ${name}`, () => assertMalformed(input, pattern));
  }

  it('throws a MalformedPolicyDocumentError carrying the IAM code and the path', () => {
    try {
      parsePolicy(statement({ Condition: { StringEqualz: { k: 'v' } } }));
      assert.fail('expected a throw');
    } catch (error) {
      assert.ok(error instanceof MalformedPolicyDocumentError && error instanceof Error);
      assert.equal(error.name, 'MalformedPolicyDocumentError');
      assert.equal(error.code, 'MalformedPolicyDocument');
      assert.equal(error.path, 'Statement.Condition.StringEqualz');
    }
  });

  it('accepts operator names in any case, and every qualifier/IfExists combination', () => {
    for (const operator of ['stringequals', 'ForAnyValue:StringLike', 'forallvalues:stringnotequalsifexists', 'ArnLikeIfExists', 'Null']) {
      const value = operator === 'Null' ? 'true' : 'v';
      assert.doesNotThrow(() => parsePolicy(statement({ Condition: { [operator]: { k: value } } })), operator);
    }
  });
});

describe('Action and Resource matching', () => {
  const actions: Array<[pattern: string, action: string, expected: boolean]> = [
    ['s3:GetObject', 's3:GetObject', true],
    ['s3:getobject', 'S3:GETOBJECT', true],
    ['S3:GetObject', 's3:getObject', true],
    ['s3:Get*', 's3:GetObjectAcl', true],
    ['s3:Get*', 's3:PutObject', false],
    ['s3:*', 's3:ListBucket', true],
    ['*', 'ec2:RunInstances', true],
    ['s3:?etObject', 's3:GetObject', true],
    ['s3:?etObject', 's3:GGetObject', false],
    ['s3:*Object', 's3:GetObject', true],
    ['s3:Get*Acl', 's3:GetObjectAcl', true],
    ['s3:Get*Acl', 's3:GetObjectAclX', false],
    ['iam:*AccessKey*', 'iam:CreateAccessKey', true],
    ['sqs:*', 's3:GetObject', false],
    ['s3:GetObject', 's3:GetObjectAcl', false],
    ['s3:GetObject', 's3:Get', false],
    ['s?:GetObject', 's3:GetObject', true],
  ];
  for (const [pattern, action, expected] of actions) {
    it(`Action ${pattern} ${expected ? 'matches' : 'does not match'} ${action}`, () => {
      assert.equal(decide([allow({ Action: pattern, Resource: '*' })], action, 'arn:aws:s3:::b/k'), expected ? 'Allow' : 'ImplicitDeny');
    });
  }

  const resources: Array<[pattern: string, resource: string, expected: boolean]> = [
    ['*', 'arn:aws:s3:::anything/at/all', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b.txt', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['arn:aws:s3:::bucket*', 'arn:aws:s3:::bucket-other/x', true],
    ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x', false], // case-sensitive
    ['arn:aws:s3:::bucket/x', 'arn:aws:s3:::bucket/X', false],
    ['arn:aws:s3:::b/file?.txt', 'arn:aws:s3:::b/file1.txt', true],
    ['arn:aws:s3:::b/file?.txt', 'arn:aws:s3:::b/file12.txt', false],
    ['arn:aws:s3:::b/file?.txt', 'arn:aws:s3:::b/file.txt', false],
    ['arn:aws:s3:::b/*/*/c', 'arn:aws:s3:::b/x/y/c', true],
    ['arn:aws:s3:::b/*/*/c', 'arn:aws:s3:::b/x/c', false],
    ['arn:aws:s3:::b/*a*b*', 'arn:aws:s3:::b/xxaxxbxx', true],
    ['arn:aws:s3:::b/*a*b', 'arn:aws:s3:::b/xxbxxa', false],
    ['arn:aws:s3:::b/ab*ba', 'arn:aws:s3:::b/aba', false], // the literal ends must not overlap
    ['arn:aws:s3:::b/ab*ba', 'arn:aws:s3:::b/abba', true],
    ['arn:aws:s3:::b/?*', 'arn:aws:s3:::b/', false],
    ['arn:aws:s3:::b/*?x', 'arn:aws:s3:::b/yx', true],
    ['arn:aws:s3:::b/**', 'arn:aws:s3:::b/any/thing', true],
    ['arn:aws:dynamodb:*:*:table/Thread', 'arn:aws:dynamodb:us-east-1:123456789012:table/Thread', true],
    // `.` and `+` are literal, as is every other regular-expression character.
    ['arn:aws:s3:::b/a.txt', 'arn:aws:s3:::b/a.txt', true],
    ['arn:aws:s3:::b/a.txt', 'arn:aws:s3:::b/aXtxt', false],
    ['arn:aws:s3:::b/a+b', 'arn:aws:s3:::b/a+b', true],
    ['arn:aws:s3:::b/a+b', 'arn:aws:s3:::b/aab', false],
    ['arn:aws:s3:::b/a+', 'arn:aws:s3:::b/aaa', false],
    ['arn:aws:s3:::b/.*', 'arn:aws:s3:::b/anything', false],
    ['arn:aws:s3:::b/.*', 'arn:aws:s3:::b/.hidden', true],
    ['arn:aws:s3:::b/[ab]', 'arn:aws:s3:::b/a', false],
    ['arn:aws:s3:::b/[ab]', 'arn:aws:s3:::b/[ab]', true],
    ['arn:aws:s3:::b/x|y', 'arn:aws:s3:::b/x', false],
    ['arn:aws:s3:::b/(x)\\d^$', 'arn:aws:s3:::b/(x)\\d^$', true],
    ['arn:aws:s3:::b/?', 'arn:aws:s3:::b/😀', true], // one character, even outside the BMP
    ['arn:aws:s3:::b/??', 'arn:aws:s3:::b/😀', false],
  ];
  for (const [pattern, resource, expected] of resources) {
    it(`Resource ${pattern} ${expected ? 'matches' : 'does not match'} ${resource}`, () => {
      assert.equal(decide([allow({ Action: 's3:*', Resource: pattern })], 's3:GetObject', resource), expected ? 'Allow' : 'ImplicitDeny');
    });
  }

  it('does not backtrack catastrophically on hostile patterns', () => {
    const policy = allow({ Action: 's3:*', Resource: `arn:aws:s3:::b/${'a*'.repeat(40)}b` });
    const started = performance.now();
    assert.equal(decide([policy], 's3:GetObject', `arn:aws:s3:::b/${'a'.repeat(20_000)}`), 'ImplicitDeny');
    assert.ok(performance.now() - started < 2000);
  });
});

describe('evaluate: decisions', () => {
  const allowS3 = parsePolicy({
    Version: '2012-10-17',
    Statement: [{ Sid: 'ReadAll', Effect: 'Allow', Action: 's3:*', Resource: '*' }],
  });
  const denySecret = parsePolicy({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Other', Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
      { Sid: 'NoSecrets', Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::secret/*' },
    ],
  });

  it('allows, naming the statement', () => {
    assert.deepEqual(evaluate([allowS3], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {} }), {
      decision: 'Allow',
      statement: { policyIndex: 0, sid: 'ReadAll' },
    });
  });

  it('lets an explicit Deny in any policy win over any Allow', () => {
    const request = { action: 's3:GetObject', resource: 'arn:aws:s3:::secret/k', context: {} };
    assert.deepEqual(evaluate([allowS3, denySecret], request), { decision: 'Deny', statement: { policyIndex: 1, sid: 'NoSecrets' } });
    assert.deepEqual(evaluate([denySecret, allowS3], request), { decision: 'Deny', statement: { policyIndex: 0, sid: 'NoSecrets' } });
    const sameDocument = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 's3:*', Resource: '*' },
      ],
    });
    assert.deepEqual(evaluate([sameDocument], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {} }), {
      decision: 'Deny',
      statement: { policyIndex: 0 },
    });
    assert.equal(decide([allowS3, denySecret], 's3:GetObject', 'arn:aws:s3:::public/k'), 'Allow');
  });

  it('denies implicitly when nothing allows', () => {
    assert.deepEqual(evaluate([denySecret], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {} }), { decision: 'ImplicitDeny' });
    assert.deepEqual(evaluate([], { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', context: {} }), { decision: 'ImplicitDeny' });
  });

  it('ignores a Deny whose condition does not hold', () => {
    const denyInsecure = parsePolicy({
      Version: '2012-10-17',
      Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    });
    assert.equal(decide([allowS3, denyInsecure], 's3:GetObject', 'arn:aws:s3:::b/k', { 'aws:SecureTransport': true }), 'Allow');
    assert.equal(decide([allowS3, denyInsecure], 's3:GetObject', 'arn:aws:s3:::b/k', { 'aws:SecureTransport': false }), 'Deny');
    // The key is absent: Bool does not match, so this Deny does not apply.
    assert.equal(decide([allowS3, denyInsecure], 's3:GetObject', 'arn:aws:s3:::b/k'), 'Allow');
  });

  it('inverts NotAction', () => {
    const policy = allow({ NotAction: ['iam:*', 'sts:*'], Resource: '*' });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::b/k'), 'Allow');
    assert.equal(decide([policy], 'iam:CreateUser', 'arn:aws:iam::123456789012:user/x'), 'ImplicitDeny');
    assert.equal(decide([policy], 'STS:AssumeRole', 'arn:aws:iam::123456789012:role/x'), 'ImplicitDeny');
    const denyAllBut = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', NotAction: 's3:Get*', Resource: '*' } });
    const everything = allow({ Action: '*', Resource: '*' });
    assert.equal(decide([everything, denyAllBut], 's3:GetObject', 'arn:aws:s3:::b/k'), 'Allow');
    assert.equal(decide([everything, denyAllBut], 's3:PutObject', 'arn:aws:s3:::b/k'), 'Deny');
  });

  it('inverts NotResource', () => {
    const policy = allow({ Action: 's3:*', NotResource: ['arn:aws:s3:::secret', 'arn:aws:s3:::secret/*'] });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::public/k'), 'Allow');
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::secret/k'), 'ImplicitDeny');
    assert.equal(decide([policy], 's3:ListBucket', 'arn:aws:s3:::secret'), 'ImplicitDeny');
    const denyOutside = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::mine/*' } });
    assert.equal(decide([allow({ Action: 's3:*', Resource: '*' }), denyOutside], 's3:GetObject', 'arn:aws:s3:::mine/k'), 'Allow');
    assert.equal(decide([allow({ Action: 's3:*', Resource: '*' }), denyOutside], 's3:GetObject', 'arn:aws:s3:::yours/k'), 'Deny');
  });

  it('leaves out statements that name a principal (resource/trust policies)', () => {
    const policy = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' } });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::b/k'), 'ImplicitDeny');
  });

  it('never applies a statement with an operator IAM does not know (hand-built documents)', () => {
    const handBuilt: PolicyDocument = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] },
        { Effect: 'Deny', Action: ['s3:*'], Resource: ['*'], Condition: { StringEqualz: { k: ['v'] } } },
        { Effect: 'Allow', Action: ['sqs:*'], Resource: ['*'], Condition: { 'ForEveryValue:StringLike': { k: ['*'] } } },
      ],
    };
    assert.equal(decide([handBuilt], 's3:GetObject', 'arn:aws:s3:::b/k', { k: 'v' }), 'Allow');
    assert.equal(decide([handBuilt], 'sqs:SendMessage', 'arn:aws:sqs:us-east-1:123456789012:q', { k: 'v' }), 'ImplicitDeny');
  });
});

describe('condition operators', () => {
  const epoch = (iso: string): string => String(Date.parse(iso) / 1000);
  const cases: Array<[operator: string, policyValues: unknown, context: ContextInput, expected: boolean]> = [
    // String
    ['StringEquals', 'abc', 'abc', true],
    ['StringEquals', 'abc', 'ABC', false],
    ['StringEquals', 'abc', 'abcd', false],
    ['StringEquals', ['x', 'abc'], 'abc', true],
    ['StringEquals', 'a*', 'abc', false], // no wildcards in StringEquals
    ['StringEquals', 'a*', 'a*', true],
    ['StringEquals', '', '', true],
    ['StringEquals', '42', 42, true],
    ['StringEquals', 'abc', MISSING, false],
    ['StringNotEquals', 'abc', 'abc', false],
    ['StringNotEquals', 'abc', 'abd', true],
    ['StringNotEquals', ['x', 'abc'], 'abc', false], // negated: matches none of the values
    ['StringNotEquals', ['x', 'y'], 'abc', true],
    ['StringNotEquals', 'abc', MISSING, true],
    ['StringEqualsIgnoreCase', 'ABC', 'abc', true],
    ['StringEqualsIgnoreCase', 'ABC', 'abd', false],
    ['StringEqualsIgnoreCase', 'ABC', MISSING, false],
    ['StringNotEqualsIgnoreCase', 'ABC', 'abc', false],
    ['StringNotEqualsIgnoreCase', 'ABC', 'xyz', true],
    ['StringNotEqualsIgnoreCase', 'ABC', MISSING, true],
    ['StringLike', 'photos/*', 'photos/a/b', true],
    ['StringLike', 'photos/*', 'docs/a', false],
    ['StringLike', 'photos/?', 'photos/a', true],
    ['StringLike', 'photos/?', 'photos/ab', false],
    ['StringLike', 'Photos/*', 'photos/a', false], // case-sensitive
    ['StringLike', 't1.*', 't1.micro', true],
    ['StringLike', 't1.*', 't1xmicro', false], // `.` is literal
    ['StringLike', ['', 'home/'], '', true],
    ['StringLike', 'photos/*', MISSING, false],
    ['StringNotLike', 'photos/*', 'docs/a', true],
    ['StringNotLike', 'photos/*', 'photos/a', false],
    ['StringNotLike', ['photos/*', 'docs/*'], 'docs/a', false],
    ['StringNotLike', 'photos/*', MISSING, true],
    // ARN: six components, matched separately; ArnEquals behaves like ArnLike
    ['ArnEquals', 'arn:aws:sns:us-east-1:123456789012:topic', 'arn:aws:sns:us-east-1:123456789012:topic', true],
    ['ArnEquals', 'arn:aws:sns:*:123456789012:*', 'arn:aws:sns:eu-west-1:123456789012:alerts', true],
    ['ArnEquals', 'arn:aws:sns:us-east-1:123456789012:topic', 'arn:aws:sns:us-east-1:123456789012:Topic', false],
    ['ArnLike', 'arn:aws:iam::*:role/app-*', 'arn:aws:iam::123456789012:role/app-reader', true],
    ['ArnLike', 'arn:aws:iam::*:role/app-*', 'arn:aws:iam::123456789012:user/app-reader', false],
    ['ArnLike', 'arn:aws:someservice:*:111122223333:finance/*', 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt', false],
    ['ArnLike', 'arn:aws:logs:us-east-1:123456789012:log-group:*', 'arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x', true],
    ['ArnLike', 'arn:aws:iam::*:role/*', 'not-an-arn', false],
    ['ArnLike', 'arn:aws:iam::*:role/*', MISSING, false],
    ['ArnNotEquals', 'arn:aws:sns:*:123456789012:*', 'arn:aws:sns:us-east-1:999999999999:x', true],
    ['ArnNotEquals', 'arn:aws:sns:*:123456789012:*', 'arn:aws:sns:us-east-1:123456789012:x', false],
    ['ArnNotLike', 'arn:aws:iam::*:role/app-*', 'arn:aws:iam::123456789012:role/admin', true],
    ['ArnNotLike', 'arn:aws:iam::*:role/app-*', 'arn:aws:iam::123456789012:role/app-x', false],
    ['ArnNotLike', 'arn:aws:iam::*:role/app-*', MISSING, true],
    // Numeric
    ['NumericEquals', '10', '10', true],
    ['NumericEquals', '10', 10, true],
    ['NumericEquals', '10', '10.0', true],
    ['NumericEquals', 10, '10', true],
    ['NumericEquals', '10', '11', false],
    ['NumericEquals', '10', 'ten', false],
    ['NumericEquals', '10', MISSING, false],
    ['NumericNotEquals', '10', '11', true],
    ['NumericNotEquals', '10', '10', false],
    ['NumericNotEquals', ['10', '11'], '11', false],
    ['NumericNotEquals', '10', MISSING, true],
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '10', '10', false],
    ['NumericLessThan', '2.5', '2.49', true],
    ['NumericLessThan', '0', '-1', true],
    ['NumericLessThanEquals', '10', '10', true],
    ['NumericLessThanEquals', '10', '11', false],
    ['NumericGreaterThan', '10', '11', true],
    ['NumericGreaterThan', '10', '10', false],
    ['NumericGreaterThanEquals', '10', '10', true],
    ['NumericGreaterThanEquals', '10', '9', false],
    ['NumericGreaterThanEquals', ['100', '5'], '9', true], // ORed
    // Date: ISO 8601 (any W3C precision, any offset) and epoch seconds, on either side
    ['DateEquals', '2024-05-17T10:00:00Z', '2024-05-17T12:00:00+02:00', true],
    ['DateEquals', '2024-05-17T10:00:00Z', epoch('2024-05-17T10:00:00Z'), true],
    ['DateEquals', epoch('2024-05-17T10:00:00Z'), '2024-05-17T10:00:00Z', true],
    ['DateEquals', '2024-05-17T10:00:00Z', Date.parse('2024-05-17T10:00:00Z') / 1000, true],
    ['DateEquals', '2024-05-17', '2024-05-17T00:00:00Z', true],
    ['DateEquals', '2024-05-17T10:00:00Z', '2024-05-17T10:00:01Z', false],
    ['DateEquals', '2024-05-17T10:00:00Z', 'yesterday', false],
    ['DateEquals', '2024-05-17T10:00:00Z', MISSING, false],
    ['DateNotEquals', '2024-05-17T10:00:00Z', '2024-05-17T10:00:01Z', true],
    ['DateNotEquals', '2024-05-17T10:00:00Z', '2024-05-17T10:00:00.000Z', false],
    ['DateNotEquals', '2024-05-17T10:00:00Z', MISSING, true],
    ['DateLessThan', '2024-01-01T00:00:00Z', '2023-12-31T23:59:59Z', true],
    ['DateLessThan', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', false],
    ['DateLessThan', '2024-01-01T00:00:00Z', '2024-01-01T01:00:00+02:00', true],
    ['DateLessThanEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', true],
    ['DateLessThanEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00.001Z', false],
    ['DateGreaterThan', '2024-01-01', '2024-01-01T00:00:01Z', true],
    ['DateGreaterThan', '2024-01-01', '2024-01-01T00:00:00Z', false],
    ['DateGreaterThan', '2020-01-01T00:00:01Z', '2024-01-01T00:00:00.500Z', true],
    ['DateGreaterThanEquals', '2024-01-01T00:00:00Z', Date.parse('2024-01-01T00:00:00Z') / 1000, true],
    ['DateGreaterThanEquals', '1704067200', '2023-12-31T23:59:59Z', false],
    // Bool
    ['Bool', 'true', true, true],
    ['Bool', 'true', 'true', true],
    ['Bool', 'true', 'TRUE', true],
    ['Bool', 'true', false, false],
    ['Bool', 'true', 'false', false],
    ['Bool', true, true, true],
    ['Bool', 'false', false, true],
    ['Bool', 'true', MISSING, false],
    // Binary
    ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=', true],
    ['BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWY=', false],
    ['BinaryEquals', 'QmluYXJ5VmFsdWU=', MISSING, false],
    // IP address (IPv4 and IPv6, CIDR or a bare address)
    ['IpAddress', '203.0.113.0/24', '203.0.113.7', true],
    ['IpAddress', '203.0.113.0/24', '203.0.114.1', false],
    ['IpAddress', '203.0.113.7', '203.0.113.7', true],
    ['IpAddress', '203.0.113.7', '203.0.113.8', false],
    ['IpAddress', '0.0.0.0/0', '198.51.100.1', true],
    ['IpAddress', '2001:DB8:1234:5678::/64', '2001:db8:1234:5678::abcd', true],
    ['IpAddress', '2001:DB8:1234:5678::/64', '2001:db8:1234:5679::1', false],
    ['IpAddress', ['203.0.113.0/24', '2001:DB8:1234:5678::/64'], '2001:db8:1234:5678:1:2:3:4', true],
    ['IpAddress', '203.0.113.0/24', '::ffff:203.0.113.9', true], // IPv4 peer on a dual-stack socket
    ['IpAddress', '203.0.113.0/24', '2001:db8::1', false],
    ['IpAddress', '203.0.113.0/24', 'not-an-ip', false],
    ['IpAddress', '203.0.113.0/24', MISSING, false],
    ['NotIpAddress', '10.0.0.0/8', '192.168.1.1', true],
    ['NotIpAddress', '10.0.0.0/8', '10.1.2.3', false],
    ['NotIpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '192.168.1.1', false],
    ['NotIpAddress', 'fd00::/8', 'fd12::1', false],
    ['NotIpAddress', '10.0.0.0/8', MISSING, true],
    // Null: "true" = the key must be absent, "false" = present
    ['Null', 'true', MISSING, true],
    ['Null', 'true', 'x', false],
    ['Null', 'true', '', false],
    ['Null', 'false', 'x', true],
    ['Null', 'false', MISSING, false],
    ['Null', 'true', [], true], // an empty multi-valued key is absent
    ['Null', 'true', undefined, true],
    ['Null', 'false', false, true],
    // ...IfExists: an absent key satisfies the condition; a present one is checked as usual
    ['StringEqualsIfExists', 'x', MISSING, true],
    ['StringEqualsIfExists', 'x', 'x', true],
    ['StringEqualsIfExists', 'x', 'y', false],
    ['StringNotEqualsIfExists', 'x', 'x', false],
    ['StringNotEqualsIfExists', 'x', MISSING, true],
    ['StringLikeIfExists', ['t1.*', 't2.*'], 'm5.large', false],
    ['StringLikeIfExists', ['t1.*', 't2.*'], 't2.micro', true],
    ['NumericLessThanIfExists', '10', MISSING, true],
    ['NumericLessThanIfExists', '10', '11', false],
    ['BoolIfExists', 'true', MISSING, true],
    ['BoolIfExists', 'true', false, false],
    ['DateLessThanIfExists', '2024-01-01', MISSING, true],
    ['IpAddressIfExists', '10.0.0.0/8', MISSING, true],
    ['IpAddressIfExists', '10.0.0.0/8', '11.0.0.1', false],
    ['ArnLikeIfExists', 'arn:aws:iam::*:role/*', MISSING, true],
    // Set qualifiers on multi-valued keys
    ['ForAnyValue:StringLike', 'authenticated', ['authenticated', 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12'], true],
    ['ForAnyValue:StringLike', 'authenticated', ['unauthenticated'], false],
    ['ForAnyValue:StringLike', 'authenticated', MISSING, false],
    ['ForAnyValue:StringLike', 'authenticated', [], false],
    ['ForAnyValue:StringEquals', ['ID', 'PostDateTime'], ['UserName', 'Message', 'PostDateTime'], true],
    ['ForAnyValue:StringEquals', ['ID', 'PostDateTime'], ['UserName', 'Message'], false],
    ['ForAnyValue:StringEquals', 'a', 'a', true], // a single value is a set of one
    ['ForAllValues:StringLike', ['PostDateTime', 'Message', 'Tags'], ['PostDateTime', 'Message'], true],
    ['ForAllValues:StringLike', ['PostDateTime', 'Message', 'Tags'], ['PostDateTime', 'UserName'], false],
    ['ForAllValues:StringLike', ['Created*'], ['CreatedBy', 'CreatedAt'], true],
    ['ForAllValues:StringLike', ['PostDateTime'], MISSING, true], // vacuously true, as IAM documents
    ['ForAllValues:StringLike', ['PostDateTime'], [], true],
    ['ForAllValues:StringNotEquals', ['ID', 'UserName'], ['Message', 'Tags'], true],
    ['ForAllValues:StringNotEquals', ['ID', 'UserName'], ['Message', 'ID'], false],
    ['ForAllValues:StringNotEquals', ['ID'], MISSING, true],
    ['ForAnyValue:StringNotEquals', 'a', ['a', 'b'], true],
    ['ForAnyValue:StringNotEquals', 'a', ['a'], false],
    ['ForAnyValue:StringNotEquals', 'a', MISSING, false],
    ['ForAnyValue:StringNotLike', ['a*'], ['ab', 'ac'], false],
    ['ForAnyValue:StringNotLike', ['a*'], ['ab', 'bc'], true],
    ['ForAllValues:StringEqualsIgnoreCase', ['x', 'y'], ['X', 'Y'], true],
    ['ForAnyValue:NumericGreaterThan', '10', ['1', '20'], true],
    ['ForAllValues:NumericGreaterThan', '10', ['1', '20'], false],
    ['ForAnyValue:IpAddress', '10.0.0.0/8', ['192.0.2.1', '10.0.0.1'], true],
    ['ForAllValues:ArnLike', 'arn:aws:iam::*:role/*', ['arn:aws:iam::1:role/a', 'arn:aws:iam::2:role/b'], true],
    ['ForAnyValue:StringLikeIfExists', 'x', MISSING, true],
    // No qualifier on a multi-valued key: positive = some value matches, negated = none does
    ['StringEquals', 'y', ['x', 'y'], true],
    ['StringEquals', 'z', ['x', 'y'], false],
    ['StringNotEquals', 'y', ['x', 'y'], false],
    ['StringNotEquals', 'z', ['x', 'y'], true],
  ];
  for (const [operator, policyValues, context, expected] of cases) {
    const shown = context === MISSING ? '(key absent)' : JSON.stringify(context);
    it(`${operator} ${JSON.stringify(policyValues)} vs ${shown} → ${expected}`, () => {
      assert.equal(check(operator, policyValues, context), expected);
    });
  }

  it('ANDs keys within an operator and operators within a statement, ORs values', () => {
    const both = { StringEquals: { a: '1', b: '2' } };
    assert.equal(holds(both, { a: '1', b: '2' }), true);
    assert.equal(holds(both, { a: '1', b: '3' }), false);
    assert.equal(holds(both, { a: '1' }), false);
    const twoOperators = { StringEquals: { a: ['1', '9'] }, NumericLessThan: { n: '5' } };
    assert.equal(holds(twoOperators, { a: '9', n: 4 }), true);
    assert.equal(holds(twoOperators, { a: '9', n: 6 }), false);
    assert.equal(holds(twoOperators, { a: '2', n: 4 }), false);
  });

  it('matches condition key names case-insensitively, values case-sensitively', () => {
    assert.equal(holds({ StringEquals: { 'AWS:UserName': 'alice' } }, { 'aws:username': 'alice' }), true);
    assert.equal(holds({ StringEquals: { 'aws:username': 'alice' } }, { 'AWS:USERNAME': 'alice' }), true);
    assert.equal(holds({ StringEquals: { 'aws:PrincipalTag/Team': 'red' } }, { 'aws:principaltag/team': 'red' }), true);
    assert.equal(holds({ StringEquals: { 'aws:username': 'alice' } }, { 'aws:username': 'Alice' }), false);
    assert.equal(holds({ stringequals: { k: 'v' } }, { k: 'v' }), true);
  });
});

describe('policy variables', () => {
  const homeFolder = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::bucket/home/${aws:username}/*' });

  it('substitutes ${aws:username} in Resource, and matches nothing without it', () => {
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home/alice/a.txt', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home/bob/a.txt', { 'aws:username': 'alice' }), 'ImplicitDeny');
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home//a.txt'), 'ImplicitDeny');
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home/${aws:username}/a.txt'), 'ImplicitDeny');
  });

  it('substitutes Cognito identity keys, aws:userid, principal tags and any other context key', () => {
    const context = {
      'cognito-identity.amazonaws.com:sub': 'us-east-1:0f8e6c2a-1111-2222-3333-444455556666',
      'cognito-identity.amazonaws.com:aud': 'us-east-1:aaaabbbb-cccc-dddd-eeee-ffff00001111',
      'aws:userid': 'AROAEXAMPLE:CognitoIdentityCredentials',
      'aws:PrincipalTag/team': 'red',
      'app:tenant': 'acme',
    };
    const policy = allow({
      Action: 's3:GetObject',
      Resource: [
        'arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/*',
        'arn:aws:s3:::pools/${cognito-identity.amazonaws.com:aud}/*',
        'arn:aws:s3:::users/${aws:userid}',
        'arn:aws:s3:::teams/${aws:PrincipalTag/team}/*',
        'arn:aws:s3:::tenants/${APP:Tenant}/*',
      ],
    });
    for (const resource of [
      'arn:aws:s3:::b/us-east-1:0f8e6c2a-1111-2222-3333-444455556666/x',
      'arn:aws:s3:::pools/us-east-1:aaaabbbb-cccc-dddd-eeee-ffff00001111/x',
      'arn:aws:s3:::users/AROAEXAMPLE:CognitoIdentityCredentials',
      'arn:aws:s3:::teams/red/x',
      'arn:aws:s3:::tenants/acme/x',
    ]) {
      assert.equal(decide([policy], 's3:GetObject', resource, context), 'Allow', resource);
    }
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::teams/blue/x', context), 'ImplicitDeny');
  });

  it('treats a multi-valued key as having no value for substitution', () => {
    const policy = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${cognito-identity.amazonaws.com:amr}/*' });
    const context = { 'cognito-identity.amazonaws.com:amr': ['authenticated'] };
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::b/authenticated/x', context), 'ImplicitDeny');
  });

  it('substitutes numbers and booleans as text', () => {
    const policy = allow({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${app:level}/${app:flag}' });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::b/3/true', { 'app:level': 3, 'app:flag': true }), 'Allow');
  });

  it('uses a default value when the key has none', () => {
    const policy = allow({ Action: 's3:*', Resource: "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'company-wide'}/*" });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::bucket-company-wide/x'), 'Allow');
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::bucket-yellow/x', { 'aws:PrincipalTag/team': 'yellow' }), 'Allow');
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::bucket-company-wide/x', { 'aws:PrincipalTag/team': 'yellow' }), 'ImplicitDeny');
  });

  it('keeps substituted values literal: a `*` in a value is not a wildcard', () => {
    const context = { 'aws:username': 'a*' };
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home/a*/x', context), 'Allow');
    assert.equal(decide([homeFolder], 's3:GetObject', 'arn:aws:s3:::bucket/home/abc/x', context), 'ImplicitDeny');
    assert.equal(holds({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, { 's3:prefix': 'home/anyone/x', 'aws:username': '*' }), false);
    assert.equal(holds({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }, { 's3:prefix': 'home/*/x', 'aws:username': '*' }), true);
  });

  it('supports the ${*}, ${?} and ${$} escapes', () => {
    const star = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${*}' });
    assert.equal(decide([star], 's3:GetObject', 'arn:aws:s3:::b/*'), 'Allow');
    assert.equal(decide([star], 's3:GetObject', 'arn:aws:s3:::b/x'), 'ImplicitDeny');
    const question = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/why${?}' });
    assert.equal(decide([question], 's3:GetObject', 'arn:aws:s3:::b/why?'), 'Allow');
    assert.equal(decide([question], 's3:GetObject', 'arn:aws:s3:::b/whyX'), 'ImplicitDeny');
    const dollar = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${$}{aws:username}' });
    assert.equal(decide([dollar], 's3:GetObject', 'arn:aws:s3:::b/${aws:username}', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide([dollar], 's3:GetObject', 'arn:aws:s3:::b/alice', { 'aws:username': 'alice' }), 'ImplicitDeny');
    assert.equal(holds({ StringLike: { k: 'price${$}${*}' } }, { k: 'price$*' }), true);
    assert.equal(holds({ StringLike: { k: 'price${$}${*}' } }, { k: 'price$100' }), false);
    assert.equal(holds({ StringEquals: { k: '${*}' } }, { k: '*' }), true);
  });

  it('leaves malformed ${ sequences literal', () => {
    const policy = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username' });
    assert.equal(decide([policy], 's3:GetObject', 'arn:aws:s3:::b/${aws:username', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(holds({ StringEquals: { k: 'a${}b' } }, { k: 'a${}b' }), true);
  });

  it('does not substitute in 2008-10-17 policies (nor in ones without Version)', () => {
    const old = allow({ Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' }, '2008-10-17');
    const context = { 'aws:username': 'alice' };
    assert.equal(decide([old], 's3:GetObject', 'arn:aws:s3:::b/alice/x', context), 'ImplicitDeny');
    assert.equal(decide([old], 's3:GetObject', 'arn:aws:s3:::b/${aws:username}/x', context), 'Allow');
    const unversioned = parsePolicy({ Statement: { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b/${aws:username}/*' } });
    assert.equal(decide([unversioned], 's3:GetObject', 'arn:aws:s3:::b/alice/x', context), 'ImplicitDeny');
    assert.equal(holds({ StringEquals: { k: '${aws:username}' } }, { k: 'alice', ...context }, '2008-10-17'), false);
  });

  it('substitutes in condition values; a missing variable fails positive operators and satisfies negated ones', () => {
    const prefix = { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } };
    assert.equal(holds(prefix, { 's3:prefix': 'home/alice/docs', 'aws:username': 'alice' }), true);
    assert.equal(holds(prefix, { 's3:prefix': 'home/bob/docs', 'aws:username': 'alice' }), false);
    assert.equal(holds(prefix, { 's3:prefix': 'home/' }), true); // the other values still match
    assert.equal(holds(prefix, { 's3:prefix': 'home/alice/docs' }), false);
    // IAM: "Inverted condition operators like StringNotEquals … do match against a null value".
    const team = { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } };
    assert.equal(holds(team, { 's3:ExistingObjectTag/Team': 'red', 'aws:PrincipalTag/Team': 'red' }), false);
    assert.equal(holds(team, { 's3:ExistingObjectTag/Team': 'red', 'aws:PrincipalTag/Team': 'blue' }), true);
    assert.equal(holds(team, { 's3:ExistingObjectTag/Team': 'red' }), true);
    assert.equal(holds({ StringEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } }, { 's3:ExistingObjectTag/Team': 'red' }), false);
    // ARN and Bool operators take variables too.
    assert.equal(holds({ ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:user/${aws:username}' } }, { 'aws:SourceArn': 'arn:aws:iam::1:user/alice', 'aws:username': 'alice' }), true);
    assert.equal(holds({ Bool: { 'app:flag': '${app:expected}' } }, { 'app:flag': true, 'app:expected': 'true' }), true);
    assert.equal(holds({ Bool: { 'app:flag': '${app:expected}' } }, { 'app:flag': true, 'app:expected': 'false' }), false);
  });

  it('makes an entry with a missing variable match nothing in NotResource too (so NotResource covers everything)', () => {
    const denyOthers = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::b/${aws:username}/*' } });
    const everything = allow({ Action: 's3:*', Resource: '*' });
    assert.equal(decide([everything, denyOthers], 's3:GetObject', 'arn:aws:s3:::b/alice/x', { 'aws:username': 'alice' }), 'Allow');
    assert.equal(decide([everything, denyOthers], 's3:GetObject', 'arn:aws:s3:::b/bob/x', { 'aws:username': 'alice' }), 'Deny');
    assert.equal(decide([everything, denyOthers], 's3:GetObject', 'arn:aws:s3:::b/alice/x'), 'Deny');
  });
});

describe('the S3 per-identity folder policy (Cognito identity pools)', () => {
  const SUB = 'us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-5b6c7d8e9f01';
  const OTHER = 'us-east-1:9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
  const policy = parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'ListOwnPrefix',
          Effect: 'Allow',
          Action: 's3:ListBucket',
          Resource: 'arn:aws:s3:::bucket',
          Condition: { StringLike: { 's3:prefix': ['photos/${cognito-identity.amazonaws.com:sub}/*'] } },
        },
        {
          Sid: 'ReadWriteOwnObjects',
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
          Resource: ['arn:aws:s3:::bucket/photos/${cognito-identity.amazonaws.com:sub}/*'],
        },
      ],
    }),
    { kind: 'identity' },
  );
  const context = { 'cognito-identity.amazonaws.com:sub': SUB, 'cognito-identity.amazonaws.com:amr': ['authenticated'] };

  it("allows the identity's own prefix", () => {
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      assert.deepEqual(evaluate([policy], { action, resource: `arn:aws:s3:::bucket/photos/${SUB}/2024/cat.jpg`, context }), {
        decision: 'Allow',
        statement: { policyIndex: 0, sid: 'ReadWriteOwnObjects' },
      });
    }
    assert.equal(decide([policy], 's3:ListBucket', 'arn:aws:s3:::bucket', { ...context, 's3:prefix': `photos/${SUB}/2024` }), 'Allow');
  });

  it("refuses another identity's prefix, other actions, and callers without an identity", () => {
    assert.equal(decide([policy], 's3:GetObject', `arn:aws:s3:::bucket/photos/${OTHER}/cat.jpg`, context), 'ImplicitDeny');
    assert.equal(decide([policy], 's3:ListBucket', 'arn:aws:s3:::bucket', { ...context, 's3:prefix': `photos/${OTHER}/` }), 'ImplicitDeny');
    assert.equal(decide([policy], 's3:ListBucket', 'arn:aws:s3:::bucket', context), 'ImplicitDeny'); // no prefix at all
    assert.equal(decide([policy], 's3:GetObject', `arn:aws:s3:::bucket/photos/${SUB}`, context), 'ImplicitDeny');
    assert.equal(decide([policy], 's3:GetObjectAcl', `arn:aws:s3:::bucket/photos/${SUB}/cat.jpg`, context), 'ImplicitDeny');
    assert.equal(decide([policy], 's3:GetObject', `arn:aws:s3:::bucket/photos/${SUB}/cat.jpg`, {}), 'ImplicitDeny');
    // A sub that is a prefix of another identity's does not reach into it.
    assert.equal(decide([policy], 's3:GetObject', `arn:aws:s3:::bucket/photos/${SUB}x/cat.jpg`, context), 'ImplicitDeny');
  });
});

describe('trustAllows: role trust policies', () => {
  const POOL = 'us-east-1:12345678-aaaa-bbbb-cccc-1234567890ab';
  const OTHER_POOL = 'us-east-1:87654321-dddd-eeee-ffff-ba0987654321';
  const COGNITO = 'cognito-identity.amazonaws.com';
  const ASSUME = 'sts:AssumeRoleWithWebIdentity';
  const trustFor = (amr: string) =>
    parsePolicy(
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: COGNITO },
            Action: ASSUME,
            Condition: {
              StringEquals: { 'cognito-identity.amazonaws.com:aud': POOL },
              'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': amr },
            },
          },
        ],
      },
      { kind: 'trust' },
    );
  const authenticatedRole = trustFor('authenticated');
  const unauthenticatedRole = trustFor('unauthenticated');
  const authenticated = (aud: string) => ({
    'cognito-identity.amazonaws.com:aud': aud,
    'cognito-identity.amazonaws.com:sub': 'us-east-1:0f8e6c2a-7d1b-4c3e-9a2f-5b6c7d8e9f01',
    'cognito-identity.amazonaws.com:amr': ['authenticated', 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E', 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E:CognitoSignIn:5b2f1e0a'],
  });
  const unauthenticated = { 'cognito-identity.amazonaws.com:aud': POOL, 'cognito-identity.amazonaws.com:amr': ['unauthenticated'] };

  it("admits authenticated identities of the pool to Cognito's documented authenticated-role trust policy", () => {
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: authenticated(POOL) }), true);
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: 'STS:assumerolewithwebidentity', context: authenticated(POOL) }), true);
  });

  it('refuses another pool, unauthenticated identities, other actions and other principals', () => {
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: authenticated(OTHER_POOL) }), false);
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: unauthenticated }), false);
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: 'sts:AssumeRole', context: authenticated(POOL) }), false);
    assert.equal(trustAllows(authenticatedRole, { principalFederated: 'accounts.google.com', action: ASSUME, context: authenticated(POOL) }), false);
    assert.equal(trustAllows(authenticatedRole, { action: ASSUME, context: authenticated(POOL) }), false);
    assert.equal(trustAllows(authenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: { 'cognito-identity.amazonaws.com:amr': ['authenticated'] } }), false);
  });

  it('admits unauthenticated identities to the unauthenticated role only', () => {
    assert.equal(trustAllows(unauthenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: unauthenticated }), true);
    assert.equal(trustAllows(unauthenticatedRole, { principalFederated: COGNITO, action: ASSUME, context: authenticated(POOL) }), false);
  });

  it('matches "*", {"AWS": "*"}, lists of federated principals and NotPrincipal', () => {
    const trust = (principal: Record<string, unknown>) =>
      parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:AssumeRoleWithWebIdentity', ...principal } });
    const request = { principalFederated: COGNITO, action: ASSUME, context: {} };
    assert.equal(trustAllows(trust({ Principal: '*' }), request), true);
    assert.equal(trustAllows(trust({ Principal: { AWS: '*' } }), request), true);
    assert.equal(trustAllows(trust({ Principal: { AWS: '*' } }), { action: ASSUME, context: {} }), true);
    assert.equal(trustAllows(trust({ Principal: { Federated: ['accounts.google.com', COGNITO] } }), request), true);
    assert.equal(trustAllows(trust({ Principal: { Federated: ['accounts.google.com'] } }), request), false);
    assert.equal(trustAllows(trust({ Principal: { AWS: 'arn:aws:iam::123456789012:root' } }), request), false);
    assert.equal(trustAllows(trust({ Principal: { Service: 'lambda.amazonaws.com' } }), request), false);
    assert.equal(trustAllows(trust({ NotPrincipal: { Federated: 'accounts.google.com' } }), request), true);
    assert.equal(trustAllows(trust({ NotPrincipal: { Federated: COGNITO } }), request), false);
  });

  it('lets a Deny statement win and ignores statements without a principal', () => {
    const withDeny = parsePolicy({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Federated: COGNITO }, Action: ASSUME },
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 'sts:*',
          Condition: { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' } },
        },
      ],
    });
    assert.equal(trustAllows(withDeny, { principalFederated: COGNITO, action: ASSUME, context: authenticated(POOL) }), true);
    assert.equal(trustAllows(withDeny, { principalFederated: COGNITO, action: ASSUME, context: unauthenticated }), false);
    const noPrincipal = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sts:*', Resource: '*' } });
    assert.equal(trustAllows(noPrincipal, { principalFederated: COGNITO, action: ASSUME, context: {} }), false);
  });
});

describe('parseStoredPolicy', () => {
  const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }] });

  it('parses a stored text once: the same frozen document for every later reader', () => {
    const first = parseStoredPolicy(text, { kind: 'trust' });
    assert.equal(parseStoredPolicy(text, { kind: 'trust' }), first);
    assert.ok(Object.isFrozen(first));
    assert.deepEqual(first, parsePolicy(text, { kind: 'trust' }));
  });

  it('keeps the rules of each kind apart, and never caches a refusal', () => {
    assert.throws(() => parseStoredPolicy(text, { kind: 'identity' }), MalformedPolicyDocumentError);
    assert.throws(() => parseStoredPolicy('{"Statement": []}', { kind: 'trust' }), MalformedPolicyDocumentError);
    assert.throws(() => parseStoredPolicy('{"Statement": []}', { kind: 'trust' }), MalformedPolicyDocumentError);
  });
});
