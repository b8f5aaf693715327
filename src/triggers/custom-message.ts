import type { ServiceContext } from '../context.js';
import type { StoredUser } from '../storage/users-repository.js';
import type { StoredUserPool } from '../storage/user-pools-repository.js';
import { InvalidLambdaResponseException } from '../userpools/errors.js';
import { eventAttributes, runTrigger, triggerArn } from './triggers.js';

/** Which message is being made, as the event's triggerSource says. */
export type MessageSource =
  | 'CustomMessage_SignUp'
  | 'CustomMessage_ResendCode'
  | 'CustomMessage_ForgotPassword'
  | 'CustomMessage_UpdateUserAttribute'
  | 'CustomMessage_VerifyUserAttribute'
  | 'CustomMessage_AdminCreateUser'
  | 'CustomMessage_Authentication';

/** Why a message is sent, and the request behind it, as the custom message function hears them. */
export interface MessageCause {
  source: MessageSource;
  /** The app client of the request; admin operations have none. */
  clientId?: string;
  clientMetadata?: Record<string, string>;
}

/** A message's texts, with {####} where the code goes and {username} where the user's name does. */
export interface MessageTexts {
  subject: string;
  email: string;
  sms: string;
}

/**
 * Runs the pool's custom message function, if it has one, and gives back the texts to send: the
 * function's, where it wrote one, else the pool's own. As at Cognito, it sees the placeholders, never the
 * code: `codeParameter` is "{####}" and, for an invitation, `usernameParameter` is "{username}".
 */
export async function customMessage(ctx: ServiceContext, pool: StoredUserPool, user: StoredUser, cause: MessageCause, texts: MessageTexts): Promise<MessageTexts> {
  const arn = triggerArn(pool, 'CustomMessage');
  if (!arn) return texts;
  const response = await runTrigger(ctx, pool, 'CustomMessage', arn, {
    source: cause.source,
    userName: user.username,
    ...(cause.clientId && { clientId: cause.clientId }),
    request: {
      userAttributes: eventAttributes(user),
      codeParameter: '{####}',
      usernameParameter: cause.source === 'CustomMessage_AdminCreateUser' ? '{username}' : null,
      linkParameter: '{##Click Here##}',
      ...(cause.clientMetadata && { clientMetadata: cause.clientMetadata }),
    },
  });
  const text = (name: 'emailSubject' | 'emailMessage' | 'smsMessage', fallback: string) => {
    const value = response[name];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') throw new InvalidLambdaResponseException('Unrecognizable lambda output');
    return value;
  };
  return { subject: text('emailSubject', texts.subject), email: text('emailMessage', texts.email), sms: text('smsMessage', texts.sms) };
}
