import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../protocol/errors.js';
import { STANDARD_ATTRIBUTE_NAMES, standardAttributes } from './standard-attributes.js';

const MAX_CUSTOM_ATTRIBUTES = 50;

/**
 * The model leaves SchemaAttributeType's Name optional, but an attribute without one cannot be defined:
 * refused before anything reads it.
 */
function requireNames(attributes: SchemaAttributeType[]): void {
  if (attributes.some((a) => typeof a.Name !== 'string' || a.Name === '')) throw new InvalidParameterException('Every schema attribute needs a Name.');
}

/** `custom:name`, or `dev:custom:name` for developer-only attributes, as DescribeUserPool shows them. */
function customName(attribute: SchemaAttributeType): string {
  const base = attribute.Name!.replace(/^(dev:)?(custom:)?/, '');
  return attribute.DeveloperOnlyAttribute ? `dev:custom:${base}` : `custom:${base}`;
}

function customAttribute(attribute: SchemaAttributeType): SchemaAttributeType {
  if (attribute.Required) throw new InvalidParameterException('Required custom attributes are not supported currently.');
  const type = attribute.AttributeDataType ?? 'String';
  const out: SchemaAttributeType = {
    Name: customName(attribute),
    AttributeDataType: type,
    DeveloperOnlyAttribute: attribute.DeveloperOnlyAttribute ?? false,
    // Custom attributes are mutable unless the request says otherwise.
    Mutable: attribute.Mutable ?? true,
    Required: false,
  };
  if (type === 'String') out.StringAttributeConstraints = attribute.StringAttributeConstraints ?? {};
  if (type === 'Number') out.NumberAttributeConstraints = attribute.NumberAttributeConstraints ?? {};
  checkConstraints(out);
  return out;
}

function checkConstraints(attribute: SchemaAttributeType): void {
  const bounds = (min: string | undefined, max: string | undefined, what: string) => {
    for (const v of [min, max]) {
      if (v !== undefined && !/^-?\d+$/.test(v)) throw new InvalidParameterException(`${what} constraint ${v} of attribute ${attribute.Name} is not a number.`);
    }
    if (min !== undefined && max !== undefined && Number(min) > Number(max)) {
      throw new InvalidParameterException(`Invalid ${what} constraints for attribute ${attribute.Name}: minimum is greater than maximum.`);
    }
  };
  const s = attribute.StringAttributeConstraints;
  if (s) {
    bounds(s.MinLength, s.MaxLength, 'length');
    if (Number(s.MaxLength ?? 0) > 2048) throw new InvalidParameterException(`Maximum length of attribute ${attribute.Name} cannot exceed 2048.`);
  }
  const n = attribute.NumberAttributeConstraints;
  if (n) bounds(n.MinValue, n.MaxValue, 'value');
}

/** A standard attribute named in CreateUserPool's Schema may change its Required/Mutable flags and constraints. */
function adjustStandard(base: SchemaAttributeType, requested: SchemaAttributeType): SchemaAttributeType {
  if (requested.AttributeDataType && requested.AttributeDataType !== base.AttributeDataType) {
    throw new InvalidParameterException(`You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute ${base.Name}`);
  }
  if (requested.DeveloperOnlyAttribute) {
    throw new InvalidParameterException(`You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute ${base.Name}`);
  }
  if (base.Name === 'sub') {
    if (requested.Required === false || requested.Mutable === true) throw new InvalidParameterException('The sub attribute is always required and immutable.');
    return base;
  }
  const out = { ...base, Required: requested.Required ?? base.Required, Mutable: requested.Mutable ?? base.Mutable };
  if (requested.StringAttributeConstraints && base.StringAttributeConstraints) {
    out.StringAttributeConstraints = { ...base.StringAttributeConstraints, ...requested.StringAttributeConstraints };
  }
  if (requested.NumberAttributeConstraints && base.NumberAttributeConstraints) {
    out.NumberAttributeConstraints = { ...base.NumberAttributeConstraints, ...requested.NumberAttributeConstraints };
  }
  checkConstraints(out);
  return out;
}

function isStandard(attribute: SchemaAttributeType): boolean {
  return !attribute.DeveloperOnlyAttribute && STANDARD_ATTRIBUTE_NAMES.has(attribute.Name!);
}

/** The pool's schema from CreateUserPool's `Schema`: the standard attributes, adjusted, then the custom ones. */
export function buildSchema(requested: SchemaAttributeType[] = []): SchemaAttributeType[] {
  requireNames(requested);
  const seen = new Set<string>();
  for (const attribute of requested) {
    if (seen.has(attribute.Name!)) throw new InvalidParameterException(`Duplicate attribute name: ${attribute.Name}`);
    seen.add(attribute.Name!);
  }
  const standard = standardAttributes().map((base) => {
    const change = requested.find((a) => isStandard(a) && a.Name === base.Name);
    return change ? adjustStandard(base, change) : base;
  });
  return addCustomAttributes(standard, requested.filter((a) => !isStandard(a)));
}

/** The custom attributes of `requested` that `schema` does not have yet (for declared pools, applied again at every start). */
export function newCustomAttributes(schema: SchemaAttributeType[], requested: SchemaAttributeType[] = []): SchemaAttributeType[] {
  requireNames(requested);
  const known = new Set(schema.map((a) => a.Name));
  return requested.filter((a) => !isStandard(a) && !known.has(customName(a)));
}

/** AddCustomAttributes: new custom attributes only; existing names and standard names are refused. */
export function addCustomAttributes(schema: SchemaAttributeType[], added: SchemaAttributeType[]): SchemaAttributeType[] {
  requireNames(added);
  const out = [...schema];
  for (const requested of added) {
    const attribute = customAttribute(requested);
    const bare = attribute.Name!.replace(/^dev:/, '');
    if (out.some((a) => a.Name!.replace(/^dev:/, '') === bare)) {
      throw new InvalidParameterException(`Existing attribute already has name ${attribute.Name}.`);
    }
    out.push(attribute);
  }
  if (out.length - STANDARD_ATTRIBUTE_NAMES.size > MAX_CUSTOM_ATTRIBUTES) {
    throw new InvalidParameterException(`A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`);
  }
  return out;
}
