import type { ServiceModel, Shape } from './service-model.js';
import { InvalidParameterException, SerializationException } from './errors.js';

/**
 * Checks a request body against the service model the way AWS's front end does, and answers as it does:
 * a wrong JSON type is a SerializationException; constraint violations (required, length, pattern, enum,
 * range, list size) are collected into one InvalidParameterException
 * "N validation errors detected: Value 'x' at 'path' failed to satisfy constraint: Member must …".
 * Members the model does not know are dropped, and JSON nulls are treated as absent, so handlers get
 * input that matches the SDK's request type.
 */
export function validateInput<T = Record<string, unknown>>(model: ServiceModel, shapeName: string | undefined, body: unknown): T {
  if (!shapeName) return {} as T;
  const violations: string[] = [];
  const clean = checkValue(model, model.shapes[shapeName], body, '', violations) as Record<string, unknown>;
  if (violations.length > 0) {
    const count = violations.length === 1 ? '1 validation error detected' : `${violations.length} validation errors detected`;
    throw new InvalidParameterException(`${count}: ${violations.join('; ')}`);
  }
  return (clean ?? {}) as T;
}

/** AWS's words for one constraint a member fails, where a handler finds it rather than the model. */
export function oneValidationError(path: string, constraint: string): string {
  return `1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`;
}

const patternCache = new Map<string, RegExp | null>();

/** The models carry Java regular expressions that must match the whole value. */
function compilePattern(pattern: string): RegExp | null {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    regex = null;
    for (const flags of ['su', 's']) {
      try {
        regex = new RegExp(`^(?:${pattern})$`, flags);
        break;
      } catch {
        // Some Java escapes are not valid in Unicode mode; try without it.
      }
    }
    patternCache.set(pattern, regex);
  }
  return regex;
}

/** AWS names members in messages the way its Java front end does: lower camel case, dotted, 1-based lists. */
function memberSegment(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function childPath(parent: string, segment: string): string {
  return parent ? `${parent}.${segment}` : segment;
}

function show(value: unknown, shape: Shape): string {
  if (shape.sensitive) return 'Value at';
  if (typeof value === 'string') return `Value '${value}' at`;
  if (Array.isArray(value)) return `Value '[${value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(', ')}]' at`;
  if (typeof value === 'object' && value !== null) return `Value '${JSON.stringify(value)}' at`;
  return `Value '${String(value)}' at`;
}

function typeMismatch(path: string, expected: string): never {
  throw new SerializationException(`Expected ${expected} for member '${path || 'request'}'`);
}

function fail(violations: string[], value: unknown, shape: Shape, path: string, constraint: string): void {
  violations.push(`${show(value, shape)} '${path}' failed to satisfy constraint: ${constraint}`);
}

/** The model's min and max on a list's, a map's or a string's length. */
function checkLength(violations: string[], value: unknown, length: number, shape: Shape, path: string): void {
  if (shape.min !== undefined && length < shape.min) fail(violations, value, shape, path, `Member must have length greater than or equal to ${shape.min}`);
  if (shape.max !== undefined && length > shape.max) fail(violations, value, shape, path, `Member must have length less than or equal to ${shape.max}`);
}

/** A structure's member as the check walks it: its shape, and its name as a path segment. */
interface MemberCheck {
  name: string;
  shape: Shape;
  segment: string;
}

/**
 * Each structure's members, resolved once per shape: every request walks its input shape, and resolving
 * names and path segments again was a third of the check's time (GetCredentialsForIdentity, 4.5 µs).
 */
const memberChecks = new WeakMap<Shape, MemberCheck[]>();

function membersOf(model: ServiceModel, shape: Shape): MemberCheck[] {
  let members = memberChecks.get(shape);
  if (!members) {
    members = Object.entries(shape.members ?? {}).map(([name, ref]) => ({ name, shape: model.shapes[ref.shape], segment: memberSegment(name) }));
    memberChecks.set(shape, members);
  }
  return members;
}

function checkValue(model: ServiceModel, shape: Shape, value: unknown, path: string, violations: string[]): unknown {
  switch (shape.type) {
    case 'structure': {
      if (shape.document) return value;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) typeMismatch(path, 'an object');
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const name of shape.required ?? []) {
        if (input[name] === undefined || input[name] === null) {
          violations.push(`Value null at '${childPath(path, memberSegment(name))}' failed to satisfy constraint: Member must not be null`);
        }
      }
      for (const member of membersOf(model, shape)) {
        const item = input[member.name];
        if (item === undefined || item === null) continue;
        out[member.name] = checkValue(model, member.shape, item, childPath(path, member.segment), violations);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) typeMismatch(path, 'a list');
      checkLength(violations, value, value.length, shape, path);
      const memberShape = model.shapes[shape.member!.shape];
      return value.map((item, i) => checkValue(model, memberShape, item, `${path}.${i + 1}.member`, violations));
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) typeMismatch(path, 'a map');
      const entries = Object.entries(value as Record<string, unknown>);
      checkLength(violations, value, entries.length, shape, path);
      const keyShape = model.shapes[shape.key!.shape];
      const valueShape = model.shapes[shape.value!.shape];
      const out: Record<string, unknown> = {};
      for (const [key, item] of entries) {
        checkValue(model, keyShape, key, `${path}.key`, violations);
        if (item === null || item === undefined) continue;
        const checked = checkValue(model, valueShape, item, `${path}.${key}.value`, violations);
        // Define, not assign: `out['__proto__'] = v` would set the prototype and lose a legal key.
        if (key === '__proto__') Object.defineProperty(out, key, { value: checked, enumerable: true, writable: true, configurable: true });
        else out[key] = checked;
      }
      return out;
    }
    case 'string': {
      if (typeof value !== 'string') typeMismatch(path, 'a string');
      checkLength(violations, value, value.length, shape, path);
      if (shape.enum && !shape.enum.includes(value)) fail(violations, value, shape, path, `Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      // No text a person writes has one, and PostgreSQL's text and jsonb cannot store it: refused on both stores alike.
      if (value.includes('\u0000')) fail(violations, value, shape, path, 'Member must not contain the NUL character');
      // An empty value is checked against the pattern too, as AWS does: '' for a username is refused for
      // its length and its pattern, two violations.
      if (shape.pattern) {
        const regex = compilePattern(shape.pattern);
        if (regex && !regex.test(value)) fail(violations, value, shape, path, `Member must satisfy regular expression pattern: ${shape.pattern}`);
      }
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number' || !Number.isInteger(value)) typeMismatch(path, 'an integer');
      // The model's integer is 32 bits and its long 64, as in AWS's Java front end (and PostgreSQL's columns).
      const bits = shape.type === 'integer' ? 31 : 63;
      if (value < -(2 ** bits) || value >= 2 ** bits) throw new SerializationException(`${value} is out of range for member '${path}' (a ${bits + 1}-bit integer)`);
      if (shape.min !== undefined && value < shape.min) fail(violations, value, shape, path, `Member must have value greater than or equal to ${shape.min}`);
      if (shape.max !== undefined && value > shape.max) fail(violations, value, shape, path, `Member must have value less than or equal to ${shape.max}`);
      return value;
    }
    case 'double':
    case 'float':
      if (typeof value !== 'number') typeMismatch(path, 'a number');
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') typeMismatch(path, 'a boolean');
      return value;
    case 'timestamp':
      if (typeof value !== 'number') typeMismatch(path, 'a timestamp in epoch seconds');
      return new Date(value * 1000);
    case 'blob':
      if (typeof value !== 'string') typeMismatch(path, 'a base64 string');
      return Buffer.from(value, 'base64');
  }
  return value;
}
