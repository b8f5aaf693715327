import type { AssociateSoftwareTokenResponse, ChallengeNameType, VerifySoftwareTokenResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidParameterException, ServiceError } from '../protocol/errors.js';
import { codeParameterOf } from '../userpools/auth/mfa-answers.js';
import type { SignInStep } from '../userpools/auth/sign-in-outcome.js';
import { CodeMismatchException, EnableSoftwareTokenMFAException } from '../userpools/errors.js';
import { totpUri } from '../userpools/mfa/totp.js';
import { checkAuthorizationRequest, type AuthorizationRequest } from './authorization-request.js';
import { answer } from './challenge-pages.js';
import type { HostedPool } from './hosted-pool.js';
import { field, postedForm, sendFormPage, sendPage } from './page-response.js';
import type { FormState } from './pages/fields.js';
import { errorPage, mfaPage, mfaSetupPage, selectMfaPage } from './pages/templates.js';
import { Params } from './params.js';
import { TOO_MANY_REQUESTS, showSignIn } from './sign-in-form.js';
import { callUserPoolApi } from './user-pool-api.js';

/** The challenges these pages answer: the second factors', and the one-time passwords that sign in alone. */
export const MFA_CHALLENGES = new Set<string>(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP', 'SMS_OTP', 'SELECT_MFA_TYPE', 'MFA_SETUP']);

type CodeChallenge = { username: string; session: string; challenge: string; destination?: string };

/** The page of an MFA challenge: the code field, the choice of factor, or the authenticator's setup. */
export async function showMfaChallenge(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  step: SignInStep,
  username: string,
): Promise<FastifyReply> {
  const session = step.Session ?? '';
  if (step.ChallengeName === 'SELECT_MFA_TYPE') {
    const choices = JSON.parse(step.ChallengeParameters?.MFAS_CAN_CHOOSE ?? '[]') as string[];
    return sendFormPage(hosted, request, reply, auth, { path: '/mfa' }, (state) => selectMfaPage(state, { username, session }, choices));
  }
  if (step.ChallengeName === 'MFA_SETUP') return startMfaSetup(hosted, request, reply, auth, step, username);
  const destination = step.ChallengeParameters?.CODE_DELIVERY_DESTINATION;
  return showCodePage(hosted, request, reply, auth, { username, session, challenge: step.ChallengeName!, ...(destination && { destination }) });
}

function showCodePage(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, challenge: CodeChallenge, extra: Partial<FormState> = {}, status = 200) {
  return sendFormPage(hosted, request, reply, auth, { path: '/mfa', extra, status }, (state) => mfaPage(state, challenge));
}

/** POST /mfa: an MFA code, or the factor chosen, answered as RespondToAuthChallenge would be. */
export async function postMfa(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const challenge = { username: field(form, 'username'), session: field(form, 'session') };
  const name = field(form, 'challenge') as ChallengeNameType;
  if (!(await hosted.allowAttempt())) return showSignIn(hosted, request, reply, auth, { error: { message: TOO_MANY_REQUESTS } }, 429);
  if (name === 'SELECT_MFA_TYPE') return answer(hosted, request, reply, auth, name, challenge, { USERNAME: challenge.username, ANSWER: field(form, 'answer') });
  const codeName = codeParameterOf(name);
  if (!codeName) return showSignIn(hosted, request, reply, auth, { error: { message: 'Invalid session for the user.' } }, 400);
  const destination = field(form, 'destination');
  // A mistyped code leaves the session usable for a few more tries (mfa-answers.ts): ask again on the same page.
  const retry = (error: ServiceError) =>
    error instanceof CodeMismatchException
      ? showCodePage(hosted, request, reply, auth, { ...challenge, challenge: name, ...(destination && { destination }) }, { error: { message: error.message, field: 'code' } }, 400)
      : undefined;
  return answer(hosted, request, reply, auth, name, challenge, { USERNAME: challenge.username, [codeName]: field(form, 'code') }, retry);
}

/**
 * MFA_SETUP: the pool requires MFA and the user has none. Pages can register an authenticator app (as
 * Cognito's managed login does, with a QR code); SMS or email MFA would need a phone number or an email
 * address the account lacks, which only the app or an administrator can add.
 */
async function startMfaSetup(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply, auth: AuthorizationRequest, step: SignInStep, username: string) {
  const canSetUp = (JSON.parse(step.ChallengeParameters?.MFAS_CAN_SETUP ?? '[]') as string[]).includes('SOFTWARE_TOKEN_MFA');
  if (!canSetUp) {
    const message = 'Your account requires multi-factor authentication, and none is set up for it. Set it up in the application, or ask its administrator.';
    return sendPage(hosted, reply, errorPage('Sign-in cannot continue', message), { status: 400, clientId: auth.client.clientId });
  }
  const associated = await callUserPoolApi<AssociateSoftwareTokenResponse>(hosted.ctx, 'AssociateSoftwareToken', { Session: step.Session });
  return showSetupPage(hosted, request, reply, auth, { username, session: associated.Session!, secret: associated.SecretCode! });
}

async function showSetupPage(
  hosted: HostedPool,
  request: FastifyRequest,
  reply: FastifyReply,
  auth: AuthorizationRequest,
  setup: { username: string; session: string; secret: string },
  extra: Partial<FormState> = {},
  status = 200,
) {
  const qr = await qrCode(totpUri(setup.secret, hosted.pool.name, setup.username));
  return sendFormPage(hosted, request, reply, auth, { path: '/mfaSetup', extra, status }, (state) => mfaSetupPage(state, setup, qr));
}

/** The QR code as an SVG data: URI (the pages' CSP allows data: images and nothing else). */
async function qrCode(text: string): Promise<string> {
  // Loaded with the first setup page, not at start-up: few sign-ins ever show one.
  const { renderSVG } = await import('uqr');
  return `data:image/svg+xml;base64,${Buffer.from(renderSVG(text, { border: 2 })).toString('base64')}`;
}

/** POST /mfaSetup: the authenticator's first code, through VerifySoftwareToken, then MFA_SETUP is answered. */
export async function postMfaSetup(hosted: HostedPool, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const form = postedForm(hosted, request);
  const auth = await checkAuthorizationRequest(hosted, Params.ofQuery(request));
  const setup = { username: field(form, 'username'), session: field(form, 'session'), secret: field(form, 'secret') };
  if (!(await hosted.allowAttempt())) return showSignIn(hosted, request, reply, auth, { error: { message: TOO_MANY_REQUESTS } }, 429);
  const deviceName = field(form, 'deviceName');
  let verified: VerifySoftwareTokenResponse;
  try {
    verified = await callUserPoolApi<VerifySoftwareTokenResponse>(hosted.ctx, 'VerifySoftwareToken', {
      Session: setup.session,
      UserCode: field(form, 'code'),
      ...(deviceName && { FriendlyDeviceName: deviceName }),
    });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    // A wrong code keeps the session (verify-software-token.ts); a malformed one never reached it.
    if (error instanceof EnableSoftwareTokenMFAException || error instanceof InvalidParameterException) {
      const message = error instanceof EnableSoftwareTokenMFAException ? 'That code is not the one the app shows. Check the app and try again.' : error.message;
      return showSetupPage(hosted, request, reply, auth, setup, { error: { message, field: 'code' }, values: { deviceName } }, 400);
    }
    return showSignIn(hosted, request, reply, auth, { error: { message: error.message } }, 400);
  }
  return answer(hosted, request, reply, auth, 'MFA_SETUP', { username: setup.username, session: verified.Session! }, { USERNAME: setup.username });
}
