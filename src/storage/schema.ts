/**
 * The tables, as Kysely sees them. JSON documents are kept as text so the same SQL runs on SQLite,
 * PostgreSQL, CockroachDB and YugabyteDB; times are milliseconds since the epoch.
 */
export interface UserPoolsTable {
  pool_id: string;
  region: string;
  name: string;
  /** The pool's settings as a JSON document (see user-pools-repository.ts). */
  settings: string;
  /** Bumped by every write, for optimistic concurrency. */
  version: number;
  created_at: number;
  updated_at: number;
}

export interface UserPoolClientsTable {
  pool_id: string;
  client_id: string;
  name: string;
  /** The client secret, encrypted with the secrets key; null for public clients. */
  secret: string | null;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
}

/** Installation-wide values (e.g. the generated development secrets key). */
export interface GatehouseMetaTable {
  key: string;
  value: string;
}

export interface Database {
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
  gatehouse_meta: GatehouseMetaTable;
}

/** Every table keyed by pool, children first: deleting a pool deletes its rows from each. */
export const POOL_SCOPED_TABLES = ['user_pool_clients', 'user_pools'] as const;
