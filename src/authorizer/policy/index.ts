/**
 * The IAM policy language: parsing/validating policy documents, evaluating identity policies against a
 * request, and deciding role trust. Pure: no I/O, no clock (the caller puts aws:CurrentTime etc. in the
 * request context).
 */
export { MalformedPolicyDocumentError } from './errors.js';
export { parsePolicy, parseStoredPolicy, type ParsePolicyOptions } from './parse-policy.js';
export { evaluate } from './evaluate.js';
export { trustAllows } from './trust.js';
export type {
  AuthorizationRequest,
  ContextValue,
  Decision,
  EvaluationResult,
  PolicyCondition,
  PolicyDocument,
  PolicyEffect,
  PolicyPrincipal,
  PolicyStatement,
  PolicyVersion,
  RequestContext,
  TrustRequest,
} from './types.js';
