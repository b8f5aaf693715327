import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  GetUserAttributeVerificationCodeCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { RateLimiter } from '../src/security/rate-limiter.js';
import { rejects, uniqueEmail } from './helpers/assertions.js';
import { FormBrowser, readForm } from './helpers/form-browser.js';
import { PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

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

  it('refills nothing, and takes nothing away, when the clock is set back', () => {
    let now = 60_000;
    const limiter = new RateLimiter(2, 3, () => now);
    assert.equal(limiter.take('a'), true);
    now -= 30_000;
    assert.deepEqual([1, 2, 3].map(() => limiter.take('a')), [true, true, false], 'the two tokens left, no more and no fewer');
  });

  it('keeps at most maxKeys buckets: full ones go first, then the least recently used, so a flood of keys cannot grow it', () => {
    const now = 0;
    const limiter = new RateLimiter(0.001, 1, () => now, 10);
    assert.equal(limiter.take('victim'), true);
    for (let i = 0; i < 8; i++) limiter.take(`junk-${i}`);
    assert.equal(limiter.take('victim'), false, 'spent, and now the most recently used');
    for (let i = 8; i < 11; i++) limiter.take(`junk-${i}`);
    assert.equal(limiter.take('victim'), false, 'the flood evicted older keys, not the one in use');
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`);
    assert.ok((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size <= 10);
  });
});

for (const store of STORES) {
  describe(`codes a caller can have sent to one user are limited (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: ReturnType<TestServer['idp']>;
    let poolId: string;
    let clientId: string;
    const email = uniqueEmail('limited');
    const mailbox = async (recipient = email) =>
      ((await (await fetch(`${server.url}/_dev/messages?recipient=${encodeURIComponent(recipient)}`)).json()) as { messages: unknown[] }).messages;
    /**
     * An administrator's user with a verified email and a password of its own (one still on a temporary
     * password may not reset it): nothing is sent.
     */
    const verifiedUser = async (Username: string, address: string, UserPoolId = poolId) => {
      await idp.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: address },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: 'Own-Passw0rd!', Permanent: true }));
    };
    before(async () => {
      server = await startServer(store.name, { codeMessageLimit: { perHour: 0.001, burst: 2 } });
      idp = server.idp();
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'limited codes', AutoVerifiedAttributes: ['email'] }));
      poolId = UserPool!.Id!;
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', PreventUserExistenceErrors: 'ENABLED', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      clientId = UserPoolClient!.ClientId!;
      await verifiedUser('ada', email);
    });
    after(() => server?.close());

    it('ForgotPassword sends the burst, then LimitExceededException and no message; a name of nobody is limited alike', async () => {
      const forgot = (Username: string) => idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username }));
      for (let i = 0; i < 2; i++) assert.ok((await forgot('ada')).CodeDeliveryDetails);
      await rejects(forgot('ada'), 'LimitExceededException', /^Attempt limit exceeded, please try after some time\.$/);
      assert.equal((await mailbox()).length, 2, 'two codes went out, not three');
      // ResendConfirmationCode draws on the same allowance: it is a code to the same person.
      await rejects(idp.send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'ada' })), 'LimitExceededException');
      // PreventUserExistenceErrors: a name that matches nobody answers the same way, limit included.
      for (let i = 0; i < 2; i++) assert.ok((await forgot('nobody')).CodeDeliveryDetails);
      await rejects(forgot('nobody'), 'LimitExceededException', /^Attempt limit exceeded, please try after some time\.$/);
    });

    it('USER_AUTH sign-in codes draw on the same allowance per name, for a name of nobody alike', async () => {
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({ PoolName: 'limited sign-in codes', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } }),
      );
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id!, ClientName: 'app', PreventUserExistenceErrors: 'ENABLED', ExplicitAuthFlows: ['ALLOW_USER_AUTH'] }),
      );
      const address = uniqueEmail('grace');
      await verifiedUser('grace', address, UserPool!.Id!);
      const codeSignIn = (USERNAME: string) =>
        idp.send(new InitiateAuthCommand({ ClientId: UserPoolClient!.ClientId!, AuthFlow: 'USER_AUTH', AuthParameters: { USERNAME, PREFERRED_CHALLENGE: 'EMAIL_OTP' } }));
      for (let i = 0; i < 2; i++) assert.equal((await codeSignIn('grace')).ChallengeName, 'EMAIL_OTP');
      await rejects(codeSignIn('grace'), 'LimitExceededException', /^Attempt limit exceeded, please try after some time\.$/);
      assert.equal((await mailbox(address)).length, 2, 'two codes went out, not three');
      for (let i = 0; i < 2; i++) assert.equal((await codeSignIn('nobody-here')).ChallengeName, 'EMAIL_OTP');
      await rejects(codeSignIn('nobody-here'), 'LimitExceededException');
    });

    it('SignUp under ever new names counts against the address the codes would go to; a name already taken sends nothing and counts nothing', async () => {
      const stranger = uniqueEmail('stranger');
      const signUp = (Username: string) =>
        idp.send(new SignUpCommand({ ClientId: clientId, Username, Password: 'Correct-horse-1', UserAttributes: [{ Name: 'email', Value: stranger }] }));
      await signUp('first');
      await rejects(signUp('first'), 'UsernameExistsException');
      await signUp('second');
      await rejects(signUp('third'), 'LimitExceededException', /^Attempt limit exceeded/);
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'third' })), 'UserNotFoundException');
      assert.equal((await mailbox(stranger)).length, 2);
    });

    it('a signed-in user asking for verification codes, or changing their email again and again, draws on the same allowance', async () => {
      await verifiedUser('grace', uniqueEmail('grace'));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'grace', Password: PASSWORD, Permanent: true }));
      const { AuthenticationResult } = await idp.send(
        new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'grace', PASSWORD } }),
      );
      const AccessToken = AuthenticationResult!.AccessToken!;
      await idp.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' }));
      const changed = uniqueEmail('grace-new');
      assert.equal((await idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: changed }] }))).CodeDeliveryDetailsList?.length, 1);
      await rejects(idp.send(new GetUserAttributeVerificationCodeCommand({ AccessToken, AttributeName: 'email' })), 'LimitExceededException', /^Attempt limit exceeded/);
      // Refused before anything is written: the email stays what it was.
      await rejects(idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'email', Value: uniqueEmail('grace-third') }] })), 'LimitExceededException');
      const { UserAttributes } = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'grace' }));
      assert.equal(UserAttributes?.find((a) => a.Name === 'email')?.Value, changed);
      // A change that sends no code (another attribute) is not limited.
      await idp.send(new UpdateUserAttributesCommand({ AccessToken, UserAttributes: [{ Name: 'name', Value: 'Grace' }] }));
    });

    it('an administrator is not counted', async () => {
      await idp.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'ada' }));
      assert.equal((await mailbox()).length, 3);
    });
  });
}

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

describe('the token endpoint is rate limited per address like the API (sqlite)', () => {
  let server: TestServer;
  let tokenUrl: string;
  let clientId: string;
  let clientSecret: string;
  before(async () => {
    server = await startServer('sqlite', { credentialRateLimit: { perSecond: 0.001, burst: 3 } });
    const idp = server.idp();
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'limited tokens' }));
    await idp.send(new CreateResourceServerCommand({ UserPoolId: UserPool!.Id, Identifier: 'api', Name: 'API', Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read' }] }));
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: UserPool!.Id,
        ClientName: 'machine',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['api/read'],
      }),
    );
    [clientId, clientSecret] = [UserPoolClient!.ClientId!, UserPoolClient!.ClientSecret!];
    tokenUrl = `${server.url}/${UserPool!.Id}/oauth2/token`;
  });
  after(() => server?.close());

  const token = (secret: string) =>
    fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });

  it('answers 429 once the burst is spent, guessing secrets or not, without checking the secret', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await token('a-guess')).status, 401);
    assert.equal((await token(clientSecret)).status, 200);
    for (const secret of ['a-guess', clientSecret]) {
      const limited = await token(secret);
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('cache-control'), 'no-store');
      const body = (await limited.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, /Too many requests/);
    }
  });

  it('limits the revocation endpoint and RevokeToken too, which also tell a right secret from a wrong one', async () => {
    const revoke = await fetch(tokenUrl.replace('/oauth2/token', '/oauth2/revoke'), {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:a-guess`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'token=anything',
    });
    assert.equal(revoke.status, 429);
    assert.equal(((await revoke.json()) as { error: string }).error, 'invalid_request');
    await assert.rejects(server.idp().send(new RevokeTokenCommand({ ClientId: clientId, ClientSecret: 'a-guess', Token: 'anything' })), (error: Error & { $metadata: { httpStatusCode?: number } }) => {
      assert.equal(error.name, 'TooManyRequestsException');
      assert.equal(error.$metadata.httpStatusCode, 429);
      return true;
    });
  });
});

describe('the credential rate limit on the hosted-UI forms', () => {
  let server: TestServer;
  let loginUrl: string;
  before(async () => {
    server = await startServer('sqlite', { credentialRateLimit: { perSecond: 0.001, burst: 3 } });
    const idp = server.idp();
    const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'limited pages' }));
    const { UserPoolClient } = await idp.send(
      new CreateUserPoolClientCommand({
        UserPoolId: UserPool!.Id,
        ClientName: 'web',
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid'],
        CallbackURLs: ['https://app.example.com/callback'],
        SupportedIdentityProviders: ['COGNITO'],
      }),
    );
    const query = new URLSearchParams({ response_type: 'code', client_id: UserPoolClient!.ClientId!, redirect_uri: 'https://app.example.com/callback', scope: 'openid' });
    loginUrl = `${server.url}/${UserPool!.Id}/login?${query}`;
  });
  after(() => server?.close());

  it('counts new-password answers as credential checks: 429 once the burst is spent', async () => {
    const browser = new FormBrowser();
    const page = await browser.get(loginUrl);
    assert.equal(page.status, 200);
    const { action, hidden } = readForm(await page.text(), server.url);
    const newPassword = new URL(action);
    newPassword.pathname = newPassword.pathname.replace(/\/login$/, '/newPassword');
    const post = () => browser.post(newPassword, { ...hidden, username: 'someone', session: 'forged', required: '', password: 'N3w-Passw0rd!long' });
    for (let i = 0; i < 3; i++) assert.notEqual((await post()).status, 429, `attempt ${i + 1} is within the burst`);
    const limited = await post();
    assert.equal(limited.status, 429);
    assert.match(await limited.text(), /Too many requests/);
  });
});
