/**
 * Validating and normalising an IAM policy document (identity policies and role trust policies).
 * Anything IAM would answer `MalformedPolicyDocument` to throws `MalformedPolicyDocumentError` naming the
 * element at fault; what comes back is normalised (lists are arrays, condition values strings) and frozen.
 */
import { attachCompiled } from './compile.js';
import { compileCondition } from './conditions.js';
import { MalformedPolicyDocumentError } from './errors.js';
import type { PolicyCondition, PolicyDocument, PolicyPrincipal, PolicyStatement, PolicyVersion } from './types.js';

export interface ParsePolicyOptions {
  /**
   * `identity`: a permissions policy — no Principal/NotPrincipal, a Resource or NotResource required.
   * `trust`: a role trust policy — Principal or NotPrincipal required, no Resource/NotResource.
   * `any` (default): only the rules common to both.
   */
  readonly kind?: 'identity' | 'trust' | 'any';
}

const VERSIONS: readonly PolicyVersion[] = ['2012-10-17', '2008-10-17'];
const DOCUMENT_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const PRINCIPAL_KINDS = new Set(['AWS', 'Federated', 'Service', 'CanonicalUser']);

type Json = unknown;

const fail = (message: string, path?: string): never => {
  throw new MalformedPolicyDocumentError(message, path);
};

const isObject = (value: Json): value is Record<string, Json> => typeof value === 'object' && value !== null && !Array.isArray(value);

const describe = (value: Json): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value.length > 60 ? `${value.slice(0, 60)}…` : value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
};

/** Parsed texts by kind and text; bounded, should policies ever be many. */
const parsedTexts = new Map<string, PolicyDocument>();
const PARSED_TEXTS_LIMIT = 512;

/**
 * parsePolicy for a stored policy text read on every request (a role's trust policy on every
 * GetCredentialsForIdentity): a parsed document is deep-frozen, so one parse serves every later reader of
 * the same text. Parsing and compiling it each time was about a tenth of the operation's CPU.
 */
export function parseStoredPolicy(text: string, options: ParsePolicyOptions = {}): PolicyDocument {
  const key = `${options.kind ?? 'any'}\n${text}`;
  let document = parsedTexts.get(key);
  if (!document) {
    document = parsePolicy(text, options);
    if (parsedTexts.size >= PARSED_TEXTS_LIMIT) parsedTexts.delete(parsedTexts.keys().next().value!);
    parsedTexts.set(key, document);
  }
  return document;
}

export function parsePolicy(json: string | object, options: ParsePolicyOptions = {}): PolicyDocument {
  const kind = options.kind ?? 'any';
  let document: Json = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json);
    } catch (error) {
      fail(`The policy document is not valid JSON (${(error as Error).message})`);
    }
  }
  if (!isObject(document)) return fail(`The policy document must be a JSON object, not ${describe(document)}`);
  for (const element of Object.keys(document)) {
    if (!DOCUMENT_ELEMENTS.has(element)) fail(`Unknown element "${element}" (a policy has Version, Id and Statement)`);
  }

  let version: PolicyVersion = '2008-10-17'; // IAM's default when Version is missing
  if (document.Version !== undefined) {
    if (!VERSIONS.includes(document.Version as PolicyVersion)) {
      fail(`Version must be "2012-10-17" or "2008-10-17", not ${describe(document.Version)}`, 'Version');
    }
    version = document.Version as PolicyVersion;
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') fail(`Id must be a string, not ${describe(document.Id)}`, 'Id');

  const rawStatements = document.Statement;
  if (rawStatements === undefined) fail('The policy has no Statement');
  const list = Array.isArray(rawStatements) ? rawStatements : [rawStatements];
  if (list.length === 0) fail('Statement must not be empty', 'Statement');

  const sids = new Set<string>();
  const statements = list.map((raw, index) => {
    const path = Array.isArray(rawStatements) ? `Statement[${index}]` : 'Statement';
    const statement = parseStatement(raw, path, version, kind);
    if (statement.Sid) {
      if (sids.has(statement.Sid)) fail(`Statement IDs (Sid) must be unique in a policy; "${statement.Sid}" repeats`, `${path}.Sid`);
      sids.add(statement.Sid);
    }
    return statement;
  });

  const result: PolicyDocument = {
    Version: version,
    ...(typeof document.Id === 'string' ? { Id: document.Id } : {}),
    Statement: statements,
  };
  attachCompiled(result);
  return deepFreeze(result);
}

function parseStatement(raw: Json, path: string, version: PolicyVersion, kind: 'identity' | 'trust' | 'any'): PolicyStatement {
  if (!isObject(raw)) return fail(`A statement must be a JSON object, not ${describe(raw)}`, path);
  for (const element of Object.keys(raw)) {
    if (!STATEMENT_ELEMENTS.has(element)) fail(`Unknown element "${element}"`, path);
  }
  const exclusive = (a: string, b: string): void => {
    if (raw[a] !== undefined && raw[b] !== undefined) fail(`A statement cannot have both ${a} and ${b}`, path);
  };
  exclusive('Action', 'NotAction');
  exclusive('Resource', 'NotResource');
  exclusive('Principal', 'NotPrincipal');

  const statement: {
    -readonly [K in keyof PolicyStatement]: PolicyStatement[K];
  } = { Effect: 'Allow' };

  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== 'string') fail(`Sid must be a string, not ${describe(raw.Sid)}`, `${path}.Sid`);
    if (!/^[A-Za-z0-9]*$/.test(raw.Sid as string)) fail(`Statement IDs (Sid) must be alphanumeric, not ${describe(raw.Sid)}`, `${path}.Sid`);
    statement.Sid = raw.Sid as string;
  }

  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') {
    fail(raw.Effect === undefined ? 'The statement has no Effect' : `Effect must be "Allow" or "Deny", not ${describe(raw.Effect)}`, `${path}.Effect`);
  }
  statement.Effect = raw.Effect as 'Allow' | 'Deny';

  const actionElement = raw.Action !== undefined ? 'Action' : raw.NotAction !== undefined ? 'NotAction' : undefined;
  if (actionElement === undefined) fail('The statement has no Action or NotAction', path);
  statement[actionElement!] = stringList(raw[actionElement!], `${path}.${actionElement}`).map((action, i) => {
    if (action !== '*' && !/^[^:\s]+:[^:\s]+$/.test(action)) {
      fail(`Action must be "*" or "service:action" (e.g. "s3:GetObject"), not ${describe(action)}`, `${path}.${actionElement}[${i}]`);
    }
    return action;
  });

  const principalElement = raw.Principal !== undefined ? 'Principal' : raw.NotPrincipal !== undefined ? 'NotPrincipal' : undefined;
  if (principalElement !== undefined) {
    if (kind === 'identity') fail(`A permissions policy statement cannot have ${principalElement}`, path);
    statement[principalElement] = parsePrincipal(raw[principalElement], `${path}.${principalElement}`);
  } else if (kind === 'trust') {
    fail('A trust policy statement needs a Principal or NotPrincipal', path);
  }

  const resourceElement = raw.Resource !== undefined ? 'Resource' : raw.NotResource !== undefined ? 'NotResource' : undefined;
  if (resourceElement !== undefined) {
    if (kind === 'trust') fail(`A trust policy statement cannot have ${resourceElement}`, path);
    statement[resourceElement] = stringList(raw[resourceElement], `${path}.${resourceElement}`).map((resource, i) => {
      if (resource !== '*' && !(resource.startsWith('arn:') && resource.split(':').length >= 6)) {
        fail(`Resource must be "*" or an ARN, not ${describe(resource)}`, `${path}.${resourceElement}[${i}]`);
      }
      return resource;
    });
  } else if (kind === 'identity') {
    fail('The statement has no Resource or NotResource', path);
  }

  if (raw.Condition !== undefined) statement.Condition = parseCondition(raw.Condition, `${path}.Condition`, version);
  return statement;
}

function stringList(value: Json, path: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) fail('The list must not be empty', path);
  return list.map((item, i) => {
    if (typeof item !== 'string' || item === '') fail(`Expected a non-empty string, not ${describe(item)}`, Array.isArray(value) ? `${path}[${i}]` : path);
    return item as string;
  });
}

function parsePrincipal(value: Json, path: string): PolicyPrincipal {
  if (value === '*') return '*';
  if (!isObject(value)) return fail(`Principal must be "*" or an object such as {"Federated": "cognito-identity.amazonaws.com"}, not ${describe(value)}`, path);
  const keys = Object.keys(value);
  if (keys.length === 0) fail('Principal must name at least one principal', path);
  const principal: Record<string, string[]> = {};
  for (const key of keys) {
    if (!PRINCIPAL_KINDS.has(key)) fail(`Unknown principal type "${key}" (AWS, Federated, Service or CanonicalUser)`, path);
    principal[key] = stringList(value[key], `${path}.${key}`);
  }
  return principal;
}

function parseCondition(value: Json, path: string, version: PolicyVersion): PolicyCondition {
  if (!isObject(value)) return fail(`Condition must be an object of operators, not ${describe(value)}`, path);
  const condition: [string, Record<string, string[]>][] = [];
  for (const [operator, block] of Object.entries(value)) {
    const blockPath = `${path}.${operator}`;
    if (!isObject(block)) fail(`A condition operator takes an object of condition keys, not ${describe(block)}`, blockPath);
    const keys: [string, string[]][] = [];
    for (const [key, rawValues] of Object.entries(block as Record<string, Json>)) {
      const keyPath = `${blockPath}.${key}`;
      if (key === '') fail('Condition keys must not be empty', blockPath);
      const list = Array.isArray(rawValues) ? rawValues : [rawValues];
      if (list.length === 0) fail('A condition key needs at least one value', keyPath);
      const values = list.map((item, i) => {
        if (typeof item === 'string') return item;
        if (typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item))) return String(item);
        return fail(`Condition values must be strings, numbers or booleans, not ${describe(item)}`, Array.isArray(rawValues) ? `${keyPath}[${i}]` : keyPath);
      });
      const { error } = compileCondition(operator, key, values, version === '2012-10-17');
      if (error !== undefined) fail(error, error.startsWith('unknown condition operator') ? blockPath : keyPath);
      keys.push([key, values]);
    }
    condition.push([operator, Object.fromEntries(keys)]);
  }
  return Object.fromEntries(condition);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
