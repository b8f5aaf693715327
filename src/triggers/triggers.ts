import type { LambdaConfigType } from '@aws-sdk/client-cognito-identity-provider';
import type { ServiceContext } from '../context.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { InvalidLambdaResponseException, UnexpectedLambdaException, UserLambdaValidationException } from '../userpools/errors.js';
import { FunctionFailed, FunctionUnavailable, invokeFunction } from './lambda-functions.js';

/** The triggers Gatehouse runs; the other LambdaConfig entries are kept and shown, not run (README). */
export type TriggerName =
  | 'PreSignUp'
  | 'PostConfirmation'
  | 'PreTokenGeneration'
  | 'DefineAuthChallenge'
  | 'CreateAuthChallenge'
  | 'VerifyAuthChallengeResponse'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'UserMigration'
  | 'CustomMessage';

/** Admin operations name no app client; Cognito's events then say so in these words. */
const NO_CLIENT = 'CLIENT_ID_NOT_APPLICABLE';

export interface TriggerCall {
  /** The event's triggerSource, e.g. PreSignUp_SignUp. */
  source: string;
  /** null for a machine's client_credentials token, which has no user. */
  userName: string | null;
  clientId?: string;
  request: Record<string, unknown>;
  /** The event's version: "1", or "2"/"3" for the newer pre token generation events. */
  version?: string;
}

/** The function `trigger` runs in `pool`, if its LambdaConfig names one. */
export function triggerArn(pool: StoredUserPool, trigger: TriggerName): string | undefined {
  const config: LambdaConfigType = pool.settings.userPool.LambdaConfig ?? {};
  if (trigger === 'PreTokenGeneration') return config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration;
  return config[trigger];
}

/**
 * Sends `trigger`'s event to the function at `arn` and gives back the `response` of the event it returns,
 * with Cognito's errors: the function's own failure is UserLambdaValidationException ("PreSignUp failed
 * with error …"), a function that cannot be run UnexpectedLambdaException, and an answer that is not an
 * event InvalidLambdaResponseException.
 */
export async function runTrigger(ctx: ServiceContext, pool: StoredUserPool, trigger: TriggerName, arn: string, call: TriggerCall): Promise<Record<string, unknown>> {
  const event = {
    version: call.version ?? '1',
    triggerSource: call.source,
    region: pool.region,
    userPoolId: pool.id,
    userName: call.userName,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: call.clientId ?? NO_CLIENT },
    request: call.request,
    response: {},
  };
  let result: unknown;
  try {
    result = await invokeFunction(ctx.config.lambdaFunctions, arn, event);
  } catch (error) {
    ctx.log.warn({ err: error, poolId: pool.id, trigger, arn }, 'trigger failed');
    if (error instanceof FunctionFailed) throw new UserLambdaValidationException(`${trigger} failed with error ${error.message}.`);
    if (error instanceof FunctionUnavailable) throw new UnexpectedLambdaException(`${trigger} invocation failed due to error ${error.message}.`);
    throw error;
  }
  if (!isRecord(result)) throw new InvalidLambdaResponseException('Unrecognizable lambda output');
  const response = result.response ?? {};
  if (!isRecord(response)) throw new InvalidLambdaResponseException('Unrecognizable lambda output');
  return response;
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A user's attributes as the events carry them: the stored ones with the user's status beside them. */
export function eventAttributes(user: Pick<StoredUser, 'attributes' | 'status'>): Record<string, string> {
  return { ...user.attributes, 'cognito:user_status': user.status };
}
