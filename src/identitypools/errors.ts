import { ClientError, ServiceError } from '../protocol/errors.js';

/** Identity-pool errors beyond the shared ones, named as Cognito names them (cognito-identity model). */
export class ResourceConflictException extends ServiceError {
  readonly status = 409;
}
export class DeveloperUserAlreadyRegisteredException extends ClientError {}
export class InvalidIdentityPoolConfigurationException extends ClientError {}
/** A service the identity pool depends on (here: the external STS) failed or did not answer. */
export class ExternalServiceException extends ClientError {}
