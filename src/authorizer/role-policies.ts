/**
 * A role's inline policies, as the IAM authorizer evaluates them: loaded from wherever the caller keeps
 * roles (Gatehouse's roles repository, or any function), parsed once, and cached for a short while
 * (30 s by default), so a policy change reaches running authorizers within that time.
 */
import { parsePolicy, type PolicyDocument } from './policy/index.js';

/** A policy as a source may give it: JSON text, a document object, or a stored row `{ document }`. */
export type PolicyInput = string | object | { readonly document: string };

/** What a loader answers for a role name: its policies, optionally its role id; undefined when there is no such role. */
export type RolePoliciesAnswer = readonly PolicyInput[] | { readonly roleId?: string; readonly policies: readonly PolicyInput[] } | undefined;

/**
 * Where roles live: a function, or an object shaped like Gatehouse's RolesRepository (`policies(name)`,
 * and `get(name)` to learn whether the role still exists and its id).
 */
export type RolePolicySource =
  | ((roleName: string) => Promise<RolePoliciesAnswer> | RolePoliciesAnswer)
  | {
      policies(roleName: string): Promise<readonly PolicyInput[]>;
      get?(roleName: string): Promise<{ readonly roleId: string } | undefined>;
    };

export interface LoadedRole {
  /** Known when the source tells it: a session of an older role of the same name is refused. */
  roleId?: string;
  policies: readonly PolicyDocument[];
}

function toDocument(input: PolicyInput): PolicyDocument {
  if (typeof input === 'string') return parsePolicy(input, { kind: 'identity' });
  const row = input as { document?: unknown; Statement?: unknown };
  if (typeof row.document === 'string' && row.Statement === undefined) return parsePolicy(row.document, { kind: 'identity' });
  return parsePolicy(input, { kind: 'identity' });
}

async function fetchRole(source: RolePolicySource, roleName: string): Promise<LoadedRole | null> {
  if (typeof source === 'function') {
    const answer = await source(roleName);
    if (answer === undefined) return null;
    if (Array.isArray(answer)) return { policies: answer.map(toDocument) };
    const { roleId, policies } = answer as { roleId?: string; policies: readonly PolicyInput[] };
    return { ...(roleId !== undefined && { roleId }), policies: policies.map(toDocument) };
  }
  const [role, policies] = await Promise.all([source.get ? source.get(roleName) : Promise.resolve(undefined), source.policies(roleName)]);
  if (source.get && role === undefined) return null;
  return { ...(role && { roleId: role.roleId }), policies: policies.map(toDocument) };
}

interface Entry {
  role: LoadedRole | null;
  loadedAt: number;
}

export class RolePolicyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<LoadedRole | null>>();

  constructor(
    private readonly source: RolePolicySource,
    private readonly ttlMs = 30_000,
    /** Real time: the cache ages by the wall clock even when decisions use an injected one. */
    private readonly clock: () => number = Date.now,
    private readonly maxRoles = 10_000,
  ) {}

  /** The role if cached and fresh (null: known not to exist); undefined when it must be loaded. */
  peek(roleName: string): LoadedRole | null | undefined {
    const entry = this.entries.get(roleName);
    return entry && this.clock() - entry.loadedAt < this.ttlMs ? entry.role : undefined;
  }

  /** The role, from the cache or the source (one load at a time per role). */
  async get(roleName: string): Promise<LoadedRole | null> {
    const cached = this.peek(roleName);
    if (cached !== undefined) return cached;
    let pending = this.loading.get(roleName);
    if (pending === undefined) {
      pending = fetchRole(this.source, roleName).then(
        (role) => {
          this.loading.delete(roleName);
          if (this.entries.size >= this.maxRoles) this.entries.delete(this.entries.keys().next().value!);
          this.entries.set(roleName, { role, loadedAt: this.clock() });
          return role;
        },
        (error: unknown) => {
          this.loading.delete(roleName);
          throw error;
        },
      );
      this.loading.set(roleName, pending);
    }
    return pending;
  }

  /** Forget one role, or all. */
  invalidate(roleName?: string): void {
    if (roleName === undefined) this.entries.clear();
    else this.entries.delete(roleName);
  }
}
