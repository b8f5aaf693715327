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
  /** Users in the pool, moved by user inserts and deletes (EstimatedNumberOfUsers). */
  user_count: number;
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
  failed_sign_ins: number;
  locked_until: number | null;
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
  payload: string | null;
  attempts: number;
  expires_at: number;
  created_at: number;
}

/** Each user's MFA factors and TOTP authenticator (migration 0010); secrets sealed with the secrets key. */
export interface UserMfaTable {
  pool_id: string;
  username_key: string;
  sms_enabled: number;
  sms_preferred: number;
  totp_enabled: number;
  totp_preferred: number;
  email_enabled: number;
  email_preferred: number;
  totp_secret: string | null;
  totp_pending_secret: string | null;
  totp_device_name: string | null;
  totp_last_step: number | null;
  updated_at: number;
}

/** Each user's confirmed devices (migration 0012): the device SRP verifier and the remembered status. */
export interface DevicesTable {
  pool_id: string;
  username_key: string;
  device_key: string;
  device_group_key: string;
  salt: string;
  verifier: string;
  name: string | null;
  remembered: number;
  created_at: number;
  updated_at: number;
  last_authenticated_at: number | null;
  last_ip_used: string | null;
}

/** Each user's passkeys (migration 0014): the public key and counter sign-ins are verified against. */
export interface WebauthnCredentialsTable {
  pool_id: string;
  credential_id: string;
  username_key: string;
  public_key: string;
  sign_count: number;
  relying_party_id: string;
  friendly_name: string | null;
  attachment: string | null;
  transports: string;
  created_at: number;
}

export interface TermsTable {
  pool_id: string;
  terms_id: string;
  client_id: string;
  terms_name: string;
  terms_source: string;
  enforcement: string;
  links: string;
  created_at: number;
  updated_at: number;
}

/** A user import job (migration 0018); `file` is the uploaded CSV. */
export interface UserImportJobsTable {
  pool_id: string;
  job_id: string;
  job_name: string;
  cloudwatch_logs_role_arn: string;
  status: string;
  created_at: number;
  upload_expires_at: number;
  started_at: number | null;
  completed_at: number | null;
  imported_users: number;
  skipped_users: number;
  failed_users: number;
  completion_message: string | null;
  file: string | null;
  file_bytes: number | null;
  /** Epoch ms until which the running process vouches for a Pending, InProgress or Stopping job (migration 0022). */
  lease_expires_at: number | null;
}

/** A pool's external identity providers (migration 0016); `details`, `attribute_mapping`, `idp_identifiers` are JSON. */
export interface IdentityProvidersTable {
  pool_id: string;
  provider_name: string;
  provider_type: string;
  details: string;
  attribute_mapping: string;
  idp_identifiers: string;
  created_at: number;
  updated_at: number;
}

/** Each identifier of a pool's providers, once per pool (migration 0016). */
export interface IdentityProviderIdentifiersTable {
  pool_id: string;
  identifier: string;
  provider_name: string;
}

/** A user pool's SAML signing key (sealed) and certificate (migration 0020). */
export interface SamlSigningCertificatesTable {
  pool_id: string;
  private_key: string;
  certificate: string;
  created_at: number;
}

/** An IdP-initiated SAML assertion a pool accepted, kept until it could not be accepted anyway (migration 0019). */
export interface SamlAssertionsUsedTable {
  pool_id: string;
  provider_name: string;
  assertion_id: string;
  expires_at: number;
}

/** A value kept for a browser's round trip through a SAML IdP, under a random id (migration 0023); `sealed` is encrypted. */
export interface BrowserContinuationsTable {
  pool_id: string;
  id_hash: string;
  sealed: string;
  expires_at: number;
}

/** An external provider's user linked to a user of the pool (migration 0017). */
export interface IdentityLinksTable {
  pool_id: string;
  provider_name: string;
  attribute_name: string;
  attribute_value: string;
  username_key: string;
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

export interface SigningKeysTable {
  pool_id: string;
  kid: string;
  private_key: string;
  public_key: string;
  created_at: number;
  retired_at: number | null;
}

export interface RefreshTokensTable {
  pool_id: string;
  token_hash: string;
  client_id: string;
  username_key: string;
  origin_jti: string;
  device_key: string | null;
  auth_time: number;
  created_at: number;
  expires_at: number;
  usable_until: number | null;
  revoked_at: number | null;
  /** The OAuth scopes of the sign-in, space-separated; null for API sign-ins (migration 0008). */
  scopes: string | null;
}

export interface AuthSessionsTable {
  pool_id: string;
  session_hash: string;
  client_id: string;
  username_key: string;
  challenge: string;
  state: string;
  expires_at: number;
}

/** OAuth authorization codes (migration 0008), stored as keyed hashes, single use, five minutes. */
export interface OAuthCodesTable {
  pool_id: string;
  code_hash: string;
  client_id: string;
  username_key: string;
  redirect_uri: string;
  scopes: string;
  code_challenge: string | null;
  nonce: string | null;
  origin_jti: string;
  auth_time: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  replayed_at: number | null;
}

/** Hosted-UI sign-in sessions (migration 0008): the session cookie names one by its keyed hash. */
export interface HostedUiSessionsTable {
  pool_id: string;
  session_hash: string;
  username_key: string;
  sub: string;
  auth_time: number;
  created_at: number;
  expires_at: number;
  /** JSON of a SAML sign-in's provider, NameID and SessionIndex (migration 0021); null otherwise. */
  saml_sign_in: string | null;
}

export interface IdentityPoolsTable {
  pool_id: string;
  region: string;
  name: string;
  settings: string;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface IdentitiesTable {
  pool_id: string;
  identity_id: string;
  created_at: number;
  updated_at: number;
}

export interface IdentityLoginsTable {
  pool_id: string;
  provider: string;
  subject: string;
  identity_id: string;
  created_at: number;
}

export interface IamRolesTable {
  role_name: string;
  role_id: string;
  path: string;
  description: string | null;
  assume_role_policy: string;
  max_session_duration: number;
  created_at: number;
}

export interface IamOidcProvidersTable {
  /** The provider's URL without its scheme: host and path, as its ARN names it. */
  provider_key: string;
  url: string;
  /** JSON arrays. */
  client_ids: string;
  thumbprints: string;
  created_at: number;
}

export interface IamRolePoliciesTable {
  role_name: string;
  policy_name: string;
  document: string;
}

export interface UserPoolDomainsTable {
  /** A prefix (`myapp`) or a custom domain (`auth.example.com`), unique in the installation. */
  domain: string;
  pool_id: string;
  kind: 'prefix' | 'custom';
  certificate_arn: string | null;
  managed_login_version: number;
  created_at: number;
  updated_at: number;
}

export interface ResourceServersTable {
  pool_id: string;
  identifier: string;
  name: string;
  /** `[{ScopeName, ScopeDescription}]` as JSON. */
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface UiCustomizationsTable {
  pool_id: string;
  /** An app client id, or 'ALL' for the pool's own. */
  client_id: string;
  css: string | null;
  /** The logo image, base64. */
  image: string | null;
  created_at: number;
  updated_at: number;
}

export interface Database {
  iam_roles: IamRolesTable;
  iam_role_policies: IamRolePoliciesTable;
  iam_oidc_providers: IamOidcProvidersTable;
  identity_pools: IdentityPoolsTable;
  identities: IdentitiesTable;
  identity_logins: IdentityLoginsTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  oauth_codes: OAuthCodesTable;
  hosted_ui_sessions: HostedUiSessionsTable;
  auth_sessions: AuthSessionsTable;
  user_codes: UserCodesTable;
  user_mfa: UserMfaTable;
  devices: DevicesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  terms: TermsTable;
  user_import_jobs: UserImportJobsTable;
  identity_providers: IdentityProvidersTable;
  identity_provider_identifiers: IdentityProviderIdentifiersTable;
  identity_links: IdentityLinksTable;
  saml_assertions_used: SamlAssertionsUsedTable;
  browser_continuations: BrowserContinuationsTable;
  saml_signing_certificates: SamlSigningCertificatesTable;
  dev_messages: DevMessagesTable;
  users: UsersTable;
  user_aliases: UserAliasesTable;
  user_groups: UserGroupsTable;
  group_members: GroupMembersTable;
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
  user_pool_domains: UserPoolDomainsTable;
  resource_servers: ResourceServersTable;
  ui_customizations: UiCustomizationsTable;
  gatehouse_meta: GatehouseMetaTable;
}

/** Every table keyed by user pool, children first: deleting a pool deletes its rows from each. */
export const USER_POOL_TABLES = [
  'oauth_codes',
  'hosted_ui_sessions',
  'ui_customizations',
  'resource_servers',
  'user_pool_domains',
  'auth_sessions',
  'refresh_tokens',
  'signing_keys',
  'dev_messages',
  'user_codes',
  'user_mfa',
  'devices',
  'webauthn_credentials',
  'terms',
  'user_import_jobs',
  'saml_assertions_used',
  'browser_continuations',
  'saml_signing_certificates',
  'identity_provider_identifiers',
  'identity_providers',
  'identity_links',
  'group_members',
  'user_groups',
  'user_aliases',
  'users',
  'user_pool_clients',
  'user_pools',
] as const;

/** Every table keyed by identity pool, children first. */
export const IDENTITY_POOL_TABLES = ['identity_logins', 'identities', 'identity_pools'] as const;
