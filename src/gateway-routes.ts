/**
 * The gateway's route table: path prefix → how requests under it are authorized. Read from a YAML or
 * JSON file:
 *
 *   routes:
 *     /bucket/*:                      # longest prefix wins; `/x`, `/x/` and `/x/*` all mean /x and below
 *       authorizer: iam
 *       actions: s3                   # S3 path-style mapping; or { action, resource } with ${method} ${path} ${rest}
 *     /api/reports/*:
 *       authorizer: userPool
 *       issuer: http://127.0.0.1:8420/us-east-1_AbCdEf123
 *       clientIds: [1example23456789]
 *       requiredScopes: [reports/read]
 *     /health:
 *       authorizer: none              # forwarded without credentials
 *
 * Paths that match no route are refused (404).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { contradictionIn } from './authorizer/user-pool-authorizer.js';

const iamRoute = z
  .object({
    authorizer: z.literal('iam'),
    actions: z.union([z.literal('s3'), z.object({ action: z.string().min(1), resource: z.string().min(1) }).strict()]),
    /** Signing names accepted in the credential scope; default `s3` for the s3 mapping, any otherwise. */
    services: z.array(z.string().min(1)).optional(),
    errorFormat: z.enum(['json', 's3']).optional(),
    upstream: z.string().url().optional(),
  })
  .strict();

const userPoolRoute = z
  .object({
    authorizer: z.literal('userPool'),
    issuer: z.string().url(),
    jwksUri: z.string().url().optional(),
    clientIds: z.array(z.string().min(1)).optional(),
    tokenUse: z.enum(['id', 'access']).optional(),
    requiredScopes: z.array(z.string().min(1)).optional(),
    scopeMatch: z.enum(['all', 'any']).optional(),
    errorFormat: z.enum(['json', 's3']).optional(),
    upstream: z.string().url().optional(),
  })
  .strict()
  .superRefine((route, ctx) => {
    const contradiction = contradictionIn(route);
    if (contradiction) ctx.addIssue({ code: 'custom', message: contradiction, path: ['requiredScopes'] });
  });

const openRoute = z.object({ authorizer: z.literal('none'), upstream: z.string().url().optional() }).strict();

export const routeSchema = z.discriminatedUnion('authorizer', [iamRoute, userPoolRoute, openRoute]);
export const routeTableSchema = z.object({ upstream: z.string().url().optional(), routes: z.record(z.string().regex(/^\//, 'a route is a path starting with /'), routeSchema) }).strict();

export type RouteSpec = z.infer<typeof routeSchema>;
export type RouteTableInput = z.input<typeof routeTableSchema>;
export type RouteTable = z.infer<typeof routeTableSchema>;

export class RouteTableError extends Error {}

export function parseRouteTable(input: unknown, source = 'the route table'): RouteTable {
  const result = routeTableSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    throw new RouteTableError(`${source} is not valid:\n  ${issues.join('\n  ')}`);
  }
  return result.data;
}

export function loadRouteTable(file: string): RouteTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RouteTableError(`cannot read routes file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new RouteTableError(`routes file ${file} is not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  return parseRouteTable(parsed, `routes file ${file}`);
}

/** `/bucket/*`, `/bucket/` and `/bucket` → `/bucket`; `/` and `/*` → `` (everything). */
export function routeBase(prefix: string): string {
  return prefix.replace(/\*$/, '').replace(/\/+$/, '');
}

export interface MatchedRoute<T> {
  base: string;
  value: T;
}

/** Routes by base, longest first: the first whose base is the path or a parent of it wins. */
export function routeMatcher<T>(routes: readonly (readonly [string, T])[]): (path: string) => MatchedRoute<T> | undefined {
  const sorted = routes.map(([prefix, value]) => ({ base: routeBase(prefix), value })).sort((a, b) => b.base.length - a.base.length);
  return (path) => sorted.find(({ base }) => base === '' || path === base || path.startsWith(`${base}/`));
}
