import type { Db } from './database.js';
import { PreparedQuery, CONFIGURATION_READS } from './prepared-query.js';
import type { IamRolesTable } from './schema.js';
import { rethrowDuplicate } from './conflicts.js';

export interface StoredRole {
  roleName: string;
  roleId: string;
  path: string;
  description?: string;
  /** The trust policy, as JSON text. */
  assumeRolePolicy: string;
  maxSessionDuration: number;
  createdAt: Date;
}

export class RolesRepository {
  /** Read by every credential request (the role's trust policy). */
  private readonly byName: PreparedQuery<IamRolesTable, [roleName: string]>;

  constructor(private readonly db: Db) {
    this.byName = new PreparedQuery(db, (roleName: string) => db.selectFrom('iam_roles').selectAll().where('role_name', '=', roleName), { cached: CONFIGURATION_READS });
  }

  async insert(role: StoredRole): Promise<void> {
    await rethrowDuplicate(
      this.db
        .insertInto('iam_roles')
        .values({
          role_name: role.roleName,
          role_id: role.roleId,
          path: role.path,
          description: role.description ?? null,
          assume_role_policy: role.assumeRolePolicy,
          max_session_duration: role.maxSessionDuration,
          created_at: role.createdAt.getTime(),
        })
        .execute(),
      `role ${role.roleName} exists`,
    );
  }

  async get(roleName: string): Promise<StoredRole | undefined> {
    const row = await this.byName.first(roleName);
    return row
      ? {
          roleName: row.role_name,
          roleId: row.role_id,
          path: row.path,
          ...(row.description !== null && { description: row.description }),
          assumeRolePolicy: row.assume_role_policy,
          maxSessionDuration: Number(row.max_session_duration),
          createdAt: new Date(row.created_at),
        }
      : undefined;
  }

  async list(pathPrefix: string, limit: number, afterName?: string): Promise<StoredRole[]> {
    let query = this.db.selectFrom('iam_roles').select('role_name').where('path', '>=', pathPrefix).where('path', '<', `${pathPrefix}\uffff`);
    if (afterName !== undefined) query = query.where('role_name', '>', afterName);
    const names = await query.orderBy('role_name').limit(limit).execute();
    return (await Promise.all(names.map((r) => this.get(r.role_name)))).filter((r): r is StoredRole => r !== undefined);
  }

  async update(roleName: string, fields: { assumeRolePolicy?: string; description?: string; maxSessionDuration?: number }): Promise<boolean> {
    const result = await this.db
      .updateTable('iam_roles')
      .set({
        ...(fields.assumeRolePolicy !== undefined && { assume_role_policy: fields.assumeRolePolicy }),
        ...(fields.description !== undefined && { description: fields.description }),
        ...(fields.maxSessionDuration !== undefined && { max_session_duration: fields.maxSessionDuration }),
      })
      .where('role_name', '=', roleName)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async delete(roleName: string): Promise<boolean> {
    const result = await this.db.deleteFrom('iam_roles').where('role_name', '=', roleName).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async putPolicy(roleName: string, policyName: string, document: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.deleteFrom('iam_role_policies').where('role_name', '=', roleName).where('policy_name', '=', policyName).execute();
      await tx.insertInto('iam_role_policies').values({ role_name: roleName, policy_name: policyName, document }).execute();
    });
  }

  async getPolicy(roleName: string, policyName: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('iam_role_policies')
      .select('document')
      .where('role_name', '=', roleName)
      .where('policy_name', '=', policyName)
      .executeTakeFirst();
    return row?.document;
  }

  /** The role's inline policies, by name. */
  async policies(roleName: string): Promise<{ name: string; document: string }[]> {
    const rows = await this.db.selectFrom('iam_role_policies').select(['policy_name', 'document']).where('role_name', '=', roleName).orderBy('policy_name').execute();
    return rows.map((r) => ({ name: r.policy_name, document: r.document }));
  }

  async deletePolicy(roleName: string, policyName: string): Promise<boolean> {
    const result = await this.db.deleteFrom('iam_role_policies').where('role_name', '=', roleName).where('policy_name', '=', policyName).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}
