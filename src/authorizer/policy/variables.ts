/**
 * Policy variables (`${aws:username}`, `${cognito-identity.amazonaws.com:sub}`, `${aws:PrincipalTag/team}`,
 * any other context key, with an optional default: `${aws:PrincipalTag/team, 'company-wide'}`) and the
 * escapes `${*}`, `${?}` and `${$}` for a literal `*`, `?` and `$`. They are recognised only in policies of
 * Version 2012-10-17; in 2008-10-17 ones the text stays literal, as IAM does.
 *
 * A substituted value is always literal: a context value containing `*` does not become a wildcard.
 * A variable whose key has no value (absent, or multi-valued) and no default leaves the whole string
 * without a value, which then matches nothing (the caller decides what that means for its element).
 */
import type { ContextView } from './context.js';
import { wildcardOffsets, type PatternText } from './match.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string; /** Offsets of `*` and `?` in `text`. */ readonly wild: readonly number[] }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'variable'; readonly key: string; readonly spelling: string; readonly fallback: string | undefined };

export interface Template {
  readonly parts: readonly TemplatePart[];
  /** Whether any part depends on the request context. */
  readonly dynamic: boolean;
}

/** Splits `raw` into text, escapes and variables. Malformed `${…` sequences stay literal text. */
export function parseTemplate(raw: string, variablesEnabled: boolean): Template {
  if (!variablesEnabled || !raw.includes('${')) return { parts: [textPart(raw)], dynamic: false };
  const parts: TemplatePart[] = [];
  let text = '';
  let dynamic = false;
  let i = 0;
  while (i < raw.length) {
    const open = raw.indexOf('${', i);
    if (open < 0) {
      text += raw.slice(i);
      break;
    }
    text += raw.slice(i, open);
    const parsed = parseVariable(raw, open + 2);
    if (parsed === undefined) {
      text += '${';
      i = open + 2;
      continue;
    }
    if (text) parts.push(textPart(text));
    text = '';
    parts.push(parsed.part);
    if (parsed.part.kind === 'variable') dynamic = true;
    i = parsed.end;
  }
  if (text) parts.push(textPart(text));
  return { parts, dynamic };
}

const textPart = (text: string): TemplatePart => ({ kind: 'text', text, wild: wildcardOffsets(text) });

/** Parses `key}` or `key, 'default'}` starting at `start` (just after `${`). */
function parseVariable(raw: string, start: number): { part: TemplatePart; end: number } | undefined {
  const close = raw.indexOf('}', start);
  if (close < 0) return undefined;
  const comma = raw.indexOf(',', start);
  if (comma < 0 || comma > close) {
    const key = raw.slice(start, close).trim();
    if (key === '') return undefined;
    if (key === '*' || key === '?' || key === '$') return { part: { kind: 'literal', text: key }, end: close + 1 };
    return { part: { kind: 'variable', key: key.toLowerCase(), spelling: key, fallback: undefined }, end: close + 1 };
  }
  // `${key, 'default'}`: the default is quoted and may itself contain `}` or `,`.
  const key = raw.slice(start, comma).trim();
  if (key === '') return undefined;
  let j = comma + 1;
  while (raw[j] === ' ') j++;
  if (raw[j] !== "'") return undefined;
  const quoteEnd = raw.indexOf("'", j + 1);
  if (quoteEnd < 0) return undefined;
  const fallback = raw.slice(j + 1, quoteEnd);
  let k = quoteEnd + 1;
  while (raw[k] === ' ') k++;
  if (raw[k] !== '}') return undefined;
  return { part: { kind: 'variable', key: key.toLowerCase(), spelling: key, fallback }, end: k + 1 };
}

/** The value of a variable part, or `undefined` when it has none. */
function variableValue(part: { key: string; spelling: string; fallback: string | undefined }, context: ContextView | undefined): string | undefined {
  return context?.variable(part.key, part.spelling) ?? part.fallback;
}

/** The template as a plain string (for exact comparisons), or `undefined` when a variable has no value. */
export function resolveString(template: Template, context: ContextView | undefined): string | undefined {
  const { parts } = template;
  if (parts.length === 1 && parts[0]!.kind !== 'variable') return parts[0]!.text;
  let out = '';
  for (const part of parts) {
    if (part.kind === 'variable') {
      const value = variableValue(part, context);
      if (value === undefined) return undefined;
      out += value;
    } else {
      out += part.text;
    }
  }
  return out;
}

/**
 * The template as a glob pattern (see match.ts): `*` and `?` in the policy's own text are wildcards when
 * `wildcards` is set; escapes and substituted values are literal. `undefined` when a variable has no value.
 */
export function resolvePattern(template: Template, context: ContextView | undefined, wildcards: boolean): PatternText | undefined {
  const { parts } = template;
  if (parts.length === 1 && parts[0]!.kind === 'text') return { text: parts[0]!.text, wild: wildcards ? parts[0]!.wild : [] };
  let text = '';
  const wild: number[] = [];
  for (const part of parts) {
    if (part.kind === 'text') {
      if (wildcards) for (const offset of part.wild) wild.push(text.length + offset);
      text += part.text;
    } else {
      const value = part.kind === 'literal' ? part.text : variableValue(part, context);
      if (value === undefined) return undefined;
      text += value;
    }
  }
  return { text, wild };
}
