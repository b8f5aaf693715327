import { form, hidden, messages, type FieldSpec, type FormState } from './fields.js';
import { html, type SafeHtml } from './html.js';

/** A page's title and body; the layout adds the frame. */
export interface PageContent {
  title: string;
  body: SafeHtml;
}

const USERNAME: FieldSpec = { name: 'username', label: 'Username', autocomplete: 'username' };
const PASSWORD: FieldSpec = { name: 'password', label: 'Password', type: 'password', autocomplete: 'current-password', secret: true };
const NEW_PASSWORD: FieldSpec = { name: 'password', label: 'New password', type: 'password', autocomplete: 'new-password', secret: true };
const CODE: FieldSpec = { name: 'code', label: 'Verification code', autocomplete: 'one-time-code', inputMode: 'numeric', secret: true };

function link(href: string, text: string): SafeHtml {
  return html`<p class="redirect-customizable"><a href="${href}">${text}</a></p>`;
}

/** An external identity provider the sign-in page offers: its name, and the authorize request that goes there. */
export interface ProviderChoice {
  name: string;
  href: string;
}

/**
 * The sign-in page: a link per external provider of the client, then, where the client lets its users
 * sign in with the pool's own directory (`directory` given), the form. Where the pool lets one-time passwords
 * sign users in (`codeSignIn`), a second button sends the same form with only the name filled in, for a
 * code instead of the password.
 */
export function signInPage(
  state: FormState,
  providers: ProviderChoice[],
  directory?: { links: { signUp?: string; forgotPassword: string }; usernameLabel: string; codeSignIn: boolean },
): PageContent {
  const choices = providers.length
    ? html`<div class="idp-choices">${providers.map((p) => html`<a class="idpButton-customizable" href="${p.href}">Continue with ${p.name}</a>
`)}</div>
`
    : '';
  if (!directory) {
    return { title: 'Sign in', body: html`<h1>Sign in</h1>
<p class="textDescription-customizable">Sign in with your corporate or social account.</p>
${messages(state)}${choices}` };
  }
  const name = directory.usernameLabel.toLowerCase();
  const description = directory.codeSignIn ? `Sign in with your ${name} and password, or get a one-time sign-in code.` : `Sign in with your ${name} and password.`;
  return {
    title: 'Sign in',
    body: html`<h1>Sign in</h1>
${choices}<p class="textDescription-customizable">${description}</p>
${form(state, [{ ...USERNAME, label: directory.usernameLabel }, PASSWORD], 'Sign in', {}, directory.codeSignIn ? { name: 'signInWith', value: 'code', label: 'Send me a sign-in code' } : undefined)}
${link(directory.links.forgotPassword, 'Forgot your password?')}
${directory.links.signUp ? link(directory.links.signUp, 'Need an account? Sign up') : ''}`,
  };
}

/** `terms`: the app client's terms of use and privacy policy (CreateTerms), shown once it has both. */
export function signUpPage(state: FormState, specs: FieldSpec[], signIn: string, terms?: { termsOfUse: string; privacyPolicy: string }): PageContent {
  return {
    title: 'Sign up',
    body: html`<h1>Sign up</h1>
<p class="textDescription-customizable">Create an account. Fields are required unless they say otherwise.</p>
${form(state, specs, 'Sign up')}
${terms ? html`<p class="textDescription-customizable">By signing up, you agree to the <a href="${terms.termsOfUse}">terms of use</a> and the <a href="${terms.privacyPolicy}">privacy policy</a>.</p>` : ''}
${link(signIn, 'Already have an account? Sign in')}`,
  };
}

export function confirmPage(state: FormState, username: string, resend: { action: string }, signIn: string): PageContent {
  return {
    title: 'Confirm your account',
    body: html`<h1>Confirm your account</h1>
<p class="textDescription-customizable">Enter the code we sent to confirm the account <strong>${username}</strong>.</p>
${form(state, [CODE], 'Confirm account', { username })}
<form method="post" action="${resend.action}">
${hidden({ _csrf: state.csrf, username })}<button class="secondaryButton" type="submit">Send a new code</button>
</form>
${link(signIn, 'Back to sign in')}`,
  };
}

export function forgotPasswordPage(state: FormState, usernameLabel: string, signIn: string): PageContent {
  return {
    title: 'Forgot your password?',
    body: html`<h1>Forgot your password?</h1>
<p class="textDescription-customizable">Enter your ${usernameLabel.toLowerCase()} and we will send a code to reset your password.</p>
${form(state, [{ ...USERNAME, label: usernameLabel }], 'Send code')}
${link(signIn, 'Back to sign in')}`,
  };
}

export function resetPasswordPage(state: FormState, username: string, signIn: string): PageContent {
  return {
    title: 'Reset your password',
    body: html`<h1>Reset your password</h1>
<p class="textDescription-customizable">Enter the code we sent for <strong>${username}</strong> and choose a new password.</p>
${form(state, [CODE, NEW_PASSWORD], 'Change password', { username })}
${link(signIn, 'Back to sign in')}`,
  };
}

/** `challenge` holds the hidden values the answer needs: username, session, the required attributes. */
export function newPasswordPage(state: FormState, challenge: { username: string; session: string; required: string }, attributes: FieldSpec[]): PageContent {
  return {
    title: 'Change your password',
    body: html`<h1>Change your password</h1>
<p class="textDescription-customizable">Your password is temporary. Choose a new one to continue.</p>
${form(state, [NEW_PASSWORD, ...attributes], 'Change password and sign in', challenge)}`,
  };
}

/** What a factor is called on the pages. */
const FACTOR_LABELS: Record<string, string> = { SMS_MFA: 'Text message (SMS)', SOFTWARE_TOKEN_MFA: 'Authenticator app', EMAIL_OTP: 'Email' };

/** `challenge` holds the hidden values the answer needs; `destination` is where a code went (masked, as Cognito shows it). */
export function mfaPage(state: FormState, challenge: { username: string; session: string; challenge: string; destination?: string }): PageContent {
  const authenticator = challenge.challenge === 'SOFTWARE_TOKEN_MFA';
  const sentTo = challenge.destination ? `Enter the code we sent to ${challenge.destination}.` : 'Enter the code we sent you.';
  return {
    title: 'Enter your sign-in code',
    body: html`<h1>Enter your sign-in code</h1>
<p class="textDescription-customizable">${authenticator ? 'Enter the code your authenticator app shows.' : sentTo}</p>
${form(state, [{ ...CODE, label: 'Sign-in code' }], 'Sign in', challenge)}`,
  };
}

/** SELECT_MFA_TYPE: one button per factor the user has on. */
export function selectMfaPage(state: FormState, challenge: { username: string; session: string }, choices: string[]): PageContent {
  return {
    title: 'Choose how to get your sign-in code',
    body: html`<h1>Choose how to get your sign-in code</h1>
${messages(state)}<form method="post" action="${state.action}" class="choices">
${hidden({ _csrf: state.csrf, ...challenge, challenge: 'SELECT_MFA_TYPE' })}${choices.map(
      (choice) => html`<button class="submitButton-customizable" type="submit" name="answer" value="${choice}">${FACTOR_LABELS[choice] ?? choice}</button>\n`,
    )}</form>`,
  };
}

/** MFA_SETUP: the new authenticator's key, as a QR code (an SVG data: URI) and as text, and a field for its first code. */
export function mfaSetupPage(state: FormState, setup: { username: string; session: string; secret: string }, qrCode: string): PageContent {
  return {
    title: 'Set up an authenticator app',
    body: html`<h1>Set up an authenticator app</h1>
<p class="textDescription-customizable">Your account needs a sign-in code from an authenticator app. Scan this QR code with the app, or type in the key below, then enter the code the app shows.</p>
<img class="qr" src="${qrCode}" alt="QR code that adds this account to an authenticator app">
<p class="textDescription-customizable">Key<code class="secret-code">${setup.secret}</code></p>
${form(
  state,
  [
    { ...CODE, label: 'Code from the app' },
    { name: 'deviceName', label: 'Device name (optional)', hint: 'To tell your authenticators apart later.', required: false },
  ],
  'Verify and sign in',
  setup,
)}`,
  };
}

/** Bad client, bad redirect, expired form: say what is wrong, and send the browser nowhere. */
export function errorPage(title: string, message: string): PageContent {
  return {
    title,
    body: html`<h1>${title}</h1>
${messages({ action: '', csrf: '', error: { message } })}
<p class="textDescription-customizable">Return to the application you came from and try again.</p>`,
  };
}
