/**
 * `gatehouse/authorizer`: protect an API with Gatehouse credentials, in any Node.js process.
 *
 *   - createUserPoolAuthorizer: a user pool ID or access token (JWKS fetched from the issuer), scopes.
 *   - createIamAuthorizer: SigV4 with Gatehouse temporary credentials, evaluated against the role's
 *     inline policies for the request's action and resource (s3Actions() or templateActions()).
 *   - fastifyAuthorizer / expressAuthorizer / authorizeFetchRequest: the same as middleware.
 */
export type { Allowed, Authorizer, AuthorizerDecision, AuthorizerRequest, Refused } from './decision.js';
export { createUserPoolAuthorizer, bearerToken, type UserPoolAuthorizer, type UserPoolAuthorizerOptions, type UserPoolPrincipal } from './user-pool-authorizer.js';
export { createIamAuthorizer, type IamAuthorizer, type IamAuthorizerOptions } from './iam-authorizer.js';
export { authorizeCaller, decideIamRequest, requestContext, type IamDecisionOptions, type IamPrincipal } from './iam-decision.js';
export { verifySignedRequest, type SignatureCheckOptions, type VerifiedCaller } from './signed-request.js';
export { sessionOpener, type SessionClaims, type SessionOpener } from './session-tokens.js';
export { RolePolicyCache, type LoadedRole, type PolicyInput, type RolePoliciesAnswer, type RolePolicySource } from './role-policies.js';
export { templateActions, type AccessCheck, type ActionResolver, type TemplateOptions } from './access-check.js';
export { s3AccessChecks, s3Actions, type S3ActionOptions } from './s3-actions.js';
export { refusalResponse, type RefusalFormat, type RefusalResponse } from './refusal.js';
export {
  authorizeFetchRequest,
  captureRawBody,
  expressAuthorizer,
  fastifyAuthorizer,
  fromFastifyRequest,
  fromNodeRequest,
  type MiddlewareOptions,
  type RequestAuthorizer,
} from './middleware.js';
export { evaluate, parsePolicy, type PolicyDocument } from './policy/index.js';
