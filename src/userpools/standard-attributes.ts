import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';

/**
 * The standard attributes every user pool has, in the order DescribeUserPool lists them
 * (OpenID Connect standard claims, plus `sub` and `identities`).
 */
const STRING_2048 = { MinLength: '0', MaxLength: '2048' };

function text(name: string, constraints = STRING_2048): SchemaAttributeType {
  return { Name: name, AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: true, Required: false, StringAttributeConstraints: constraints };
}

function flag(name: string): SchemaAttributeType {
  return { Name: name, AttributeDataType: 'Boolean', DeveloperOnlyAttribute: false, Mutable: true, Required: false };
}

export function standardAttributes(): SchemaAttributeType[] {
  return [
    { ...text('sub', { MinLength: '1', MaxLength: '2048' }), Mutable: false, Required: true },
    text('name'),
    text('given_name'),
    text('family_name'),
    text('middle_name'),
    text('nickname'),
    text('preferred_username'),
    text('profile'),
    text('picture'),
    text('website'),
    text('email'),
    flag('email_verified'),
    text('gender'),
    text('birthdate', { MinLength: '10', MaxLength: '10' }),
    text('zoneinfo'),
    text('locale'),
    text('phone_number'),
    flag('phone_number_verified'),
    text('address'),
    { Name: 'updated_at', AttributeDataType: 'Number', DeveloperOnlyAttribute: false, Mutable: true, Required: false, NumberAttributeConstraints: { MinValue: '0' } },
    { Name: 'identities', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: true, Required: false, StringAttributeConstraints: {} },
  ];
}

export const STANDARD_ATTRIBUTE_NAMES = new Set(standardAttributes().map((a) => a.Name!));
