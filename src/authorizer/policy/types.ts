/**
 * The normalised shape `parsePolicy` returns: every list-valued element is an array, condition values are
 * strings, and the whole document is frozen (compiled matchers are cached per document object, so a
 * document must not change once evaluated).
 */

export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type PolicyEffect = 'Allow' | 'Deny';

/** `Principal` / `NotPrincipal`: `"*"`, or lists of principals per kind. */
export type PolicyPrincipal =
  | '*'
  | {
      readonly AWS?: readonly string[];
      readonly Federated?: readonly string[];
      readonly Service?: readonly string[];
      readonly CanonicalUser?: readonly string[];
    };

/** `Condition`: operator (as written, e.g. `ForAnyValue:StringLike`) → condition key → values (ORed). */
export type PolicyCondition = Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: PolicyEffect;
  readonly Action?: readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource?: readonly string[];
  readonly NotResource?: readonly string[];
  readonly Principal?: PolicyPrincipal;
  readonly NotPrincipal?: PolicyPrincipal;
  readonly Condition?: PolicyCondition;
}

export interface PolicyDocument {
  /** `2008-10-17` when the document has no Version (IAM's default); policy variables need `2012-10-17`. */
  readonly Version: PolicyVersion;
  readonly Id?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** A request-context value; `undefined` and `[]` mean the key is absent. Arrays are multi-valued keys. */
export type ContextValue = string | readonly string[] | boolean | number | undefined;

/** Condition keys, matched case-insensitively (`aws:username`, `cognito-identity.amazonaws.com:amr`, …). */
export type RequestContext = Readonly<Record<string, ContextValue>>;

export interface AuthorizationRequest {
  /** `service:Action`, e.g. `s3:GetObject`. */
  readonly action: string;
  /** The ARN acted on. */
  readonly resource: string;
  readonly context: RequestContext;
}

export type Decision = 'Allow' | 'Deny' | 'ImplicitDeny';

export interface EvaluationResult {
  readonly decision: Decision;
  /** The statement that decided: the first matching Deny, else the first matching Allow. */
  readonly statement?: { readonly policyIndex: number; readonly sid?: string };
}

export interface TrustRequest {
  /** The federated principal asking, e.g. `cognito-identity.amazonaws.com`. */
  readonly principalFederated?: string;
  /** e.g. `sts:AssumeRoleWithWebIdentity`. */
  readonly action: string;
  readonly context: RequestContext;
}
