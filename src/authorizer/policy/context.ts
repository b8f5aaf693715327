import type { ContextValue, RequestContext } from './types.js';

/**
 * Case-insensitive access to a request context (condition key names are case-insensitive in IAM).
 * The lower-cased index is built on first use and only once per evaluation.
 */
export class ContextView {
  private index: Map<string, ContextValue> | undefined;

  constructor(private readonly raw: RequestContext) {}

  /**
   * The value of a key, given lower-cased and (optionally) as the policy spells it; `undefined` when
   * absent, null or an empty list. The spelling is tried first, as the context usually uses the same
   * one, which saves building the lower-cased index.
   */
  get(lowerKey: string, spelling?: string): string | readonly string[] | boolean | number | undefined {
    if (spelling !== undefined && Object.hasOwn(this.raw, spelling)) {
      const exact = this.raw[spelling];
      if (exact !== undefined && exact !== null) return Array.isArray(exact) && exact.length === 0 ? undefined : exact;
    }
    if (this.index === undefined) {
      this.index = new Map();
      for (const [key, value] of Object.entries(this.raw)) {
        const lower = key.toLowerCase();
        if (!this.index.has(lower) || this.index.get(lower) === undefined) this.index.set(lower, value);
      }
    }
    const value = this.index.get(lowerKey);
    if (value === null || value === undefined) return undefined;
    if (Array.isArray(value) && value.length === 0) return undefined;
    return value;
  }

  /**
   * The value of a single-valued key as a policy variable substitutes it, or `undefined` when the key
   * has no value. Multi-valued keys (arrays) cannot be policy variables in IAM, so they have none.
   */
  variable(lowerKey: string, spelling?: string): string | undefined {
    const value = this.get(lowerKey, spelling);
    if (value === undefined || typeof value === 'object') return undefined;
    return String(value);
  }
}
