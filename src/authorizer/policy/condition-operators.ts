/**
 * The condition operator names IAM knows: a base operator, optionally suffixed `IfExists` (any but
 * `Null`) and optionally prefixed with the set qualifier `ForAnyValue:` or `ForAllValues:`.
 * Names are matched case-insensitively.
 */

export type OperatorFamily =
  | 'StringEquals'
  | 'StringEqualsIgnoreCase'
  | 'StringLike'
  | 'Arn'
  | 'Numeric'
  | 'Date'
  | 'Bool'
  | 'Binary'
  | 'IpAddress'
  | 'Null';

export type Comparison = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

export interface OperatorSpec {
  /** Canonical base name, e.g. `StringNotLike`. */
  readonly name: string;
  readonly family: OperatorFamily;
  /** Negated operators (`StringNotEquals`, `NotIpAddress`, …) match when no policy value matches. */
  readonly negated: boolean;
  /** For Numeric and Date. */
  readonly comparison: Comparison;
}

export type SetQualifier = 'ForAnyValue' | 'ForAllValues' | undefined;

export interface ParsedOperator {
  readonly spec: OperatorSpec;
  readonly qualifier: SetQualifier;
  readonly ifExists: boolean;
}

const op = (name: string, family: OperatorFamily, negated = false, comparison: Comparison = 'eq'): OperatorSpec => ({
  name,
  family,
  negated,
  comparison,
});

const OPERATORS: readonly OperatorSpec[] = [
  op('StringEquals', 'StringEquals'),
  op('StringNotEquals', 'StringEquals', true),
  op('StringEqualsIgnoreCase', 'StringEqualsIgnoreCase'),
  op('StringNotEqualsIgnoreCase', 'StringEqualsIgnoreCase', true),
  op('StringLike', 'StringLike'),
  op('StringNotLike', 'StringLike', true),
  // ArnEquals and ArnLike behave identically, as do ArnNotEquals and ArnNotLike.
  op('ArnEquals', 'Arn'),
  op('ArnLike', 'Arn'),
  op('ArnNotEquals', 'Arn', true),
  op('ArnNotLike', 'Arn', true),
  op('NumericEquals', 'Numeric'),
  op('NumericNotEquals', 'Numeric', true),
  op('NumericLessThan', 'Numeric', false, 'lt'),
  op('NumericLessThanEquals', 'Numeric', false, 'le'),
  op('NumericGreaterThan', 'Numeric', false, 'gt'),
  op('NumericGreaterThanEquals', 'Numeric', false, 'ge'),
  op('DateEquals', 'Date'),
  op('DateNotEquals', 'Date', true),
  op('DateLessThan', 'Date', false, 'lt'),
  op('DateLessThanEquals', 'Date', false, 'le'),
  op('DateGreaterThan', 'Date', false, 'gt'),
  op('DateGreaterThanEquals', 'Date', false, 'ge'),
  op('Bool', 'Bool'),
  op('BinaryEquals', 'Binary'),
  op('IpAddress', 'IpAddress'),
  op('NotIpAddress', 'IpAddress', true),
  op('Null', 'Null'),
];

const BY_LOWER_NAME = new Map(OPERATORS.map((spec) => [spec.name.toLowerCase(), spec]));

/** Families whose values may contain policy variables (IAM: String, ARN and Bool operators). */
export const VARIABLE_FAMILIES: ReadonlySet<OperatorFamily> = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'Arn', 'Bool']);

/** The operator an operator name denotes, or `undefined` for a name IAM does not know. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name.toLowerCase();
  let qualifier: SetQualifier;
  if (rest.startsWith('foranyvalue:')) {
    qualifier = 'ForAnyValue';
    rest = rest.slice('foranyvalue:'.length);
  } else if (rest.startsWith('forallvalues:')) {
    qualifier = 'ForAllValues';
    rest = rest.slice('forallvalues:'.length);
  }
  let ifExists = false;
  if (rest.endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const spec = BY_LOWER_NAME.get(rest);
  if (spec === undefined || (ifExists && spec.family === 'Null')) return undefined;
  return { spec, qualifier, ifExists };
}
