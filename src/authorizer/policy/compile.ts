/**
 * Turning a PolicyDocument into matchers once. Compiled forms are cached per document object (documents
 * from parsePolicy are frozen, so the cache cannot go stale). A hand-built document is compiled the same
 * way; an unknown condition operator in it makes its statement never apply.
 */
import { compileCondition, conditionHolds, type CompiledCondition } from './conditions.js';
import type { ContextView } from './context.js';
import { compileGlob, globFromPattern, matchGlob, type Glob } from './match.js';
import type { PolicyDocument, PolicyPrincipal, PolicyStatement } from './types.js';
import { parseTemplate, resolvePattern, type Template } from './variables.js';

/** A Resource/NotResource entry: precompiled when it has no variables, else resolved per request. */
type ResourcePattern = { readonly glob: Glob; readonly template?: undefined } | { readonly glob?: undefined; readonly template: Template };

export interface CompiledStatement {
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Action or NotAction patterns, lower-cased (actions match case-insensitively). */
  readonly actions: readonly Glob[];
  readonly notAction: boolean;
  /** `undefined` when the statement has neither Resource nor NotResource (a trust-policy statement). */
  readonly resources: readonly ResourcePattern[] | undefined;
  readonly notResource: boolean;
  readonly principal: PolicyPrincipal | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
}

export interface CompiledPolicy {
  readonly statements: readonly CompiledStatement[];
}

/** Where parsePolicy keeps a document's compiled form (a non-enumerable property, set before freezing). */
const COMPILED = Symbol('compiled policy');
/** The compiled forms of documents that did not come from parsePolicy. */
const cache = new WeakMap<PolicyDocument, CompiledPolicy>();

/** Compiles `document` and attaches the result to it; for parsePolicy, before it freezes the document. */
export function attachCompiled(document: PolicyDocument): void {
  Object.defineProperty(document, COMPILED, { value: compile(document) });
}

export function compilePolicy(document: PolicyDocument): CompiledPolicy {
  const attached = (document as { [COMPILED]?: CompiledPolicy })[COMPILED];
  if (attached !== undefined) return attached;
  let compiled = cache.get(document);
  if (compiled === undefined) {
    compiled = compile(document);
    cache.set(document, compiled);
  }
  return compiled;
}

function compile(document: PolicyDocument): CompiledPolicy {
  const variables = document.Version === '2012-10-17';
  const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement as unknown as PolicyStatement];
  return { statements: statements.map((statement) => compileStatement(statement, variables)) };
}

function compileStatement(statement: PolicyStatement, variables: boolean): CompiledStatement {
  const actionList = statement.Action ?? statement.NotAction ?? [];
  const resourceList = statement.Resource ?? statement.NotResource;
  const conditions: CompiledCondition[] = [];
  for (const [operator, block] of Object.entries(statement.Condition ?? {})) {
    for (const [key, values] of Object.entries(block)) {
      conditions.push(compileCondition(operator, key, values, variables).condition);
    }
  }
  return {
    sid: statement.Sid,
    effect: statement.Effect,
    actions: actionList.map((action) => compileGlob(action.toLowerCase())),
    notAction: statement.Action === undefined && statement.NotAction !== undefined,
    resources: resourceList?.map((resource): ResourcePattern => {
      const template = parseTemplate(resource, variables);
      return template.dynamic ? { template } : { glob: globFromPattern(resolvePattern(template, undefined, true)!) };
    }),
    notResource: statement.Resource === undefined && statement.NotResource !== undefined,
    principal: statement.Principal ?? statement.NotPrincipal,
    notPrincipal: statement.Principal === undefined && statement.NotPrincipal !== undefined,
    conditions,
  };
}

/** Whether the statement's Action/NotAction covers `lowerAction`. */
export function actionApplies(statement: CompiledStatement, lowerAction: string): boolean {
  let matched = false;
  for (const glob of statement.actions) {
    if (matchGlob(glob, lowerAction)) {
      matched = true;
      break;
    }
  }
  return statement.notAction ? !matched : matched;
}

/**
 * Whether the statement's Resource/NotResource covers `resource`. An entry whose policy variable has no
 * value matches no resource (IAM), for NotResource as for Resource — except that an Allow whose
 * NotResource cannot be resolved applies to nothing: "everything but <unknown>" must not grant everything.
 * A Deny keeps applying (failing safe).
 */
export function resourceApplies(statement: CompiledStatement, resource: string, context: ContextView): boolean {
  const { resources } = statement;
  if (resources === undefined) return false;
  let matched = false;
  for (const pattern of resources) {
    let glob: Glob;
    if (pattern.template === undefined) {
      glob = pattern.glob;
    } else {
      const resolved = resolvePattern(pattern.template, context, true);
      if (resolved === undefined) {
        if (statement.notResource && statement.effect === 'Allow') return false;
        continue;
      }
      glob = globFromPattern(resolved);
    }
    if (matchGlob(glob, resource)) {
      matched = true;
      break;
    }
  }
  return statement.notResource ? !matched : matched;
}

export function conditionsHold(statement: CompiledStatement, context: ContextView): boolean {
  for (const condition of statement.conditions) if (!conditionHolds(condition, context)) return false;
  return true;
}
