import { ServiceError } from '../protocol/errors.js';

/** User-pool errors beyond the shared ones in protocol/errors.ts, named as Cognito names them. */
export class UserPoolTaggingException extends ServiceError {
  readonly status = 400;
}
export class InvalidOAuthFlowException extends ServiceError {
  readonly status = 400;
}
export class ScopeDoesNotExistException extends ServiceError {
  readonly status = 400;
}
