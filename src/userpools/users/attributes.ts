import type { AttributeType, SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException, NotAuthorizedException } from '../../protocol/errors.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';

/** Who is writing: an administrator may write any attribute; an app client only its WriteAttributes. */
export type Writer = { kind: 'admin' } | { kind: 'client'; writeAttributes?: string[] };

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+[0-9]{4,15}$/;

/** Only a code proves a contact: an app client sets the verified flags only if its WriteAttributes name them. */
const VERIFIED_FLAGS = ['email_verified', 'phone_number_verified'];

function clientMayWrite(writer: Extract<Writer, { kind: 'client' }>, name: string): boolean {
  if (writer.writeAttributes) return writer.writeAttributes.includes(name);
  return !VERIFIED_FLAGS.includes(name);
}

/** Cognito's answer (NotAuthorizedException, this message) to a client writing what it may not. */
function unauthorizedWrite(): NotAuthorizedException {
  return new NotAuthorizedException('A client attempted to write unauthorized attribute');
}

function schemaError(name: string, reason: string): InvalidParameterException {
  return new InvalidParameterException(`Attributes did not conform to the schema: ${name}: ${reason}`);
}

/** The pool's attributes by name, developer-only ones without their `dev:` prefix. */
export function schemaOf(pool: StoredUserPool): Map<string, SchemaAttributeType> {
  return new Map((pool.settings.userPool.SchemaAttributes ?? []).map((a) => [a.Name!.replace(/^dev:/, ''), a]));
}

function checkValue(attribute: SchemaAttributeType, name: string, value: string): void {
  switch (attribute.AttributeDataType) {
    case 'Boolean':
      if (value !== 'true' && value !== 'false') throw schemaError(name, 'Value must be true or false');
      return;
    case 'Number': {
      if (!/^-?\d+(\.\d+)?$/.test(value)) throw schemaError(name, 'Number must be a valid number');
      const { MinValue, MaxValue } = attribute.NumberAttributeConstraints ?? {};
      if (MinValue !== undefined && Number(value) < Number(MinValue)) throw schemaError(name, `Number must be no less than ${MinValue}`);
      if (MaxValue !== undefined && Number(value) > Number(MaxValue)) throw schemaError(name, `Number must be no greater than ${MaxValue}`);
      return;
    }
    case 'DateTime':
      if (Number.isNaN(Date.parse(value))) throw schemaError(name, 'Value must be a date');
      return;
    default: {
      const { MinLength, MaxLength } = attribute.StringAttributeConstraints ?? {};
      if (MinLength !== undefined && value.length < Number(MinLength)) throw schemaError(name, `String must be at least ${MinLength} characters`);
      if (MaxLength !== undefined && value.length > Number(MaxLength)) throw schemaError(name, `String must be no longer than ${MaxLength} characters`);
    }
  }
  if (name === 'email' && !EMAIL.test(value)) throw new InvalidParameterException('Invalid email address format.');
  if (name === 'phone_number' && !PHONE.test(value)) throw new InvalidParameterException('Invalid phone number format.');
}

/**
 * Checks attribute writes against the pool's schema and the writer's permissions, and returns the
 * attributes after the write. `creating` allows immutable attributes to get their first value.
 */
export function applyAttributeWrites(
  pool: StoredUserPool,
  current: Record<string, string>,
  writes: AttributeType[],
  writer: Writer,
  creating: boolean,
): Record<string, string> {
  const schema = schemaOf(pool);
  const out = { ...current };
  for (const { Name: name, Value: value = '' } of writes) {
    const attribute = schema.get(name!);
    if (!attribute) throw schemaError(name!, 'Attribute does not exist in the schema.');
    if (name === 'sub' || name === 'identities') throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${name}`);
    if (attribute.DeveloperOnlyAttribute && writer.kind === 'client') throw schemaError(name!, 'Attribute cannot be written by an app client.');
    if (writer.kind === 'client' && !clientMayWrite(writer, name!)) throw unauthorizedWrite();
    // An immutable attribute gets its value when the user is created ("can only be set up on sign-up or
    // administrator creation of users"): later it can be neither changed nor given a first value.
    // Writing the value it already has changes nothing and is let through.
    if (!creating && attribute.Mutable === false && current[name!] !== value) {
      throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${name}`);
    }
    if (value === '') {
      // An empty value deletes the attribute, which a required attribute may not be (as in applyAttributeDeletes).
      if (attribute.Required) throw schemaError(name!, `The attribute ${name} is required`);
      delete out[name!];
      continue;
    }
    checkValue(attribute, name!, value);
    out[name!] = value;
  }
  return out;
}

/** Required attributes (Schema `Required: true`) must have a value when a user is created. */
export function checkRequiredAttributes(pool: StoredUserPool, attributes: Record<string, string>): void {
  for (const attribute of pool.settings.userPool.SchemaAttributes ?? []) {
    if (attribute.Required && attribute.Name !== 'sub' && !attributes[attribute.Name!]) {
      throw schemaError(attribute.Name!, `The attribute ${attribute.Name} is required`);
    }
  }
}

/** Deleting attributes: required and immutable ones stay. */
export function applyAttributeDeletes(pool: StoredUserPool, current: Record<string, string>, names: string[], writer: Writer): Record<string, string> {
  const schema = schemaOf(pool);
  const out = { ...current };
  for (const name of names) {
    const attribute = schema.get(name);
    if (!attribute) throw schemaError(name, 'Attribute does not exist in the schema.');
    if (attribute.Required) throw schemaError(name, 'Required attributes cannot be deleted.');
    if (attribute.Mutable === false || name === 'sub') throw new InvalidParameterException(`Cannot modify the non-mutable attribute ${name}`);
    if (writer.kind === 'client' && !clientMayWrite(writer, name)) throw unauthorizedWrite();
    delete out[name];
    // A contact that is gone is no longer verified.
    if (name === 'email' || name === 'phone_number') delete out[`${name}_verified`];
  }
  return out;
}

export function toAttributeList(attributes: Record<string, string>, only?: string[]): AttributeType[] {
  const names = only ?? Object.keys(attributes);
  return names.filter((n) => attributes[n] !== undefined).map((Name) => ({ Name, Value: attributes[Name] }));
}
