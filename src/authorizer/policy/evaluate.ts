/**
 * IAM's decision for identity-based policies: an explicit Deny in any applicable statement wins;
 * otherwise an applicable Allow allows; otherwise the request is implicitly denied.
 *
 * A statement applies when its Action/NotAction covers the action, its Resource/NotResource covers the
 * resource and all of its conditions hold. Statements that name a Principal/NotPrincipal belong to
 * resource or trust policies and never apply here (the request carries no principal to match them).
 */
import { actionApplies, compilePolicy, conditionsHold, resourceApplies, type CompiledStatement } from './compile.js';
import { ContextView } from './context.js';
import type { AuthorizationRequest, EvaluationResult, PolicyDocument } from './types.js';

export function evaluate(policies: readonly PolicyDocument[], request: AuthorizationRequest): EvaluationResult {
  const context = new ContextView(request.context);
  const action = request.action.toLowerCase();
  let allowedBy: { policyIndex: number; sid?: string } | undefined;
  for (let policyIndex = 0; policyIndex < policies.length; policyIndex++) {
    for (const statement of compilePolicy(policies[policyIndex]!).statements) {
      if (allowedBy !== undefined && statement.effect === 'Allow') continue; // only a Deny can still change the answer
      if (!applies(statement, action, request.resource, context)) continue;
      const decidedBy = statement.sid === undefined ? { policyIndex } : { policyIndex, sid: statement.sid };
      if (statement.effect === 'Deny') return { decision: 'Deny', statement: decidedBy };
      allowedBy = decidedBy;
    }
  }
  return allowedBy === undefined ? { decision: 'ImplicitDeny' } : { decision: 'Allow', statement: allowedBy };
}

function applies(statement: CompiledStatement, lowerAction: string, resource: string, context: ContextView): boolean {
  return (
    statement.principal === undefined &&
    actionApplies(statement, lowerAction) &&
    resourceApplies(statement, resource, context) &&
    conditionsHold(statement, context)
  );
}
