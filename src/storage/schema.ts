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

export interface UsersTable {
  pool_id: string;
  username_key: string;
  username: string;
  sub: string;
  status: string;
  enabled: number;
  /** `{name: value}` of every attribute, as JSON. */
  attributes: string;
  credentials: string | null;
  email: string | null;
  phone_number: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  preferred_username: string | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface UserAliasesTable {
  pool_id: string;
  kind: string;
  value: string;
  username_key: string;
}

export interface UserGroupsTable {
  pool_id: string;
  group_name: string;
  description: string | null;
  role_arn: string | null;
  precedence: number | null;
  created_at: number;
  updated_at: number;
}

export interface GroupMembersTable {
  pool_id: string;
  group_name: string;
  username_key: string;
}

export interface UserCodesTable {
  pool_id: string;
  username_key: string;
  purpose: string;
  code_hash: string;
  attempts: number;
  expires_at: number;
  created_at: number;
}

export interface DevMessagesTable {
  pool_id: string;
  message_id: string;
  medium: string;
  recipient: string;
  subject: string | null;
  body: string;
  created_at: number;
}

export interface Database {
  user_codes: UserCodesTable;
  dev_messages: DevMessagesTable;
  users: UsersTable;
  user_aliases: UserAliasesTable;
  user_groups: UserGroupsTable;
  group_members: GroupMembersTable;
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
  gatehouse_meta: GatehouseMetaTable;
}

/** Every table keyed by pool, children first: deleting a pool deletes its rows from each. */
export const POOL_SCOPED_TABLES = ['dev_messages', 'user_codes', 'group_members', 'user_groups', 'user_aliases', 'users', 'user_pool_clients', 'user_pools'] as const;
