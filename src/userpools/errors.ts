import { ClientError, ServiceError } from '../protocol/errors.js';

/** User-pool errors beyond the shared ones in protocol/errors.ts, named as Cognito names them. */
export class UserPoolTaggingException extends ClientError {}
export class InvalidOAuthFlowException extends ClientError {}
export class ScopeDoesNotExistException extends ClientError {}
/** A user import job asked to do what its state does not allow (start twice, stop a finished job). */
export class PreconditionNotMetException extends ClientError {}

// Errors of the user directory and sign-in, named as Cognito names them.
export class UserNotFoundException extends ServiceError {
  readonly status = 404;
}
export class UsernameExistsException extends ClientError {}
export class AliasExistsException extends ClientError {}
export class InvalidPasswordException extends ClientError {}
export class PasswordHistoryPolicyViolationException extends ClientError {}
export class CodeMismatchException extends ClientError {}
export class ExpiredCodeException extends ClientError {}
export class TooManyFailedAttemptsException extends ClientError {}
export class CodeDeliveryFailureException extends ClientError {}
export class UserNotConfirmedException extends ClientError {}
export class PasswordResetRequiredException extends ClientError {}
export class UnsupportedUserStateException extends ClientError {}
export class GroupExistsException extends ClientError {}
export class TermsExistsException extends ClientError {}
export class UnsupportedTokenTypeException extends ClientError {}

// Errors of external identity providers (federation).
export class DuplicateProviderException extends ClientError {}
export class UnsupportedIdentityProviderException extends ClientError {}

// Errors of multi-factor authentication.
export class SoftwareTokenMFANotFoundException extends ClientError {}
export class EnableSoftwareTokenMFAException extends ClientError {}

// Errors of remembered devices.
export class DeviceKeyExistsException extends ClientError {}

// Errors of passkeys (WebAuthn).
export class WebAuthnNotEnabledException extends ClientError {}
export class WebAuthnConfigurationMissingException extends ClientError {}
export class WebAuthnChallengeNotFoundException extends ClientError {}
export class WebAuthnClientMismatchException extends ClientError {}
export class WebAuthnOriginNotAllowedException extends ClientError {}
export class WebAuthnRelyingPartyMismatchException extends ClientError {}
export class WebAuthnCredentialNotSupportedException extends ClientError {}

// A Lambda trigger's failures: the function refused (threw), could not be run, or answered nonsense.
export class UserLambdaValidationException extends ClientError {}
export class UnexpectedLambdaException extends ClientError {}
export class InvalidLambdaResponseException extends ClientError {}
