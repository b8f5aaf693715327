/**
 * Thrown by `parsePolicy` for a document IAM would refuse. The IAM API answers `MalformedPolicyDocument`
 * with `message`; `path` locates the offending element (e.g. `Statement[1].Condition.StringLike`).
 */
export class MalformedPolicyDocumentError extends Error {
  /** The IAM error code this maps to. */
  readonly code = 'MalformedPolicyDocument';
  /** Where in the document the problem is; undefined for problems with the document as a whole. */
  readonly path: string | undefined;

  constructor(message: string, path?: string) {
    super(path === undefined ? message : `${path}: ${message}`);
    this.name = 'MalformedPolicyDocumentError';
    this.path = path;
  }
}
