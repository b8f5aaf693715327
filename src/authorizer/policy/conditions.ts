/**
 * Compiling and evaluating the `Condition` element.
 *
 * Semantics (IAM's):
 * - every operator block and every key in it must hold (AND); the values listed for one key are ORed —
 *   for a negated operator (`StringNotEquals`, `NotIpAddress`, …) that makes it "matches none of them";
 * - a key absent from the request: the condition is false, except that negated operators are then true,
 *   `…IfExists` is true, `ForAllValues:` is true and `ForAnyValue:` is false;
 * - a multi-valued key (an array in the context): `ForAnyValue:` holds when some request value satisfies
 *   the operator, `ForAllValues:` when every one does; without a qualifier a positive operator holds when
 *   any request value matches and a negated one when none does;
 * - a policy value whose variable has no value matches nothing (so positive operators are false on it and
 *   negated ones true, as IAM documents);
 * - an operator IAM does not know never holds (parsePolicy refuses it in the first place).
 */
import { BlockList, isIP } from 'node:net';
import { parseOperator, VARIABLE_FAMILIES, type OperatorSpec, type ParsedOperator } from './condition-operators.js';
import type { ContextView } from './context.js';
import { parseDate } from './dates.js';
import { compileArnGlob, globFromPattern, matchArn, matchGlob, type ArnGlob, type Glob, type PatternText } from './match.js';
import { parseTemplate, resolvePattern, resolveString, type Template } from './variables.js';

type Scalar = string | boolean | number;
/** Whether one request value matches at least one of the condition's policy values. */
type ValueTest = (value: Scalar) => boolean;

interface ValueMatcher {
  /** The test for this request (policy variables resolved against its context). */
  bind(context: ContextView): ValueTest;
}

export interface CompiledCondition {
  /** `undefined` for an operator IAM does not know: the condition never holds. */
  readonly operator: ParsedOperator | undefined;
  /** The condition key, lower-cased. */
  readonly key: string;
  /** The condition key as the policy spells it. */
  readonly spelling: string;
  readonly matcher: ValueMatcher;
  /** For `Null`: per policy value, whether it requires the key to be absent (`"true"`). */
  readonly nullExpectations: readonly boolean[];
}

const NEVER: ValueMatcher = { bind: () => () => false };

/** Compiles one operator/key/values triple; `error` says what is wrong with the values if anything. */
export function compileCondition(
  operatorName: string,
  key: string,
  values: readonly string[],
  variablesEnabled: boolean,
): { condition: CompiledCondition; error?: string } {
  const operator = parseOperator(operatorName);
  const lowerKey = key.toLowerCase();
  if (operator === undefined) {
    return {
      condition: { operator, key: lowerKey, spelling: key, matcher: NEVER, nullExpectations: [] },
      error: `unknown condition operator "${operatorName}"`,
    };
  }
  const useVariables = variablesEnabled && VARIABLE_FAMILIES.has(operator.spec.family);
  const templates = values.map((value) => parseTemplate(value, useVariables));
  const built = buildMatcher(operator.spec, values, templates);
  const nullExpectations = operator.spec.family === 'Null' ? values.map((value) => value.toLowerCase() === 'true') : [];
  return {
    condition: { operator, key: lowerKey, spelling: key, matcher: built.matcher ?? NEVER, nullExpectations },
    ...(built.error === undefined ? {} : { error: built.error }),
  };
}

function buildMatcher(spec: OperatorSpec, values: readonly string[], templates: readonly Template[]): { matcher?: ValueMatcher; error?: string } {
  switch (spec.family) {
    case 'StringEquals':
      return { matcher: stringEqualsMatcher(templates, false) };
    case 'StringEqualsIgnoreCase':
      return { matcher: stringEqualsMatcher(templates, true) };
    case 'StringLike':
      return { matcher: patternMatcher(templates, globFromPattern, (glob: Glob, value) => matchGlob(glob, value)) };
    case 'Arn':
      return { matcher: patternMatcher(templates, compileArnGlob, (arn: ArnGlob, value) => matchArn(arn, value)) };
    case 'Numeric':
      return numericMatcher(spec, values);
    case 'Date':
      return dateMatcher(spec, values);
    case 'Bool':
      return boolMatcher(values, templates);
    case 'Binary':
      return binaryMatcher(values);
    case 'IpAddress':
      return ipMatcher(values);
    case 'Null': {
      const bad = values.find((value) => !/^(true|false)$/i.test(value));
      return bad === undefined ? { matcher: NEVER } : { error: `Null takes "true" or "false", not "${bad}"` };
    }
  }
}

const scalarText = (value: Scalar): string => (typeof value === 'string' ? value : String(value));

function stringEqualsMatcher(templates: readonly Template[], ignoreCase: boolean): ValueMatcher {
  const fold = (text: string): string => (ignoreCase ? text.toLowerCase() : text);
  const toTest = (accepted: readonly string[]): ValueTest => {
    if (accepted.length === 1) {
      const only = accepted[0]!;
      return (value) => fold(scalarText(value)) === only;
    }
    const set = new Set(accepted);
    return (value) => set.has(fold(scalarText(value)));
  };
  if (!templates.some((t) => t.dynamic)) {
    const test = toTest(templates.map((t) => fold(resolveString(t, undefined)!)));
    return { bind: () => test };
  }
  return {
    bind(context) {
      const accepted: string[] = [];
      for (const template of templates) {
        const text = resolveString(template, context);
        if (text !== undefined) accepted.push(fold(text)); // a value without one matches nothing
      }
      return toTest(accepted);
    },
  };
}

function patternMatcher<P>(
  templates: readonly Template[],
  compile: (pattern: PatternText) => P,
  match: (pattern: P, value: string) => boolean,
): ValueMatcher {
  const toTest = (patterns: readonly P[]): ValueTest => (value) => {
    const text = scalarText(value);
    for (const pattern of patterns) if (match(pattern, text)) return true;
    return false;
  };
  if (!templates.some((t) => t.dynamic)) {
    const test = toTest(templates.map((t) => compile(resolvePattern(t, undefined, true)!)));
    return { bind: () => test };
  }
  return {
    bind(context) {
      const patterns: P[] = [];
      for (const template of templates) {
        const pattern = resolvePattern(template, context, true);
        if (pattern !== undefined) patterns.push(compile(pattern));
      }
      return toTest(patterns);
    },
  };
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function parseNumber(value: Scalar): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (!DECIMAL.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

function compare(comparison: OperatorSpec['comparison'], actual: number, expected: number): boolean {
  switch (comparison) {
    case 'eq':
      return actual === expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
  }
}

function orderedMatcher(
  spec: OperatorSpec,
  values: readonly string[],
  parse: (value: Scalar) => number | undefined,
  what: string,
): { matcher?: ValueMatcher; error?: string } {
  const expected: number[] = [];
  for (const value of values) {
    const parsed = parse(value);
    if (parsed === undefined) return { error: `${spec.name} takes ${what}, not "${value}"` };
    expected.push(parsed);
  }
  const test: ValueTest = (value) => {
    const actual = parse(value);
    if (actual === undefined) return false;
    for (const e of expected) if (compare(spec.comparison, actual, e)) return true;
    return false;
  };
  return { matcher: { bind: () => test } };
}

function numericMatcher(spec: OperatorSpec, values: readonly string[]): { matcher?: ValueMatcher; error?: string } {
  return orderedMatcher(spec, values, parseNumber, 'numbers');
}

function dateMatcher(spec: OperatorSpec, values: readonly string[]): { matcher?: ValueMatcher; error?: string } {
  const parse = (value: Scalar): number | undefined => (typeof value === 'boolean' ? undefined : parseDate(value));
  return orderedMatcher(spec, values, parse, 'ISO 8601 dates or epoch seconds');
}

function boolMatcher(values: readonly string[], templates: readonly Template[]): { matcher?: ValueMatcher; error?: string } {
  // A value with a policy variable can only be checked once the variable has a value.
  const bad = values.findIndex((value, i) => !templates[i]!.dynamic && !/^(true|false)$/i.test(value));
  if (bad >= 0) return { error: `Bool takes "true" or "false", not "${values[bad]}"` };
  return { matcher: stringEqualsMatcher(templates, true) };
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function binaryMatcher(values: readonly string[]): { matcher?: ValueMatcher; error?: string } {
  const bad = values.find((value) => !BASE64.test(value));
  if (bad !== undefined) return { error: `BinaryEquals takes base64 values, not "${bad}"` };
  const expected = values.map((value) => Buffer.from(value, 'base64'));
  // The request value is the base64 text of the bytes, as the policy value is.
  const test: ValueTest = (value) => {
    if (typeof value !== 'string' || !BASE64.test(value)) return false;
    const actual = Buffer.from(value, 'base64');
    return expected.some((bytes) => bytes.equals(actual));
  };
  return { matcher: { bind: () => test } };
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** An address or CIDR block (an address alone is /32 for IPv4, /128 for IPv6). */
export function parseCidr(value: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = value.indexOf('/');
  const address = (slash < 0 ? value : value.slice(0, slash)).trim();
  const version = isIP(address);
  if (version === 0) return undefined;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (slash < 0) return { address, prefix: max, family };
  const prefixText = value.slice(slash + 1).trim();
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { address, prefix: Number(prefixText), family };
}

function ipMatcher(values: readonly string[]): { matcher?: ValueMatcher; error?: string } {
  const ranges = new BlockList();
  for (const value of values) {
    const cidr = parseCidr(value);
    if (cidr === undefined) return { error: `IpAddress takes IPv4 or IPv6 addresses or CIDR blocks, not "${value}"` };
    ranges.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  const test: ValueTest = (value) => {
    if (typeof value !== 'string') return false;
    const address = value.trim();
    const version = isIP(address);
    if (version === 0) return false;
    if (version === 6) {
      const mapped = IPV4_MAPPED.exec(address); // how Node reports IPv4 peers on dual-stack sockets
      if (mapped && ranges.check(mapped[1]!, 'ipv4')) return true;
    }
    return ranges.check(address, version === 4 ? 'ipv4' : 'ipv6');
  };
  return { matcher: { bind: () => test } };
}

/** Whether the condition holds for the request. */
export function conditionHolds(condition: CompiledCondition, context: ContextView): boolean {
  const { operator } = condition;
  if (operator === undefined) return false;
  const raw = context.get(condition.key, condition.spelling);
  if (operator.spec.family === 'Null') {
    const absent = raw === undefined;
    return condition.nullExpectations.some((expectAbsent) => expectAbsent === absent);
  }
  const { negated } = operator.spec;
  if (raw === undefined) {
    if (operator.ifExists || operator.qualifier === 'ForAllValues') return true;
    if (operator.qualifier === 'ForAnyValue') return false;
    return negated;
  }
  const test = condition.matcher.bind(context);
  if (!Array.isArray(raw)) {
    const matched = test(raw as Scalar);
    return negated ? !matched : matched;
  }
  const values = raw as readonly string[];
  switch (operator.qualifier) {
    case 'ForAllValues':
      return values.every((value) => test(value) !== negated);
    case 'ForAnyValue':
      return values.some((value) => test(value) !== negated);
    default: {
      const matched = values.some(test);
      return negated ? !matched : matched;
    }
  }
}
