import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { ConfigError, loadConfig } from '../src/config.js';
import { attribute, rejects, uniqueEmail } from './helpers/assertions.js';
import { FormBrowser, location, readForm } from './helpers/form-browser.js';
import { createMachineClient, MACHINE_SCOPE } from './helpers/machine-client.js';
import { latestCode, messagesTo } from './helpers/mailbox.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const arn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

type Event = { triggerSource: string; userName: string | null; userPoolId: string; version: string; callerContext: { clientId: string }; request: Record<string, any> };
type Answer = { status?: number; body: unknown };

/**
 * Functions behind URLs, as a team would put a Lambda trigger behind a small web service: each path
 * answers what the test sets for it, and every event it gets is kept.
 */
class FunctionUrls {
  readonly events: Event[] = [];
  readonly answers = new Map<string, (event: Event) => Answer>();
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const event = JSON.parse(body) as Event;
      this.events.push(event);
      const answer = this.answers.get(request.url ?? '')?.(event) ?? { status: 404, body: { errorMessage: 'no such function' } };
      response.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  url = '';
  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop = () => new Promise<void>((resolve) => this.server.close(() => resolve()));
  last = (source: string) => [...this.events].reverse().find((event) => event.triggerSource === source);
}

const preSignUpEvents: Event[] = ((globalThis as { preSignUpEvents?: Event[] }).preSignUpEvents = []);

for (const store of STORES) {
  describe(`Lambda triggers (${store.name})`, { skip: store.skip }, () => {
    const urls = new FunctionUrls();
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;

    before(async () => {
      await urls.start();
      server = await startServer(store.name, {
        ...FAST_HASHING,
        lambdaFunctions: {
          'pre-sign-up': { module: fileURLToPath(new URL('./fixtures/pre-sign-up.mjs', import.meta.url)) },
          'never-answers': { module: fileURLToPath(new URL('./fixtures/never-answers.mjs', import.meta.url)) },
          [arn('post-confirmation')]: { url: `${urls.url}/post-confirmation` },
          'pre-token': { url: `${urls.url}/pre-token` },
          'nonsense': { url: `${urls.url}/nonsense` },
          'confirm-all': { url: `${urls.url}/confirm-all` },
          'pre-auth': { url: `${urls.url}/pre-auth` },
          'post-auth': { url: `${urls.url}/post-auth` },
          'migrate': { url: `${urls.url}/migrate` },
          'custom-message': { url: `${urls.url}/custom-message` },
        },
      });
      idp = server.idp();
    });
    after(async () => {
      await server?.close();
      await urls.stop();
    });
    beforeEach(() => urls.answers.clear());

    const newPool = async (LambdaConfig: LambdaConfigType, extra: Record<string, unknown> = {}) => {
      const poolId = (await idp.send(new CreateUserPoolCommand({ PoolName: 'triggers', LambdaConfig, ...extra }))).UserPool!.Id!;
      const clientId = (
        await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))
      ).UserPoolClient!.ClientId!;
      return { poolId, clientId };
    };
    /** A user with PASSWORD as its own (CONFIRMED), made as an administrator would. */
    const confirmedUser = async (UserPoolId: string, Username: string, UserAttributes: { Name: string; Value: string }[] = []) => {
      await idp.send(new AdminCreateUserCommand({ UserPoolId, Username, TemporaryPassword: PASSWORD, MessageAction: 'SUPPRESS', UserAttributes }));
      await idp.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: PASSWORD, Permanent: true }));
    };
    /** A hosted-UI page (`login`, `signup`) of a new web client of the pool, as a browser opens it. */
    const hostedPage = async (UserPoolId: string, path: string) => {
      const callback = 'http://localhost:3000/callback';
      const { UserPoolClient } = await idp.send(
        new CreateUserPoolClientCommand({
          UserPoolId,
          ClientName: 'web',
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid'],
          SupportedIdentityProviders: ['COGNITO'],
          CallbackURLs: [callback],
        }),
      );
      const pkce = 'code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256';
      return `${server.url}/${UserPoolId}/${path}?response_type=code&client_id=${UserPoolClient!.ClientId}&redirect_uri=${encodeURIComponent(callback)}&${pkce}`;
    };
    const signIn = (clientId: string, username: string) =>
      idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: PASSWORD } }));

    it('PreSignUp (a module, callback style) refuses a sign-up, or confirms the user and its email at once', async () => {
      const { poolId, clientId } = await newPool({ PreSignUp: arn('pre-sign-up') }, { AutoVerifiedAttributes: ['email'] });
      const email = uniqueEmail('invited');
      const UserAttributes = [{ Name: 'email', Value: email }];
      await rejects(
        idp.send(new SignUpCommand({ ClientId: clientId, Username: 'gatecrasher', Password: PASSWORD, UserAttributes })),
        'UserLambdaValidationException',
        /^PreSignUp failed with error An invitation is required\.$/,
      );
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'gatecrasher' })), 'UserNotFoundException');

      const signedUp = await idp.send(
        new SignUpCommand({
          ClientId: clientId,
          Username: 'invited',
          Password: PASSWORD,
          UserAttributes,
          ValidationData: [{ Name: 'invitation', Value: 'let-me-in' }],
          ClientMetadata: { campaign: 'spring' },
        }),
      );
      assert.equal(signedUp.UserConfirmed, true);
      assert.equal(signedUp.CodeDeliveryDetails, undefined, 'a confirmed user gets no code');
      const event = preSignUpEvents.at(-1)!;
      assert.deepEqual(
        { source: event.triggerSource, version: event.version, pool: event.userPoolId, user: event.userName, client: event.callerContext.clientId },
        { source: 'PreSignUp_SignUp', version: '1', pool: poolId, user: 'invited', client: clientId },
      );
      assert.deepEqual(event.request, { userAttributes: { email }, validationData: { invitation: 'let-me-in' }, clientMetadata: { campaign: 'spring' } });

      const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'invited' }));
      assert.equal(user.UserStatus, 'CONFIRMED');
      assert.equal(attribute(user.UserAttributes, 'email_verified'), 'true');
      assert.ok((await signIn(clientId, 'invited')).AuthenticationResult?.AccessToken, 'signs in at once');

      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'made', MessageAction: 'SUPPRESS', ValidationData: [{ Name: 'invitation', Value: 'let-me-in' }] }),
      );
      assert.deepEqual([preSignUpEvents.at(-1)!.triggerSource, preSignUpEvents.at(-1)!.callerContext.clientId], ['PreSignUp_AdminCreateUser', 'CLIENT_ID_NOT_APPLICABLE']);
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'made' }))).UserStatus, 'FORCE_CHANGE_PASSWORD');
    });

    it('PostConfirmation (a URL) hears of the confirmed user; its failure is the caller\'s error', async () => {
      const { poolId, clientId } = await newPool({ PostConfirmation: arn('post-confirmation') }, { AutoVerifiedAttributes: ['email'] });
      urls.answers.set('/post-confirmation', (event) => ({ body: event }));
      const email = uniqueEmail('confirmed');
      await idp.send(new SignUpCommand({ ClientId: clientId, Username: 'confirmed', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] }));
      await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'confirmed', ConfirmationCode: await latestCode(server.url, email) }));
      const event = urls.last('PostConfirmation_ConfirmSignUp')!;
      assert.equal(event.userPoolId, poolId);
      assert.equal(event.callerContext.clientId, clientId);
      assert.deepEqual(
        [event.request.userAttributes.email, event.request.userAttributes.email_verified, event.request.userAttributes['cognito:user_status']],
        [email, 'true', 'CONFIRMED'],
      );

      urls.answers.set('/post-confirmation', () => ({ status: 500, body: { errorType: 'Error', errorMessage: 'the welcome mail bounced' } }));
      const other = uniqueEmail('unwelcome');
      await idp.send(new SignUpCommand({ ClientId: clientId, Username: 'unwelcome', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: other }] }));
      await rejects(
        idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'unwelcome', ConfirmationCode: await latestCode(server.url, other) })),
        'UserLambdaValidationException',
        /^PostConfirmation failed with error the welcome mail bounced\.$/,
      );
    });

    it('PreTokenGeneration V1_0 changes the ID token\'s claims and the groups, never a protected claim', async () => {
      const { poolId, clientId } = await newPool({ PreTokenGeneration: arn('pre-token') });
      await idp.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'readers' }));
      await confirmedUser(poolId, 'ana', [{ Name: 'email', Value: 'ana@example.com' }]);
      await idp.send(new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: 'ana', GroupName: 'readers' }));
      urls.answers.set('/pre-token', (event) => ({
        body: {
          ...event,
          response: {
            claimsOverrideDetails: {
              claimsToAddOrOverride: { tenant: 'acme', sub: 'forged' },
              claimsToSuppress: ['email'],
              groupOverrideDetails: { groupsToOverride: ['admins'] },
            },
          },
        },
      }));
      const { AuthenticationResult: tokens } = await signIn(clientId, 'ana');
      const event = urls.last('TokenGeneration_Authentication')!;
      assert.equal(event.version, '1');
      assert.deepEqual(event.request.groupConfiguration, { groupsToOverride: ['readers'], iamRolesToOverride: [], preferredRole: null });
      assert.equal(event.request.userAttributes.email, 'ana@example.com');
      const id = decodeJwt(tokens!.IdToken!);
      const access = decodeJwt(tokens!.AccessToken!);
      assert.equal(id.tenant, 'acme');
      assert.equal(id.email, undefined);
      assert.notEqual(id.sub, 'forged');
      assert.equal(id.sub, access.sub);
      assert.deepEqual([id['cognito:groups'], access['cognito:groups']], [['admins'], ['admins']]);
      assert.equal(access.tenant, undefined, 'V1_0 leaves the access token\'s own claims alone');

      const refreshed = await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens!.RefreshToken! } }));
      assert.ok(urls.last('TokenGeneration_RefreshTokens'), 'a refresh runs the function too');
      assert.equal(decodeJwt(refreshed.AuthenticationResult!.IdToken!).tenant, 'acme');
    });

    it('PreTokenGeneration V2_0 changes the access token\'s claims and scopes too', async () => {
      const { poolId, clientId } = await newPool({ PreTokenGenerationConfig: { LambdaVersion: 'V2_0', LambdaArn: arn('pre-token') } });
      await confirmedUser(poolId, 'bo');
      urls.answers.set('/pre-token', (event) => ({
        body: {
          ...event,
          response: {
            claimsAndScopeOverrideDetails: {
              idTokenGeneration: { claimsToAddOrOverride: { plan: { tier: 'gold', seats: 3 } } },
              accessTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', client_id: 'forged' }, scopesToAdd: ['orders/read'] },
            },
          },
        },
      }));
      const { AuthenticationResult: tokens } = await signIn(clientId, 'bo');
      const event = urls.last('TokenGeneration_Authentication')!;
      assert.deepEqual([event.version, event.request.scopes], ['2', ['aws.cognito.signin.user.admin']]);
      const id = decodeJwt(tokens!.IdToken!);
      const access = decodeJwt(tokens!.AccessToken!);
      assert.deepEqual(id.plan, { tier: 'gold', seats: 3 });
      assert.equal(access.tenant, 'acme');
      assert.equal(access.client_id, clientId);
      assert.equal(access.scope, 'aws.cognito.signin.user.admin orders/read');
    });

    it('PreTokenGeneration V3_0 hears of client_credentials tokens too, with no user', async () => {
      const { poolId } = await newPool({ PreTokenGenerationConfig: { LambdaVersion: 'V3_0', LambdaArn: arn('pre-token') } });
      const machine = await createMachineClient(idp, poolId);
      urls.answers.set('/pre-token', (event) => ({
        body: { ...event, response: { claimsAndScopeOverrideDetails: { accessTokenGeneration: { claimsToAddOrOverride: { tenant: 'acme', sub: 'forged' } } } } },
      }));
      const response = await fetch(`${server.url}/${poolId}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${machine.id}:${machine.secret}`).toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: MACHINE_SCOPE }),
      });
      assert.equal(response.status, 200);
      const access = decodeJwt(((await response.json()) as { access_token: string }).access_token);
      assert.deepEqual([access.tenant, access.sub, access.scope], ['acme', machine.id, MACHINE_SCOPE]);
      const event = urls.last('TokenGeneration_ClientCredentials')!;
      assert.deepEqual([event.version, event.userName, event.callerContext.clientId, event.request.scopes], ['3', null, machine.id, [MACHINE_SCOPE]]);
    });

    it('PreAuthentication refuses a sign-in before its password is checked; PostAuthentication hears of each sign-in', async () => {
      const { poolId, clientId } = await newPool({ PreAuthentication: arn('pre-auth'), PostAuthentication: arn('post-auth') });
      for (const Username of ['on-hold', 'welcome-back']) await confirmedUser(poolId, Username);
      urls.answers.set('/pre-auth', (event) =>
        event.userName === 'on-hold' ? { status: 400, body: { errorType: 'Error', errorMessage: 'Account on hold' } } : { body: event },
      );
      urls.answers.set('/post-auth', (event) => ({ body: event }));
      const attempt = (USERNAME: string, PASSWORD: string) =>
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD }, ClientMetadata: { app: 'mobile' } }));
      await rejects(attempt('on-hold', 'not-the-password'), 'UserLambdaValidationException', /^PreAuthentication failed with error Account on hold\.$/);
      assert.equal(urls.last('PostAuthentication_Authentication'), undefined);

      const { AuthenticationResult: tokens } = await attempt('welcome-back', PASSWORD);
      const pre = urls.last('PreAuthentication_Authentication')!;
      assert.deepEqual([pre.userName, pre.request.validationData, pre.request.userNotFound], ['welcome-back', { app: 'mobile' }, false]);
      const post = urls.last('PostAuthentication_Authentication')!;
      assert.deepEqual([post.userName, post.request.newDeviceUsed, post.request.userAttributes['cognito:user_status']], ['welcome-back', false, 'CONFIRMED']);

      const seen = urls.events.length;
      await idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: tokens!.RefreshToken! } }));
      assert.equal(urls.events.length, seen, 'a refresh is no sign-in: neither function runs');

      urls.answers.set('/post-auth', () => ({ status: 500, body: { errorType: 'Error', errorMessage: 'audit log is down' } }));
      await rejects(attempt('welcome-back', PASSWORD), 'UserLambdaValidationException', /^PostAuthentication failed with error audit log is down\.$/);
    });

    it('the hosted sign-in form runs PreAuthentication too, and shows its refusal', async () => {
      const { poolId } = await newPool({ PreAuthentication: arn('pre-auth') });
      await confirmedUser(poolId, 'on-hold');
      const page = await hostedPage(poolId, 'login');
      urls.answers.set('/pre-auth', () => ({ status: 400, body: { errorType: 'Error', errorMessage: 'Account on hold' } }));
      const browser = new FormBrowser();
      const form = readForm(await (await browser.get(page)).text(), page);
      const refused = await browser.post(form.action, { ...form.hidden, username: 'on-hold', password: PASSWORD });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /PreAuthentication failed with error Account on hold\./);
      assert.equal(urls.last('PreAuthentication_Authentication')!.userName, 'on-hold');
    });

    it('UserMigration brings a user of the old store in at sign-in with its password, or at ForgotPassword', async () => {
      const { poolId, clientId } = await newPool({ UserMigration: arn('migrate') });
      const oldStore: Record<string, { password: string; email: string }> = {
        legacy: { password: PASSWORD, email: uniqueEmail('legacy') },
        forgetful: { password: 'long-forgotten', email: uniqueEmail('forgetful') },
      };
      urls.answers.set('/migrate', (event) => {
        const known = oldStore[event.userName ?? ''];
        if (!known) return { body: event };
        if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== known.password) {
          return { status: 400, body: { errorType: 'Error', errorMessage: 'Bad password' } };
        }
        return { body: { ...event, response: { userAttributes: { email: known.email, email_verified: 'true', name: event.userName }, finalUserStatus: 'CONFIRMED', messageAction: 'SUPPRESS' } } };
      });
      const attempt = (USERNAME: string, password: string) =>
        idp.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: password }, ClientMetadata: { source: 'app' } }));

      await rejects(attempt('legacy', 'wrong-password'), 'UserLambdaValidationException', /^UserMigration failed with error Bad password\.$/);
      assert.deepEqual(urls.last('UserMigration_Authentication')!.request.validationData, { source: 'app' });
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'legacy' })), 'UserNotFoundException');
      await rejects(attempt('stranger', PASSWORD), 'UserNotFoundException');

      const { AuthenticationResult: tokens } = await attempt('legacy', PASSWORD);
      assert.equal(decodeJwt(tokens!.IdToken!).email, oldStore.legacy!.email);
      assert.equal(urls.last('UserMigration_Authentication')!.request.password, PASSWORD);
      const migrated = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'legacy' }));
      assert.deepEqual([migrated.UserStatus, attribute(migrated.UserAttributes, 'name'), attribute(migrated.UserAttributes, 'email_verified')], ['CONFIRMED', 'legacy', 'true']);
      const seen = urls.events.length;
      await attempt('legacy', PASSWORD);
      assert.equal(urls.events.length, seen, 'a migrated user signs in as any other');

      const { CodeDeliveryDetails } = await idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'forgetful' }));
      assert.equal(CodeDeliveryDetails?.DeliveryMedium, 'EMAIL');
      assert.equal(urls.last('UserMigration_ForgotPassword')!.request.password, undefined);
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'forgetful' }))).UserStatus, 'RESET_REQUIRED');
      await idp.send(
        new ConfirmForgotPasswordCommand({ ClientId: clientId, Username: 'forgetful', Password: PASSWORD, ConfirmationCode: await latestCode(server.url, oldStore.forgetful!.email) }),
      );
      assert.ok((await attempt('forgetful', PASSWORD)).AuthenticationResult?.AccessToken);
    });

    it('CustomMessage writes the texts; the code and username go where its placeholders are', async () => {
      const { poolId, clientId } = await newPool({ CustomMessage: arn('custom-message') }, { AutoVerifiedAttributes: ['email'] });
      urls.answers.set('/custom-message', (event) => {
        const { codeParameter, usernameParameter, userAttributes } = event.request;
        const response =
          event.triggerSource === 'CustomMessage_AdminCreateUser'
            ? { emailSubject: 'Your Acme account', emailMessage: `Hi ${usernameParameter}, your first password is ${codeParameter}` }
            : event.triggerSource === 'CustomMessage_SignUp'
              ? { emailSubject: 'Welcome to Acme', emailMessage: `Hello ${userAttributes.email}, confirm with ${codeParameter}` }
              : {};
        return { body: { ...event, response } };
      });
      const email = uniqueEmail('acme');
      await idp.send(new SignUpCommand({ ClientId: clientId, Username: 'acme', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }], ClientMetadata: { locale: 'fr' } }));
      const [welcome] = await messagesTo(server.url, email);
      assert.equal(welcome!.subject, 'Welcome to Acme');
      assert.match(welcome!.body, new RegExp(`^Hello ${email}, confirm with \\d{6}$`));
      const event = urls.last('CustomMessage_SignUp')!;
      assert.deepEqual([event.request.codeParameter, event.request.usernameParameter, event.callerContext.clientId], ['{####}', null, clientId]);
      assert.deepEqual(event.request.clientMetadata, { locale: 'fr' });
      assert.ok(!JSON.stringify(event).match(/\b\d{6}\b/), 'the function never sees the code');
      await idp.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: 'acme', ConfirmationCode: await latestCode(server.url, email) }));

      await idp.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'acme' }));
      assert.ok(urls.last('CustomMessage_ForgotPassword'));
      assert.match((await messagesTo(server.url, email))[0]!.body, /^Your verification code is \d{6}\.$/, 'no text from the function: the pool\'s own');

      // A self-service change of address: the client is the access token's.
      const { AuthenticationResult } = await signIn(clientId, 'acme');
      const moved = uniqueEmail('moved');
      await idp.send(new UpdateUserAttributesCommand({ AccessToken: AuthenticationResult!.AccessToken!, UserAttributes: [{ Name: 'email', Value: moved }], ClientMetadata: { locale: 'de' } }));
      const change = urls.last('CustomMessage_UpdateUserAttribute')!;
      assert.deepEqual([change.callerContext.clientId, change.request.userAttributes.email, change.request.clientMetadata], [clientId, moved, { locale: 'de' }]);
      assert.match((await messagesTo(server.url, moved))[0]!.body, /^Your verification code is \d{6}\.$/);

      const invited = uniqueEmail('invited');
      await idp.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'new-hire', TemporaryPassword: PASSWORD, DesiredDeliveryMediums: ['EMAIL'], UserAttributes: [{ Name: 'email', Value: invited }] }),
      );
      const [invitation] = await messagesTo(server.url, invited);
      assert.deepEqual([invitation!.subject, invitation!.body], ['Your Acme account', `Hi new-hire, your first password is ${PASSWORD}`]);
    });

    it('the hosted sign-up page shows the function\'s refusal, and goes to sign-in for a user it confirmed', async () => {
      const pageFor = async (PreSignUp: string) => hostedPage((await newPool({ PreSignUp }, { AutoVerifiedAttributes: ['email'] })).poolId, 'signup');
      const submit = async (page: string, username: string) => {
        const browser = new FormBrowser();
        const form = readForm(await (await browser.get(page)).text(), page);
        return browser.post(form.action, { ...form.hidden, username, password: PASSWORD, 'attribute:email': uniqueEmail(username) });
      };

      const refused = await submit(await pageFor(arn('pre-sign-up')), 'walk-in');
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /PreSignUp failed with error An invitation is required\./);

      urls.answers.set('/confirm-all', (event) => ({ body: { ...event, response: { autoConfirmUser: true, autoVerifyEmail: true } } }));
      const noEmail = await newPool({ PreSignUp: arn('confirm-all') });
      await rejects(
        idp.send(new SignUpCommand({ ClientId: noEmail.clientId, Username: 'no-email', Password: PASSWORD })),
        'InvalidParameterException',
        /autoVerifyEmail is set by the PreSignUp trigger, but the user has no email/,
      );
      const confirmed = await submit(await pageFor(arn('confirm-all')), 'welcome');
      assert.equal(confirmed.status, 302);
      const next = location(confirmed, server.url);
      assert.match(next.pathname, /\/login$/, 'no code to enter: straight to sign-in');
      assert.equal(next.searchParams.get('username'), 'welcome');
    });

    it('a function that is not configured, or that answers no event, is Cognito\'s Lambda error', async () => {
      const missing = await newPool({ PreSignUp: arn('nowhere') });
      await rejects(
        idp.send(new SignUpCommand({ ClientId: missing.clientId, Username: 'nobody', Password: PASSWORD })),
        'UnexpectedLambdaException',
        /^PreSignUp invocation failed due to error ResourceNotFoundException: no function nowhere is configured/,
      );
      const nonsense = await newPool({ PreSignUp: arn('nonsense') });
      urls.answers.set('/nonsense', () => ({ body: 'ok' }));
      await rejects(idp.send(new SignUpCommand({ ClientId: nonsense.clientId, Username: 'nobody', Password: PASSWORD })), 'InvalidLambdaResponseException', /^Unrecognizable lambda output$/);
      urls.answers.set('/nonsense', (event) => ({ body: { ...event, response: { autoConfirmUser: 'yes' } } }));
      await rejects(idp.send(new SignUpCommand({ ClientId: nonsense.clientId, Username: 'nobody', Password: PASSWORD })), 'InvalidLambdaResponseException');
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: nonsense.poolId, Username: 'nobody' })), 'UserNotFoundException');
    });

    // The same code on both stores: five seconds once is enough.
    if (store.name === 'sqlite') it('a function that does not answer within five seconds is UnexpectedLambdaException', async () => {
      const stuck = await newPool({ PreSignUp: arn('never-answers') });
      const started = Date.now();
      await rejects(
        idp.send(new SignUpCommand({ ClientId: stuck.clientId, Username: 'patient', Password: PASSWORD })),
        'UnexpectedLambdaException',
        /^PreSignUp invocation failed due to error Task timed out after 5\.00 seconds\.$/,
      );
      assert.ok(Date.now() - started < 7_000);
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: stuck.poolId, Username: 'patient' })), 'UserNotFoundException');
    });
  });
}

describe('lambdaFunctions in a config file', () => {
  it('finds a module where the config file that names it is', () => {
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-config-'));
    try {
      const file = join(folder, 'gatehouse.yaml');
      writeFileSync(file, 'lambdaFunctions:\n  pre-sign-up: { module: ./triggers/pre-sign-up.mjs }\n  hook: { url: "http://127.0.0.1:9000/hook" }\n');
      const config = loadConfig({ configFile: file }, {});
      assert.deepEqual(config.lambdaFunctions, { 'pre-sign-up': { module: join(folder, 'triggers/pre-sign-up.mjs') }, hook: { url: 'http://127.0.0.1:9000/hook' } });
      writeFileSync(file, 'lambdaFunctions:\n  pre-sign-up: { module: ./a.mjs, url: "http://127.0.0.1:9000/hook" }\n');
      assert.throws(() => loadConfig({ configFile: file }, {}), (error: Error) => error instanceof ConfigError && /lambdaFunctions\.pre-sign-up/.test(error.message));
    } finally {
      rmSync(folder, { recursive: true });
    }
  });
});
