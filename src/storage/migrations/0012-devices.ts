import type { Kysely } from 'kysely';

/**
 * Remembered devices: each user's devices confirmed with ConfirmDevice, with the SRP salt and verifier the
 * client derived from the device's random password (device SRP: DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('devices')
    .addColumn('pool_id', 'varchar(55)', (c) => c.notNull())
    .addColumn('username_key', 'varchar(128)', (c) => c.notNull())
    /** `<region>_<uuid>`, as NewDeviceMetadata handed it out. */
    .addColumn('device_key', 'varchar(55)', (c) => c.notNull())
    /** The device group key: the "pool name" of the device's SRP identity, and part of what its claims sign. */
    .addColumn('device_group_key', 'varchar(64)', (c) => c.notNull())
    /** The SRP salt and verifier, as hex. The verifier is not a secret the server could sign in with. */
    .addColumn('salt', 'text', (c) => c.notNull())
    .addColumn('verifier', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    /** 1 when remembered (device authentication can stand in for MFA), 0 when only tracked (not_remembered). */
    .addColumn('remembered', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_authenticated_at', 'bigint')
    .addPrimaryKeyConstraint('devices_pk', ['pool_id', 'username_key', 'device_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('devices').execute();
}
