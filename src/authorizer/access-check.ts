import type { RequestContext } from './policy/index.js';
import type { AuthorizerRequest } from './decision.js';

/** One thing a request does, as IAM sees it: an action on a resource, plus request-specific condition keys. */
export interface AccessCheck {
  /** `service:Action`, e.g. `s3:PutObject`. */
  action: string;
  /** The ARN acted on, e.g. `arn:aws:s3:::bucket/key`. */
  resource: string;
  /** Extra condition keys (`s3:prefix`, …). */
  context?: RequestContext;
}

/**
 * What a request does: one check, several (all must be allowed, e.g. CopyObject reads one object and
 * writes another), or undefined when the request maps to no known action (refused).
 */
export type ActionResolver = (request: AuthorizerRequest) => AccessCheck | readonly AccessCheck[] | undefined;

/** The request path without its query, percent-decoded; undefined when the encoding is broken. */
export function decodedPath(url: string): string | undefined {
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** The query's parameters by name (first value wins), percent-decoded. */
export function queryParams(url: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  const q = url.indexOf('?');
  if (q < 0) return params;
  try {
    for (const part of url.slice(q + 1).split('&')) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      if (!params.has(name)) params.set(name, eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1)));
    }
  } catch {
    return undefined;
  }
  return params;
}

export interface TemplateOptions {
  /** e.g. `execute-api:Invoke`, or `${method}`-dependent such as `orders:${method}`. */
  action: string;
  /** e.g. `arn:aws:execute-api:us-east-1:000000000000:orders/${method}${path}`. */
  resource: string;
  /** The route's path prefix: `${rest}` is the path after it. */
  prefix?: string;
}

/**
 * A fixed action and resource for every request of a route, with `${method}`, `${path}` (decoded, with
 * its leading slash) and `${rest}` (the path after the route prefix) filled in. Any other `${…}` is
 * left as written.
 */
export function templateActions(options: TemplateOptions): ActionResolver {
  const prefix = options.prefix ?? '';
  const fill = (template: string, method: string, path: string) =>
    template.replace(/\$\{(method|path|rest)\}/g, (_, name: string) =>
      name === 'method' ? method : name === 'path' ? path : path.startsWith(prefix) ? path.slice(prefix.length) : path,
    );
  return (request) => {
    const path = decodedPath(request.url);
    if (path === undefined) return undefined;
    return { action: fill(options.action, request.method, path), resource: fill(options.resource, request.method, path) };
  };
}
