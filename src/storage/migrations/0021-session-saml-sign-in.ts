import type { Kysely } from 'kysely';

/**
 * What a hosted-UI session that began with a SAML sign-in must remember to end it at the IdP too (single
 * logout): the provider, and the NameID and SessionIndex of its assertion, as JSON; null for other sessions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('hosted_ui_sessions').addColumn('saml_sign_in', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('hosted_ui_sessions').dropColumn('saml_sign_in').execute();
}
