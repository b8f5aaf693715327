import type { ChallengeNameType } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';
import { checkSecretHash } from '../client-requests.js';
import { answerSelectChallenge } from './choice-sign-in.js';
import { answerCustomChallenge } from './custom-sign-in.js';
import { answerWebAuthn } from './passkey-sign-in.js';
import { answerDevicePasswordVerifier, answerDeviceSrpAuth } from './device-sign-in.js';
import { answerMfaCode, answerMfaSetup, answerSelectMfaType } from './mfa-answers.js';
import { answerNewPasswordRequired } from './new-password.js';
import type { ChallengeAnswer } from './challenge-answer.js';
import type { SignInStep } from './sign-in-outcome.js';
import { answerPasswordVerifier } from './srp-sign-in.js';

/** RespondToAuthChallenge and AdminRespondToAuthChallenge: route the answer to its challenge. */
export async function answerChallenge(
  ctx: RequestContext,
  pool: StoredUserPool,
  client: StoredAppClient,
  challenge: ChallengeNameType,
  session: string | undefined,
  responses: Record<string, string>,
  clientMetadata?: Record<string, string>,
): Promise<SignInStep> {
  checkSecretHash(ctx, client, [responses.USERNAME], responses.SECRET_HASH);
  const answer: ChallengeAnswer = { ctx, pool, client, session, responses, ...(clientMetadata && { clientMetadata }) };
  switch (challenge) {
    case 'PASSWORD_VERIFIER':
      return answerPasswordVerifier(answer);
    case 'NEW_PASSWORD_REQUIRED':
      return answerNewPasswordRequired(answer);
    case 'SMS_MFA':
    case 'SOFTWARE_TOKEN_MFA':
    case 'EMAIL_OTP':
      return answerMfaCode(answer, challenge);
    case 'SMS_OTP':
      return answerMfaCode(answer, 'SMS_MFA', 'SMS_OTP');
    case 'SELECT_CHALLENGE':
      return answerSelectChallenge(answer);
    case 'WEB_AUTHN':
      return answerWebAuthn(answer);
    case 'SELECT_MFA_TYPE':
      return answerSelectMfaType(answer);
    case 'MFA_SETUP':
      return answerMfaSetup(answer);
    case 'DEVICE_SRP_AUTH':
      return answerDeviceSrpAuth(answer);
    case 'DEVICE_PASSWORD_VERIFIER':
      return answerDevicePasswordVerifier(answer);
    case 'CUSTOM_CHALLENGE':
      return answerCustomChallenge(answer);
    default:
      throw new InvalidParameterException(`The ${challenge} challenge is not supported by Gatehouse yet.`);
  }
}
