import type { ServiceContext } from '../../context.js';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUser } from '../../storage/users-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { eventAttributes, isRecord, runTrigger, triggerArn } from '../../triggers/triggers.js';
import { hidesUserExistence } from '../client-requests.js';
import { InvalidLambdaResponseException, PasswordResetRequiredException, UserNotConfirmedException, UserNotFoundException } from '../errors.js';
import { findUser } from '../users/sign-in-names.js';
import { openSession, takeSession } from './auth-sessions.js';
import { requiredParameter } from './auth-flows.js';
import type { ChallengeAnswer } from './challenge-answer.js';
import { requireAllowedToSignIn, sessionUser, signInCompleted, type SignInStep } from './sign-in-outcome.js';
import { passwordVerifierChallenge } from './srp-sign-in.js';

/** One challenge of the sign-in so far, as DefineAuthChallenge's `session` lists it. */
export interface ChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata?: string;
}

/** What a CUSTOM_CHALLENGE session keeps between the question and its answer. */
interface CustomState extends Record<string, unknown> {
  challenges: ChallengeResult[];
  privateChallengeParameters: Record<string, unknown>;
  challengeMetadata?: string;
  /** The name signed in with, for a user that does not exist (the functions hear `userNotFound`). */
  pretend?: string;
}

/** The sign-in a custom flow is for: the user, or the name of one that does not exist. */
interface Who {
  user: StoredUser | undefined;
  name: string;
  /** The client's SRP_A, while the password may still be asked for (right after InitiateAuth). */
  srpA?: string;
}

const TRIGGERS = ['DefineAuthChallenge', 'CreateAuthChallenge', 'VerifyAuthChallengeResponse'] as const;

/**
 * CUSTOM_AUTH: the pool's three functions run the sign-in. DefineAuthChallenge decides, from the
 * challenges so far, whether to fail, issue tokens or ask again; CreateAuthChallenge makes each question;
 * VerifyAuthChallengeResponse judges each answer. Under PreventUserExistenceErrors a user that does not
 * exist goes through the same steps, the functions told `userNotFound`, and never gets tokens.
 */
export async function startCustomSignIn(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  name: string,
  params: Record<string, string>,
  clientMetadata: Record<string, string> | undefined,
): Promise<SignInStep> {
  if (TRIGGERS.some((trigger) => !triggerArn(pool, trigger))) throw new InvalidParameterException('Custom auth lambda trigger is not configured for the user pool.');
  const user = await findUser(ctx, pool, name);
  if (!user && !hidesUserExistence(client)) throw new UserNotFoundException('User does not exist.');
  if (user) requireAllowedToSignIn(ctx, user);
  // With SRP_A the client offers to prove the password first (Amplify's CUSTOM_WITH_SRP): a challenge passed.
  const srpA = params.SRP_A;
  if (srpA && params.CHALLENGE_NAME !== undefined && params.CHALLENGE_NAME !== 'SRP_A') throw new InvalidParameterException('CHALLENGE_NAME must be SRP_A.');
  const challenges = srpA ? [{ challengeName: 'SRP_A', challengeResult: true }] : [];
  return continueCustomSignIn(ctx, pool, client, { user, name, ...(srpA && { srpA }) }, challenges, clientMetadata);
}

/** RespondToAuthChallenge with CUSTOM_CHALLENGE: the answer is judged, then DefineAuthChallenge decides again. */
export async function answerCustomChallenge(answer: ChallengeAnswer): Promise<SignInStep> {
  const { ctx, pool, client, responses, clientMetadata } = answer;
  const challengeAnswer = requiredParameter(responses, 'ANSWER');
  const session = await takeSession(ctx, client, answer.session, 'CUSTOM_CHALLENGE');
  const state = session.state as CustomState;
  const user = state.pretend === undefined ? await sessionUser(ctx, pool, session) : undefined;
  const who = { user, name: user?.username ?? state.pretend ?? '' };
  const verdict = await run(ctx, pool, client, who, 'VerifyAuthChallengeResponse', clientMetadata, {
    privateChallengeParameters: state.privateChallengeParameters,
    challengeAnswer,
  });
  if (verdict.answerCorrect !== undefined && typeof verdict.answerCorrect !== 'boolean') throw unrecognizable();
  const challenges = [
    ...state.challenges,
    { challengeName: 'CUSTOM_CHALLENGE', challengeResult: verdict.answerCorrect === true, ...(state.challengeMetadata !== undefined && { challengeMetadata: state.challengeMetadata }) },
  ];
  return continueCustomSignIn(ctx, pool, client, who, challenges, clientMetadata);
}

/**
 * DefineAuthChallenge decides on the challenges so far: at the start, after each custom answer, and after a
 * challenge of another kind (the password, by SRP: srp-sign-in.ts) passed.
 */
export async function continueCustomSignIn(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  who: Who,
  challenges: ChallengeResult[],
  clientMetadata: Record<string, string> | undefined,
): Promise<SignInStep> {
  const decision = await run(ctx, pool, client, who, 'DefineAuthChallenge', clientMetadata, { session: challenges });
  if (decision.failAuthentication === true) throw new NotAuthorizedException('Incorrect username or password.');
  if (decision.issueTokens === true) {
    if (!who.user) throw new NotAuthorizedException('Incorrect username or password.');
    if (who.user.status === 'UNCONFIRMED') throw new UserNotConfirmedException('User is not confirmed.');
    if (who.user.status === 'RESET_REQUIRED') throw new PasswordResetRequiredException('Password reset required for the user');
    return signInCompleted(ctx, pool, client, who.user);
  }
  if (decision.challengeName === 'PASSWORD_VERIFIER' && who.srpA) {
    return passwordVerifierChallenge(ctx, pool, client, who, who.srpA, { custom: challenges });
  }
  if (decision.challengeName !== 'CUSTOM_CHALLENGE') {
    if (typeof decision.challengeName === 'string') {
      throw new InvalidLambdaResponseException(
        `DefineAuthChallenge asked for ${decision.challengeName}; Gatehouse's custom authentication runs CUSTOM_CHALLENGE, and PASSWORD_VERIFIER right after SRP_A.`,
      );
    }
    throw unrecognizable();
  }
  const question = await run(ctx, pool, client, who, 'CreateAuthChallenge', clientMetadata, { challengeName: 'CUSTOM_CHALLENGE', session: challenges });
  const publicParameters = stringMap(question.publicChallengeParameters);
  const privateParameters = question.privateChallengeParameters ?? {};
  if (!isRecord(privateParameters) || (question.challengeMetadata != null && typeof question.challengeMetadata !== 'string')) throw unrecognizable();
  const state: CustomState = {
    challenges,
    privateChallengeParameters: privateParameters,
    ...(typeof question.challengeMetadata === 'string' && { challengeMetadata: question.challengeMetadata }),
    ...(!who.user && { pretend: who.name }),
  };
  return {
    ChallengeName: 'CUSTOM_CHALLENGE',
    Session: await openSession(ctx, client, who.user?.usernameKey ?? `?${who.name}`, 'CUSTOM_CHALLENGE', state),
    ChallengeParameters: { ...publicParameters, USERNAME: who.user?.username ?? who.name },
  };
}

/** One of the three functions, on the `<trigger>_Authentication` event, with what every one of them hears. */
function run(
  ctx: ServiceContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  who: Who,
  trigger: (typeof TRIGGERS)[number],
  clientMetadata: Record<string, string> | undefined,
  request: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  return runTrigger(ctx, pool, trigger, triggerArn(pool, trigger)!, {
    source: `${trigger}_Authentication`,
    userName: who.user?.username ?? who.name,
    clientId: client.clientId,
    request: {
      userAttributes: who.user ? eventAttributes(who.user) : {},
      ...request,
      ...(clientMetadata && { clientMetadata }),
      userNotFound: !who.user,
    },
  });
}

const unrecognizable = () => new InvalidLambdaResponseException('Unrecognizable lambda output');

/** publicChallengeParameters travel as ChallengeParameters, a map of strings. */
function stringMap(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value) || !Object.values(value).every((item) => typeof item === 'string')) throw unrecognizable();
  return value as Record<string, string>;
}
