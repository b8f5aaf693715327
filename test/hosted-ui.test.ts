import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdminCreateUserCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  SetUICustomizationCommand,
  SetUserPoolMfaConfigCommand,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import * as client from 'openid-client';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { totpCode } from './helpers/authenticator.js';
import { latestCode as mailboxCode } from './helpers/mailbox.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const EMAIL = 'grace@example.com';
const PASSWORDLESS_EMAIL = 'ada@example.com';
const NEW_PASSWORD = 'N3w-Staple-Horse-Battery';
const LOGO = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="220" height="48"><rect width="220" height="48" rx="8" fill="#1d4ed8"/><text x="110" y="31" font-family="sans-serif" font-size="20" fill="#fff" text-anchor="middle">Example App</text></svg>',
);

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent (apt-get install chromium): the browser tests are skipped`;
if (skip) console.log(`# hosted-ui: ${skip}`);

/** The client application's side: its callback and signed-out pages, where the browser lands. */
function startApp(): Promise<Server> {
  const app = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!DOCTYPE html><title>App</title><h1>${request.url?.startsWith('/signed-out') ? 'Signed out' : 'Signed in'}</h1>`);
  });
  return new Promise((resolve) => app.listen(0, '127.0.0.1', () => resolve(app)));
}

describe('the hosted UI in Chromium', { skip }, () => {
  let server: TestServer;
  let idp: CognitoIdentityProviderClient;
  let app: Server;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  let issuer: string;
  let appUrl: string;
  let clientA: client.Configuration;
  let clientB: client.Configuration;
  let clientAId: string;
  const cspViolations: string[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer('sqlite', FAST_HASHING);
    idp = server.idp();
    app = await startApp();
    appUrl = `http://localhost:${(app.address() as AddressInfo).port}`;
    const { UserPool } = await idp.send(
      new CreateUserPoolCommand({ PoolName: 'hosted-ui', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }),
    );
    const poolId = UserPool!.Id!;
    issuer = `${server.url}/${poolId}`;
    const oauthClient = async (name: string) =>
      (
        await idp.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: name,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email'],
            SupportedIdentityProviders: ['COGNITO'],
            CallbackURLs: [`${appUrl}/callback/${name}`],
            LogoutURLs: [`${appUrl}/signed-out`],
          }),
        )
      ).UserPoolClient!.ClientId!;
    clientAId = await oauthClient('a');
    const clientBId = await oauthClient('b');
    // Cognito customizes the UI of a pool that has a domain.
    await idp.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: 'example-app' }));
    await idp.send(new SetUICustomizationCommand({ UserPoolId: poolId, CSS: '.banner-customizable { padding: 4px 0 12px; }', ImageFile: LOGO }));
    const insecure = { execute: [client.allowInsecureRequests] };
    clientA = await client.discovery(new URL(issuer), clientAId, undefined, undefined, insecure);
    clientB = await client.discovery(new URL(issuer), clientBId, undefined, undefined, insecure);

    userDataDir = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 640, height: 760 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
    });
  });

  after(async () => {
    await context?.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
    app?.close();
    await server?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

  async function authorizationUrl(config: client.Configuration, name: string) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: `${appUrl}/callback/${name}`,
      scope: 'openid email',
      state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { url, checks: { pkceCodeVerifier: verifier, expectedState: state } };
  }

  const latestCode = (recipient = EMAIL) => mailboxCode(server.url, recipient);

  it('signs up, confirms with the mailed code, signs in and lands on the callback with a code', async () => {
    const { url, checks } = await authorizationUrl(clientA, 'a');
    await page.goto(url.href);
    assert.match(new URL(page.url()).pathname, /\/login$/);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Sign in' }).waitFor());
    await shot('sign-in');
    copyFileSync(join(ARTIFACTS, 'sign-in.png'), join(process.cwd(), 'docs', 'sign-in.png'));

    await page.getByRole('link', { name: /Sign up/ }).click();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    // The API's own message, announced, with focus on the field it is about.
    assert.equal(await page.getByRole('alert').textContent(), 'Password did not conform with policy: Password not long enough');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-password');
    assert.equal(await page.getByLabel('Password').getAttribute('aria-invalid'), 'true');
    await shot('sign-up-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await shot('sign-up');
    await page.getByRole('button', { name: 'Sign up' }).click();

    await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
    await shot('confirm');
    await page.getByLabel('Verification code').fill(await latestCode());
    await page.getByRole('button', { name: 'Confirm account' }).click();

    await page.getByRole('status').waitFor();
    assert.match((await page.getByRole('status').textContent()) ?? '', /confirmed/);
    assert.equal(await page.getByLabel('Email').inputValue(), EMAIL);
    await page.getByLabel('Password').fill('Wrong-Passw0rd');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'Incorrect username or password.');
    await shot('sign-in-error');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    const tokens = await client.authorizationCodeGrant(clientA, new URL(page.url()), checks);
    assert.equal(tokens.claims()!.email, EMAIL);
  });

  it('signs a second client of the pool in through the session cookie, without a form', async () => {
    const visited: string[] = [];
    const record = (request: { url(): string }) => visited.push(request.url());
    page.on('request', record);
    const { url, checks } = await authorizationUrl(clientB, 'b');
    await page.goto(url.href);
    page.off('request', record);
    assert.match(page.url(), new RegExp(`^${appUrl}/callback/b\\?`));
    assert.ok(!visited.some((u) => u.includes('/login')), `no sign-in page on the way: ${visited.join(', ')}`);
    const tokens = await client.authorizationCodeGrant(clientB, new URL(page.url()), checks);
    assert.equal(tokens.claims()!.email, EMAIL);
  });

  it('signs out, and the next sign-in shows the form again', async () => {
    await page.goto(`${issuer}/logout?client_id=${clientAId}&logout_uri=${encodeURIComponent(`${appUrl}/signed-out`)}`);
    assert.equal(page.url(), `${appUrl}/signed-out`);
    const { url } = await authorizationUrl(clientA, 'a');
    await page.goto(url.href);
    assert.match(new URL(page.url()).pathname, /\/login$/);
  });

  it('resets a forgotten password with the mailed code', async () => {
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email').fill(EMAIL);
    await shot('forgot-password');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Verification code').fill(await latestCode());
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await shot('reset-password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').waitFor();
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
  });

  it('asks a user with a temporary password for a new one', async () => {
    const poolId = new URL(issuer).pathname.slice(1);
    await idp.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'temp@example.com',
        TemporaryPassword: 'Temp-Passw0rd-1',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
      }),
    );
    const { url, checks } = await authorizationUrl(clientA, 'a');
    await page.goto(`${url.href}&prompt=login`);
    await page.getByLabel('Email').fill('temp@example.com');
    await page.getByLabel('Password').fill('Temp-Passw0rd-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Change your password' }).waitFor();
    await shot('new-password');
    await page.getByLabel('New password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: /Change password/ }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    const tokens = await client.authorizationCodeGrant(clientA, new URL(page.url()), checks);
    assert.equal(tokens.claims()!.email, 'temp@example.com');
  });

  it('shows a clear error page for an unregistered redirect_uri, and goes nowhere', async () => {
    const response = await page.goto(`${issuer}/oauth2/authorize?response_type=code&client_id=${clientAId}&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
    assert.equal(response?.status(), 400);
    assert.ok(page.url().startsWith(issuer));
    assert.match((await page.getByRole('alert').textContent()) ?? '', /not one of the app client’s registered callback URLs/);
    await shot('error');
  });

  it('mails a one-time sign-in code in place of the password where the pool allows it', async () => {
    const poolId = new URL(issuer).pathname.slice(1);
    // UpdateUserPool is not a patch: what the pool was made with goes along.
    await idp.send(
      new UpdateUserPoolCommand({ UserPoolId: poolId, AutoVerifiedAttributes: ['email'], Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } }),
    );
    const { url, checks } = await authorizationUrl(clientA, 'a');
    await page.goto(`${url.href}&prompt=login`);
    await page.getByLabel('Email').fill(EMAIL);
    await shot('sign-in-with-code');
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByRole('heading', { name: 'Enter your sign-in code' }).waitFor();
    assert.match((await page.locator('p.textDescription-customizable').textContent()) ?? '', /Enter the code we sent to .\*\*\*@e\*\*\*/);
    await shot('sign-in-code');
    await page.getByLabel('Sign-in code').fill(await latestCode());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    assert.equal((await client.authorizationCodeGrant(clientA, new URL(page.url()), checks)).claims()!.email, EMAIL);

    // Cognito's pages ask for a password at sign-up even where SignUp could go without; the new account
    // may then sign in with a code all the same.
    const signUp = await authorizationUrl(clientA, 'a');
    await page.goto(`${signUp.url.href}&prompt=login`);
    await page.getByRole('link', { name: /Sign up/ }).click();
    await page.getByLabel('Email').fill(PASSWORDLESS_EMAIL);
    await page.getByLabel('Password').evaluate((input) => input.removeAttribute('required'));
    await page.getByRole('button', { name: 'Sign up' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'A password is required to sign up in this user pool.');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Confirm your account' }).waitFor();
    await page.getByLabel('Verification code').fill(await latestCode(PASSWORDLESS_EMAIL));
    await page.getByRole('button', { name: 'Confirm account' }).click();
    await page.getByRole('status').waitFor();
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    await page.getByLabel('Sign-in code').fill(await latestCode(PASSWORDLESS_EMAIL));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    assert.equal((await client.authorizationCodeGrant(clientA, new URL(page.url()), signUp.checks)).claims()!.email, PASSWORDLESS_EMAIL);

    // A name no code can reach (this one has no account) is asked for its password instead, as any other.
    await page.goto(`${(await authorizationUrl(clientA, 'a')).url.href}&prompt=login`);
    await page.getByLabel('Email').fill('nobody@example.com');
    await page.getByRole('button', { name: 'Send me a sign-in code' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'User does not exist.');
  });

  it('sets up an authenticator from its QR code page when the pool requires MFA, then asks for its code', async () => {
    const poolId = new URL(issuer).pathname.slice(1);
    await idp.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
    const signIn = async () => {
      const { url, checks } = await authorizationUrl(clientA, 'a');
      await page.goto(`${url.href}&prompt=login`);
      await page.getByLabel('Email').fill('temp@example.com');
      await page.getByLabel('Password').fill(NEW_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      return checks;
    };

    const setupChecks = await signIn();
    await page.getByRole('heading', { name: 'Set up an authenticator app' }).waitFor();
    const qr = page.getByRole('img', { name: /QR code/ });
    assert.ok(((await qr.boundingBox())?.width ?? 0) > 100, 'the QR code is shown');
    await shot('mfa-setup');
    const secret = ((await page.locator('code.secret-code').textContent()) ?? '').trim();
    await page.getByLabel('Code from the app').fill(totpCode(secret));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    assert.equal((await client.authorizationCodeGrant(clientA, new URL(page.url()), setupChecks)).claims()!.email, 'temp@example.com');

    const checks = await signIn();
    await page.getByRole('heading', { name: 'Enter your sign-in code' }).waitFor();
    assert.equal(await page.getByLabel('Sign-in code').getAttribute('autocomplete'), 'one-time-code');
    await page.getByLabel('Sign-in code').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.equal(await page.getByRole('alert').textContent(), 'Invalid code or auth state for the user.');
    await shot('mfa');
    // The code that set the authenticator up is spent; the next step's is within the ±30 s window.
    await page.getByLabel('Sign-in code').fill(totpCode(secret, new Date(Date.now() + 30_000)));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${appUrl}/callback/a?**`);
    assert.equal((await client.authorizationCodeGrant(clientA, new URL(page.url()), checks)).claims()!.email, 'temp@example.com');
  });

  it('ran without a Content-Security-Policy violation', () => {
    assert.deepEqual(cspViolations, []);
  });
});
