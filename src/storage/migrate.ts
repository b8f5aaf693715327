import { Migrator, PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import * as userPools from './migrations/0001-user-pools.js';
import * as usersAndGroups from './migrations/0002-users-and-groups.js';
import * as signIn from './migrations/0003-sign-in.js';
import * as userCount from './migrations/0004-user-count.js';
import * as identityPools from './migrations/0005-identity-pools.js';
import * as iamRoles from './migrations/0006-iam-roles.js';
import * as domainsAndResourceServers from './migrations/0007-domains-and-resource-servers.js';
import * as oauth from './migrations/0008-oauth.js';
import * as oidcProviders from './migrations/0009-oidc-providers.js';
import * as userMfa from './migrations/0010-user-mfa.js';
import * as hostedUiSessionsByUser from './migrations/0011-hosted-ui-sessions-by-user.js';
import * as devices from './migrations/0012-devices.js';
import * as deviceLastIp from './migrations/0013-device-last-ip.js';
import * as webauthnCredentials from './migrations/0014-webauthn-credentials.js';
import * as terms from './migrations/0015-terms.js';
import * as identityProviders from './migrations/0016-identity-providers.js';
import * as identityLinks from './migrations/0017-identity-links.js';
import * as userImportJobs from './migrations/0018-user-import-jobs.js';
import * as samlAssertionsUsed from './migrations/0019-saml-assertions-used.js';
import * as samlSigningCertificates from './migrations/0020-saml-signing-certificates.js';
import * as sessionSamlSignIn from './migrations/0021-session-saml-sign-in.js';
import * as importJobLeases from './migrations/0022-import-job-leases.js';
import * as browserContinuations from './migrations/0023-browser-continuations.js';

/** Every migration, in order. A new one is a new file here and one line below; never edit an applied one. */
const migrations: Record<string, Migration> = {
  '0001-user-pools': userPools,
  '0002-users-and-groups': usersAndGroups,
  '0003-sign-in': signIn,
  '0004-user-count': userCount,
  '0005-identity-pools': identityPools,
  '0006-iam-roles': iamRoles,
  '0007-domains-and-resource-servers': domainsAndResourceServers,
  '0008-oauth': oauth,
  '0009-oidc-providers': oidcProviders,
  '0010-user-mfa': userMfa,
  '0011-hosted-ui-sessions-by-user': hostedUiSessionsByUser,
  '0012-devices': devices,
  '0013-device-last-ip': deviceLastIp,
  '0014-webauthn-credentials': webauthnCredentials,
  '0015-terms': terms,
  '0016-identity-providers': identityProviders,
  '0017-identity-links': identityLinks,
  '0018-user-import-jobs': userImportJobs,
  '0019-saml-assertions-used': samlAssertionsUsed,
  '0020-saml-signing-certificates': samlSigningCertificates,
  '0021-session-saml-sign-in': sessionSamlSignIn,
  '0022-import-job-leases': importJobLeases,
  '0023-browser-continuations': browserContinuations,
};

/**
 * On PostgreSQL, the schema the connection works in (its search_path). Without it Kysely's migrator looks
 * for its bookkeeping tables in every schema, so a second Gatehouse in another schema of the same
 * database takes the first one's tables for its own and fails ("kysely_migration_lock does not exist").
 */
async function workingSchema(db: Kysely<unknown>): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined;
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrationTableSchema = await workingSchema(db);
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
