/**
 * Glob matching for IAM patterns: `*` matches any run of characters (including none), `?` exactly one,
 * everything else only itself. No regular expressions are involved, so `.`, `+`, `(`, `\` … are literal
 * and a hostile pattern cannot cause catastrophic backtracking (worst case O(pattern × subject)).
 * Characters are compared by code point, so `?` matches one emoji, not half of one.
 */

/** A pattern element: a literal UTF-16 code unit (≥ 0), or one of the wildcards. */
export const STAR = -1;
export const ANY = -2;

/** A compiled pattern: `exact` when it has no wildcard (plain string comparison), else `codes`. */
export type Glob = { readonly exact: string; readonly codes?: undefined } | { readonly exact?: undefined; readonly codes: readonly number[] };

/** Appends `text` to `codes`, with `*` and `?` as wildcards when `wildcards` is set. */
export function pushPatternText(codes: number[], text: string, wildcards: boolean): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (wildcards && c === 42 /* * */) {
      if (codes[codes.length - 1] !== STAR) codes.push(STAR); // `**` is `*`
    } else if (wildcards && c === 63 /* ? */) codes.push(ANY);
    else codes.push(c);
  }
}

/** Appends `text` to `codes` with every character literal (variable values, `${*}`-style escapes). */
export function pushLiteral(codes: number[], text: string): void {
  for (let i = 0; i < text.length; i++) codes.push(text.charCodeAt(i));
}

export function globFromCodes(codes: readonly number[]): Glob {
  for (const c of codes) if (c < 0) return { codes };
  return { exact: codesToString(codes) };
}

/** The text of wildcard-free pattern codes. */
export function codesToString(codes: readonly number[]): string {
  let text = '';
  for (let i = 0; i < codes.length; i += 4096) text += String.fromCharCode(...codes.slice(i, i + 4096));
  return text;
}

/** A pattern written with `*` and `?` wildcards. */
export function compileGlob(pattern: string): Glob {
  const codes: number[] = [];
  pushPatternText(codes, pattern, true);
  return globFromCodes(codes);
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Width in code units of the character starting at `i` (2 for a surrogate pair). */
function widthAt(s: string, i: number, end: number): number {
  return isHighSurrogate(s.charCodeAt(i)) && i + 1 < end && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
}

/** Whether `subject.slice(from, to)` as a whole matches the pattern codes. */
export function matchCodes(p: readonly number[], subject: string, from = 0, to = subject.length): boolean {
  const m = p.length;
  let pi = 0;
  let si = from;
  let starP = -1; // pattern index of the last `*` seen
  let starS = 0; // subject index that `*` is currently extended to
  while (si < to) {
    const pc = pi < m ? p[pi]! : -3;
    if (pc === ANY) {
      pi++;
      si += widthAt(subject, si, to);
    } else if (pc === STAR) {
      starP = pi++;
      starS = si;
    } else if (pc >= 0 && pc === subject.charCodeAt(si)) {
      pi++;
      si++;
    } else if (starP >= 0) {
      // Let the last `*` swallow one more character and retry from just after it.
      starS += widthAt(subject, starS, to);
      pi = starP + 1;
      si = starS;
    } else {
      return false;
    }
  }
  while (pi < m && p[pi] === STAR) pi++;
  return pi === m;
}

export function matchGlob(glob: Glob, subject: string, from = 0, to = subject.length): boolean {
  if (glob.exact === undefined) return matchCodes(glob.codes, subject, from, to);
  return from === 0 && to === subject.length ? glob.exact === subject : glob.exact === subject.slice(from, to);
}

/**
 * An ARN pattern as ArnEquals/ArnLike use it: the six colon-delimited components
 * (`arn:partition:service:region:account:resource`, the last one keeping any further colons), each
 * matched separately so that a `*` in one component cannot swallow a colon. `undefined` when the
 * pattern has fewer than six components (it then matches nothing).
 */
export type ArnGlob = readonly Glob[] | undefined;

export function compileArnGlob(codes: readonly number[]): ArnGlob {
  const parts: Glob[] = [];
  let start = 0;
  for (let component = 0; component < 5; component++) {
    const end = codes.indexOf(58 /* : */, start);
    if (end < 0) return undefined;
    parts.push(globFromCodes(codes.slice(start, end)));
    start = end + 1;
  }
  parts.push(globFromCodes(codes.slice(start)));
  return parts;
}

export function matchArn(pattern: ArnGlob, subject: string): boolean {
  if (pattern === undefined) return false;
  let start = 0;
  for (let component = 0; component < 5; component++) {
    const end = subject.indexOf(':', start);
    if (end < 0 || !matchGlob(pattern[component]!, subject, start, end)) return false;
    start = end + 1;
  }
  return matchGlob(pattern[5]!, subject, start, subject.length);
}
