import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { identityPoolsModel, userPoolsModel, type ServiceModel, type Shape } from '../src/protocol/service-model.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';
import { cognitoTrust } from './helpers/trust-policies.js';

/**
 * Bad input is answered with a 4xx and an error type, never a 500. Every operation of both JSON services
 * gets inputs made from its input shape in the service model: an empty body, each required member left
 * out, each member of the wrong JSON type, each string member set to what plain-object lookups trip on
 * (`constructor`, `__proto__`) or what PostgreSQL's text refuses (a NUL), each number past 32 bits. The rest of an input
 * names real resources (a pool, a client, a user, a token, an identity), so the mutations reach past
 * "not found". A full-valid input is never sent: some operations delete what they name.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ODD_STRINGS = ['constructor', '__proto__', 'a\u0000b'];

/** What each input member is, by name, when a real one exists. */
type Fixtures = Record<string, Json>;

function sample(model: ServiceModel, shapeName: string, name: string, fixtures: Fixtures, depth = 0): Json {
  if (Object.hasOwn(fixtures, name)) return fixtures[name];
  const shape = model.shapes[shapeName];
  switch (shape.type) {
    case 'string':
      return shape.enum?.[0] ?? 'x'.repeat(Math.max(1, shape.min ?? 1));
    case 'integer':
    case 'long':
    case 'double':
    case 'float':
      return shape.min ?? 1;
    case 'boolean':
      return true;
    case 'timestamp':
      return 0;
    case 'blob':
      return 'AA==';
    case 'list':
      return depth > 3 ? [] : [sample(model, shape.member!.shape, '', fixtures, depth + 1)];
    case 'map':
      return {};
    case 'structure':
      return depth > 3 ? {} : requiredOnly(model, shape, fixtures, depth + 1);
  }
}

function requiredOnly(model: ServiceModel, shape: Shape, fixtures: Fixtures, depth = 0): { [key: string]: Json } {
  return Object.fromEntries((shape.required ?? []).map((name) => [name, sample(model, shape.members![name].shape, name, fixtures, depth)]));
}

/** A value of the wrong JSON type for `shape`. */
function wrongType(shape: Shape): Json {
  if (shape.type === 'string' || shape.type === 'blob') return 12345;
  if (shape.type === 'list') return { not: 'a list' };
  if (shape.type === 'structure' || shape.type === 'map') return ['not', 'an object'];
  return 'not a number or boolean';
}

interface Case {
  label: string;
  body: string;
}

function cases(model: ServiceModel, operation: string, fixtures: Fixtures): Case[] {
  const inputShape = model.operations.get(operation)!.inputShape;
  if (!inputShape) return [{ label: 'a body that is not JSON', body: '{' }];
  const shape = model.shapes[inputShape];
  const base = requiredOnly(model, shape, fixtures);
  const out: Case[] = [
    { label: 'an empty object', body: '{}' },
    { label: 'a JSON array', body: '[]' },
  ];
  for (const name of shape.required ?? []) {
    const { [name]: _left, ...rest } = base;
    out.push({ label: `${name} missing`, body: JSON.stringify(rest) });
  }
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const memberShape = model.shapes[member.shape];
    out.push({ label: `${name} of the wrong type`, body: JSON.stringify({ ...base, [name]: wrongType(memberShape) }) });
    out.push({ label: `${name} null`, body: JSON.stringify({ ...base, [name]: null }) });
    if (memberShape.type === 'string') {
      for (const odd of ODD_STRINGS) out.push({ label: `${name} = ${JSON.stringify(odd)}`, body: JSON.stringify({ ...base, [name]: odd }) });
      // As long as the model allows: PostgreSQL enforces column widths, SQLite does not.
      out.push({ label: `${name} at its longest`, body: JSON.stringify({ ...base, [name]: 'x'.repeat(Math.min(memberShape.max ?? 10_000, 200_000)) }) });
    }
    if (memberShape.type === 'integer' || memberShape.type === 'long') {
      // Past 32 bits (PostgreSQL's integer columns), and past anything.
      for (const huge of [2 ** 31, 1e300, -1e300]) out.push({ label: `${name} = ${huge}`, body: JSON.stringify({ ...base, [name]: huge }) });
    }
    if (memberShape.type === 'map') {
      out.push({ label: `${name} keyed by __proto__`, body: `${JSON.stringify({ ...base, [name]: {} }).slice(0, -2)}{"__proto__":"x","constructor":"y"}}` });
    }
    if (memberShape.type === 'list') {
      const item = model.shapes[memberShape.member!.shape];
      out.push({ label: `${name} with an item of the wrong type`, body: JSON.stringify({ ...base, [name]: [wrongType(item)] }) });
      if (item.type === 'structure') out.push({ label: `${name} with an empty item`, body: JSON.stringify({ ...base, [name]: [{}] }) });
      if (item.type === 'string') out.push({ label: `${name} with odd items`, body: JSON.stringify({ ...base, [name]: ODD_STRINGS }) });
    }
    if (memberShape.type === 'structure') out.push({ label: `${name} empty`, body: JSON.stringify({ ...base, [name]: {} }) });
    // One level down, where the values that reach storage often are (UserAttributes' values, Schema's names).
    const inner = memberShape.type === 'list' ? model.shapes[memberShape.member!.shape] : memberShape;
    if (inner.type === 'structure') {
      const item = requiredOnly(model, inner, fixtures);
      const wrap = (value: { [key: string]: Json }) => (memberShape.type === 'list' ? [value] : value);
      for (const [field, ref] of Object.entries(inner.members ?? {})) {
        const fieldShape = model.shapes[ref.shape];
        if (fieldShape.type !== 'string') continue;
        for (const odd of [...ODD_STRINGS, '\u0130'.repeat(fieldShape.max ?? 1000)]) {
          out.push({ label: `${name}.${field} = ${JSON.stringify(odd.slice(0, 12))}`, body: JSON.stringify({ ...base, [name]: wrap({ ...item, [field]: odd }) }) });
        }
      }
    }
  }
  return out;
}

for (const store of STORES) {
  describe(`malformed input is a 4xx, never a 500 (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    const fixtures: Fixtures = {};

    async function call(model: ServiceModel, operation: string, body: string): Promise<{ status: number; type: string; message: string }> {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${model.targetPrefix}.${operation}` },
        body,
      });
      const text = await response.text();
      let answer: { __type?: string; message?: string } = {};
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        // Not JSON: the status says enough.
      }
      return { status: response.status, type: answer.__type ?? '', message: answer.message ?? text.slice(0, 200) };
    }

    async function ok<T>(model: ServiceModel, operation: string, input: object): Promise<T> {
      const answer = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${model.targetPrefix}.${operation}` },
        body: JSON.stringify(input),
      });
      assert.equal(answer.status, 200, `${operation} fixture: ${await answer.clone().text()}`);
      return (await answer.json()) as T;
    }

    before(async () => {
      server = await startServer(store.name, { ...FAST_HASHING, credentialRateLimit: { perSecond: 1e6, burst: 1e6 }, codeMessageLimit: { perHour: 1e6, burst: 1e6 } });
      const { UserPool } = await ok<{ UserPool: { Id: string } }>(userPoolsModel, 'CreateUserPool', { PoolName: 'malformed', AutoVerifiedAttributes: ['email'] });
      const { UserPoolClient } = await ok<{ UserPoolClient: { ClientId: string } }>(userPoolsModel, 'CreateUserPoolClient', {
        UserPoolId: UserPool.Id,
        ClientName: 'app',
        ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      });
      await ok(userPoolsModel, 'AdminCreateUser', {
        UserPoolId: UserPool.Id,
        Username: 'someone',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'someone@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      });
      await ok(userPoolsModel, 'AdminSetUserPassword', { UserPoolId: UserPool.Id, Username: 'someone', Password: PASSWORD, Permanent: true });
      await ok(userPoolsModel, 'CreateGroup', { UserPoolId: UserPool.Id, GroupName: 'group' });
      const { AuthenticationResult } = await ok<{ AuthenticationResult: { AccessToken: string; IdToken: string; RefreshToken: string } }>(userPoolsModel, 'AdminInitiateAuth', {
        UserPoolId: UserPool.Id,
        ClientId: UserPoolClient.ClientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'someone', PASSWORD },
      });
      const { IdentityPoolId } = await ok<{ IdentityPoolId: string }>(identityPoolsModel, 'CreateIdentityPool', {
        IdentityPoolName: 'malformed',
        AllowUnauthenticatedIdentities: true,
        DeveloperProviderName: 'login.malformed',
      });
      const { IdentityId } = await ok<{ IdentityId: string }>(identityPoolsModel, 'GetId', { IdentityPoolId });
      Object.assign(fixtures, {
        UserPoolId: UserPool.Id,
        ClientId: UserPoolClient.ClientId,
        Username: 'someone',
        GroupName: 'group',
        AccessToken: AuthenticationResult.AccessToken,
        Token: AuthenticationResult.RefreshToken,
        IdentityPoolId,
        IdentityId,
      });
    });
    after(() => server?.close());

    for (const model of [userPoolsModel, identityPoolsModel]) {
      it(`${model.signingName}: every operation`, async () => {
        const failures: string[] = [];
        let sent = 0;
        for (const operation of model.operations.keys()) {
          for (const { label, body } of cases(model, operation, fixtures)) {
            const answer = await call(model, operation, body);
            sent++;
            if (answer.status >= 500 || /InternalError|InternalFailure/.test(answer.type)) failures.push(`${operation}, ${label}: ${answer.status} ${answer.type} ${answer.message}`);
            else if (answer.status !== 200 && !answer.type) failures.push(`${operation}, ${label}: ${answer.status} without an error type`);
          }
        }
        assert.ok(sent > 300, `${sent} inputs sent`);
        assert.deepEqual(failures, []);
      });
    }

    it('the OAuth endpoints and pages, the IAM and STS query APIs: odd identifiers and NULs are 4xx', async () => {
      const pool = fixtures.UserPoolId as string;
      const failures: string[] = [];
      const check = async (what: string, response: Promise<Response>) => {
        const { status } = await response;
        if (status >= 500) failures.push(`${what}: ${status}`);
      };
      const form = (body: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body).toString(), redirect: 'manual' as const });
      for (const odd of ODD_STRINGS) {
        for (const base of [`${server.url}/${pool}`, `${server.url}/${encodeURIComponent(odd)}`]) {
          const query = new URLSearchParams({ client_id: odd, response_type: 'code', redirect_uri: odd, scope: odd, state: odd, code_challenge: odd, identity_provider: odd });
          for (const path of ['/oauth2/authorize', '/login', '/signup', '/forgotPassword', '/confirm', '/logout', '/oauth2/userInfo', '/.well-known/openid-configuration', '/.well-known/jwks.json']) {
            await check(`GET ${base}${path} ${JSON.stringify(odd)}`, fetch(`${base}${path}?${query}`, { redirect: 'manual' }));
          }
          for (const grant of ['authorization_code', 'refresh_token', 'client_credentials']) {
            await check(`token ${grant} ${JSON.stringify(odd)}`, fetch(`${base}/oauth2/token`, form({ grant_type: grant, client_id: odd, code: odd, refresh_token: odd, redirect_uri: odd, code_verifier: odd, scope: odd })));
          }
          await check(`revoke ${JSON.stringify(odd)}`, fetch(`${base}/oauth2/revoke`, form({ token: odd, client_id: odd })));
          const basic = { authorization: `Basic ${Buffer.from(`${encodeURIComponent(odd)}:${encodeURIComponent(odd)}`).toString('base64')}` };
          await check(`token with Basic ${JSON.stringify(odd)}`, fetch(`${base}/oauth2/token`, { ...form({ grant_type: 'client_credentials' }), headers: { ...form({}).headers, ...basic } }));
          await check(`userInfo bearer ${JSON.stringify(odd)}`, fetch(`${base}/oauth2/userInfo`, { headers: { authorization: `Bearer ${encodeURIComponent(odd)}` } }));
        }
        for (const [Action, Version, extra] of [
          ['GetRole', '2010-05-08', { RoleName: odd }],
          ['CreateRole', '2010-05-08', { RoleName: 'r', AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"${odd}"}]}`, Description: odd }],
          ['PutRolePolicy', '2010-05-08', { RoleName: odd, PolicyName: odd, PolicyDocument: odd }],
          ['AssumeRoleWithWebIdentity', '2011-06-15', { RoleArn: odd, RoleSessionName: odd, WebIdentityToken: odd }],
        ] as const) {
          await check(`${Action} ${JSON.stringify(odd)}`, fetch(server.url, form({ Action, Version, ...extra })));
        }
      }
      assert.deepEqual(failures, []);
    });

    it('names that lower-casing lengthens past their column, IAM\'s lengths, the dev mailbox: 4xx', async () => {
      const { UserPool } = await ok<{ UserPool: { Id: string } }>(userPoolsModel, 'CreateUserPool', {
        PoolName: 'folded',
        UsernameConfiguration: { CaseSensitive: false },
        AliasAttributes: ['preferred_username'],
      });
      // 65 characters are a valid username; lower-cased, each İ becomes two (i and U+0307).
      const tooLong = await call(userPoolsModel, 'AdminCreateUser', JSON.stringify({ UserPoolId: UserPool.Id, Username: '\u0130'.repeat(65), MessageAction: 'SUPPRESS' }));
      assert.deepEqual([tooLong.status, tooLong.type], [400, 'InvalidParameterException'], tooLong.message);
      assert.equal(tooLong.message, "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128");
      const alias = await call(
        userPoolsModel,
        'AdminCreateUser',
        JSON.stringify({ UserPoolId: UserPool.Id, Username: 'dotted', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'preferred_username', Value: '\u0130'.repeat(1025) }] }),
      );
      assert.deepEqual([alias.status, alias.type], [400, 'InvalidParameterException'], alias.message);
      assert.match(alias.message, /Value at 'userAttributes\.preferred_username' failed to satisfy constraint: Member must have length less than or equal to 2048$/);
      await ok(userPoolsModel, 'AdminCreateUser', { UserPoolId: UserPool.Id, Username: '\u0130'.repeat(64), MessageAction: 'SUPPRESS' });

      const iam = (params: Record<string, string>) =>
        fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', ...params }).toString() });
      const trust = cognitoTrust('us-east-1:00000000-0000-4000-8000-000000000001');
      assert.equal((await iam({ RoleName: 'described', AssumeRolePolicyDocument: trust, Description: 'd'.repeat(1001) })).status, 400);
      assert.equal((await iam({ RoleName: 'pathed', AssumeRolePolicyDocument: trust, Path: `/${'p'.repeat(600)}/` })).status, 400);
      assert.equal((await fetch(`${server.url}/_dev/messages?poolId=%00`)).status, 400);
    });
  });
}
