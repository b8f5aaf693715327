/**
 * Role trust policies: may this principal assume the role? A statement applies when its Principal (or
 * NotPrincipal) covers the caller, its Action/NotAction covers the action and its conditions hold; any
 * applicable Deny refuses, else any applicable Allow admits. Resource elements are not consulted.
 *
 * Principals: `"*"` and `{"AWS": "*"}` cover everyone; `{"Federated": …}` covers a federated caller whose
 * provider is listed exactly (e.g. `cognito-identity.amazonaws.com`). Wildcards are not supported inside
 * principal names, as in IAM.
 */
import { actionApplies, compilePolicy, conditionsHold, type CompiledStatement } from './compile.js';
import { ContextView } from './context.js';
import type { PolicyDocument, PolicyPrincipal, TrustRequest } from './types.js';

export function trustAllows(trustPolicy: PolicyDocument, request: TrustRequest): boolean {
  const context = new ContextView(request.context);
  const action = request.action.toLowerCase();
  let allowed = false;
  for (const statement of compilePolicy(trustPolicy).statements) {
    if (allowed && statement.effect === 'Allow') continue;
    if (!applies(statement, request, action, context)) continue;
    if (statement.effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

function applies(statement: CompiledStatement, request: TrustRequest, lowerAction: string, context: ContextView): boolean {
  if (statement.principal === undefined) return false;
  const named = principalCovers(statement.principal, request);
  if (statement.notPrincipal ? named : !named) return false;
  return actionApplies(statement, lowerAction) && conditionsHold(statement, context);
}

function principalCovers(principal: PolicyPrincipal, request: TrustRequest): boolean {
  if (principal === '*') return true;
  if (principal.AWS?.includes('*')) return true;
  return request.principalFederated !== undefined && (principal.Federated?.includes(request.principalFederated) ?? false);
}
