/**
 * The error family of the JSON APIs. The domain throws these; `serialize-error.ts` turns them into the
 * wire shape once. Names and HTTP statuses follow the service models and the npm SDK's `httpError`
 * traits (reference/PROTOCOL.md §4): everything not listed there is a 400.
 */
export abstract class ServiceError extends Error {
  abstract readonly status: number;
  /** Extra members serialised beside `__type` and `message` (e.g. `reasonCode`). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(message: string, extra?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.extra = extra;
  }

  /** The wire name (`__type`); the class name unless a subclass says otherwise. */
  get type(): string {
    return this.name;
  }
}

/** The 400 family: most Cognito errors. */
export abstract class ClientError extends ServiceError {
  readonly status: number = 400;
}

// Errors shared by every Cognito API.
export class InvalidParameterException extends ClientError {}
export class ResourceNotFoundException extends ServiceError {
  readonly status = 404;
}
export class NotAuthorizedException extends ServiceError {
  readonly status = 403;
}
/**
 * A genuine token (its signature holds) past its expiry: NotAuthorizedException on the wire, kept apart
 * so that STS can answer ExpiredTokenException for it, as AWS does, without reading the message.
 */
export class ExpiredTokenError extends NotAuthorizedException {
  override get type(): string {
    return 'NotAuthorizedException';
  }
}
export class TooManyRequestsException extends ServiceError {
  readonly status = 429;
}
export class LimitExceededException extends ClientError {}
export class ConcurrentModificationException extends ClientError {}
export class UnsupportedOperationException extends ClientError {}
export class InternalErrorException extends ServiceError {
  readonly status = 500;
}

// Errors of the AWS JSON protocol itself, raised before an operation runs.
export class SerializationException extends ClientError {}
export class UnknownOperationException extends ClientError {}
/** A path that serves nothing (the API itself is POST /). */
export class NotFoundException extends ServiceError {
  readonly status = 404;
}
export class RequestEntityTooLargeException extends ServiceError {
  readonly status = 413;
}

// Errors of SigV4 request authentication (the same names every AWS JSON service answers with).
export class MissingAuthenticationTokenException extends ServiceError {
  readonly status = 403;
}
export class UnrecognizedClientException extends ClientError {}
export class InvalidSignatureException extends ClientError {}
export class IncompleteSignatureException extends ClientError {}

