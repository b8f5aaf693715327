/**
 * Glob matching for IAM patterns: `*` matches any run of characters (including none), `?` exactly one,
 * everything else only itself. No regular expressions are involved, so `.`, `+`, `(`, `\` … are literal
 * and a hostile pattern cannot cause catastrophic backtracking (worst case O(pattern × subject)).
 * Characters are compared by code point, so `?` matches one emoji, not half of one.
 */

/** A pattern's text and the positions in it that are wildcards (a `*` or `?` there is literal otherwise). */
export interface PatternText {
  readonly text: string;
  /** Ascending offsets into `text` of the `*` and `?` characters that act as wildcards. */
  readonly wild: readonly number[];
}

/** Pattern codes for the part between the first and last wildcard: code units (≥ 0) or wildcards. */
const STAR = -1;
const ANY = -2;

/**
 * A compiled pattern: `exact` when it has no wildcard; otherwise the literal text before the first
 * wildcard, after the last one, and the codes in between (checked only when the ends fit).
 */
export type Glob =
  | { readonly exact: string }
  | {
      readonly exact?: undefined;
      readonly prefix: string;
      readonly suffix: string;
      readonly middle: readonly number[];
      /** The middle is a lone `*`: prefix and suffix fitting is a match. */
      readonly starOnly: boolean;
    };

/** Offsets of `*` and `?` in `text`. */
export function wildcardOffsets(text: string): number[] {
  const offsets: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 42 /* * */ || c === 63 /* ? */) offsets.push(i);
  }
  return offsets;
}

export function globFromPattern({ text, wild }: PatternText): Glob {
  if (wild.length === 0) return { exact: text };
  const first = wild[0]!;
  const last = wild[wild.length - 1]!;
  const middle: number[] = [];
  let w = 0;
  for (let i = first; i <= last; i++) {
    if (wild[w] === i) {
      w++;
      if (text.charCodeAt(i) === 63 /* ? */) middle.push(ANY);
      else if (middle[middle.length - 1] !== STAR) middle.push(STAR); // `**` is `*`
    } else {
      middle.push(text.charCodeAt(i));
    }
  }
  return { prefix: text.slice(0, first), suffix: text.slice(last + 1), middle, starOnly: middle.length === 1 && middle[0] === STAR };
}

/** A pattern written with `*` and `?` wildcards. */
export function compileGlob(pattern: string): Glob {
  return globFromPattern({ text: pattern, wild: wildcardOffsets(pattern) });
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Width in code units of the character starting at `i` (2 for a surrogate pair). */
function widthAt(s: string, i: number, end: number): number {
  return isHighSurrogate(s.charCodeAt(i)) && i + 1 < end && isLowSurrogate(s.charCodeAt(i + 1)) ? 2 : 1;
}

/** Whether `subject.slice(from, to)` as a whole matches the pattern codes. */
function matchCodes(p: readonly number[], subject: string, from: number, to: number): boolean {
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
      if (pi === m - 1) return true; // a trailing `*` takes whatever is left
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

/** Whether `subject.slice(from, to)` matches the glob. */
export function matchGlob(glob: Glob, subject: string, from = 0, to = subject.length): boolean {
  if (glob.exact !== undefined) {
    return to - from === glob.exact.length && (from === 0 && to === subject.length ? glob.exact === subject : subject.startsWith(glob.exact, from));
  }
  const { prefix, suffix } = glob;
  if (to - from < prefix.length + suffix.length) return false;
  if (prefix.length > 0 && !subject.startsWith(prefix, from)) return false;
  if (suffix.length > 0 && !subject.endsWith(suffix, to)) return false;
  return glob.starOnly || matchCodes(glob.middle, subject, from + prefix.length, to - suffix.length);
}

/**
 * An ARN pattern as ArnEquals/ArnLike use it: the six colon-delimited components
 * (`arn:partition:service:region:account:resource`, the last one keeping any further colons), each
 * matched separately so that a `*` in one component cannot swallow a colon. `undefined` when the
 * pattern has fewer than six components (it then matches nothing).
 */
export type ArnGlob = readonly Glob[] | undefined;

export function compileArnGlob({ text, wild }: PatternText): ArnGlob {
  const parts: Glob[] = [];
  let start = 0;
  let w = 0;
  const piece = (end: number): Glob => {
    const offsets: number[] = [];
    while (w < wild.length && wild[w]! < end) offsets.push(wild[w++]! - start);
    return globFromPattern({ text: text.slice(start, end), wild: offsets });
  };
  for (let component = 0; component < 5; component++) {
    const end = text.indexOf(':', start);
    if (end < 0) return undefined;
    parts.push(piece(end));
    start = end + 1;
  }
  parts.push(piece(text.length));
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
