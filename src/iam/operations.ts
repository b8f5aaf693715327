import type { RequestContext } from '../context.js';
import { QueryProtocolError, type QueryService } from '../protocol/query-api.js';
import { oneValidationError } from '../protocol/validate-input.js';
import { DuplicateKeyError } from '../storage/conflicts.js';
import type { StoredOidcProvider } from '../storage/oidc-providers-repository.js';
import type { StoredRole } from '../storage/roles-repository.js';
import { oidcProviderArn, oidcProviderKeyOf, parseProviderUrl } from './oidc-providers.js';
import { checkPolicyDocument, checkTrustPolicyDocument, newRoleId, noSuchRole, roleArn } from './roles.js';

type Params = Record<string, string>;

function required(params: Params, name: string): string {
  const value = params[name];
  if (!value) throw new QueryProtocolError('ValidationError', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** IAM's pattern for role and policy names: anything else (a `/`, a space) would not make a valid ARN. */
function named(params: Params, member: 'RoleName' | 'PolicyName', max: number): string {
  const value = required(params, member);
  if (!/^[\w+=,.@-]+$/.test(value) || value.length > max) {
    throw new QueryProtocolError('ValidationError', `1 validation error detected: Value '${value}' at '${member[0].toLowerCase()}${member.slice(1)}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+ and have length less than or equal to ${max}`);
  }
  return value;
}

/** IAM answers policy documents URL-encoded, and the SDKs hand them to callers that way. */
function describeRole(ctx: RequestContext, role: StoredRole): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: roleArn(ctx.config.accountId, role),
    CreateDate: role.createdAt,
    AssumeRolePolicyDocument: encodeURIComponent(role.assumeRolePolicy),
    ...(role.description && { Description: role.description }),
    MaxSessionDuration: role.maxSessionDuration,
  };
}

async function requireRole(ctx: RequestContext, name: string): Promise<StoredRole> {
  const role = await ctx.repos.roles.get(name);
  if (!role) throw noSuchRole(name);
  return role;
}

function sessionDuration(params: Params): number {
  const value = params.MaxSessionDuration ? Number(params.MaxSessionDuration) : 3600;
  if (!Number.isInteger(value) || value < 3600 || value > 43200) {
    throw new QueryProtocolError('ValidationError', 'MaxSessionDuration must be between 3600 and 43200 seconds.');
  }
  return value;
}

/** A query-protocol list: `Name.member.1`, `Name.member.2`, … in order. */
function memberList(params: Params, name: string): string[] {
  const values: string[] = [];
  for (let i = 1; params[`${name}.member.${i}`] !== undefined; i++) values.push(params[`${name}.member.${i}`]);
  return values;
}

function invalidInput(message: string): QueryProtocolError {
  return new QueryProtocolError('InvalidInput', message);
}

function clientIds(values: string[]): string[] {
  if (values.length > 100) throw invalidInput('A provider may have at most 100 client IDs.');
  for (const id of values) {
    if (id.length < 1 || id.length > 255) throw invalidInput(`Client ID '${id}' must be 1-255 characters.`);
  }
  return [...new Set(values)];
}

function thumbprints(values: string[]): string[] {
  if (values.length > 5) throw invalidInput('A provider may have at most 5 thumbprints.');
  for (const thumbprint of values) {
    if (!/^[0-9a-fA-F]{40}$/.test(thumbprint)) throw invalidInput(`Thumbprint '${thumbprint}' must be 40 hexadecimal characters.`);
  }
  return values.map((t) => t.toLowerCase());
}

async function requireOidcProvider(ctx: RequestContext, params: Params): Promise<StoredOidcProvider> {
  const arn = required(params, 'OpenIDConnectProviderArn');
  const key = oidcProviderKeyOf(ctx.config.accountId, arn);
  const provider = key ? await ctx.repos.oidcProviders.get(key) : undefined;
  if (!provider) throw new QueryProtocolError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`, 404);
  return provider;
}

/** IAM OpenID Connect providers: external issuers whose tokens identity pools and STS may trust. */
const oidcProviderOperations: QueryService<RequestContext>['operations'] = {
  async CreateOpenIDConnectProvider(ctx, params) {
    const parsed = parseProviderUrl(required(params, 'Url'));
    if (!parsed) throw invalidInput('Url must be an https URL (http only for a loopback host) without query or fragment, of at most 255 characters.');
    const provider: StoredOidcProvider = {
      key: parsed.key,
      url: parsed.url,
      clientIds: clientIds(memberList(params, 'ClientIDList')),
      thumbprints: thumbprints(memberList(params, 'ThumbprintList')),
      createdAt: ctx.now(),
    };
    try {
      await ctx.repos.oidcProviders.insert(provider);
    } catch (error) {
      if (error instanceof DuplicateKeyError) throw new QueryProtocolError('EntityAlreadyExists', `Provider with url ${parsed.url} already exists.`, 409);
      throw error;
    }
    return { OpenIDConnectProviderArn: oidcProviderArn(ctx.config.accountId, provider.key) };
  },
  async GetOpenIDConnectProvider(ctx, params) {
    const provider = await requireOidcProvider(ctx, params);
    // IAM answers the URL without its scheme, as the ARN spells it.
    return { Url: provider.key, ClientIDList: provider.clientIds, ThumbprintList: provider.thumbprints, CreateDate: provider.createdAt };
  },
  async ListOpenIDConnectProviders(ctx) {
    const keys = await ctx.repos.oidcProviders.list();
    return { OpenIDConnectProviderList: keys.map((key) => ({ Arn: oidcProviderArn(ctx.config.accountId, key) })) };
  },
  async DeleteOpenIDConnectProvider(ctx, params) {
    const provider = await requireOidcProvider(ctx, params);
    await ctx.repos.oidcProviders.delete(provider.key);
    return {};
  },
  async AddClientIDToOpenIDConnectProvider(ctx, params) {
    const provider = await requireOidcProvider(ctx, params);
    const [clientId] = clientIds([required(params, 'ClientID')]);
    if (!provider.clientIds.includes(clientId)) await ctx.repos.oidcProviders.update(provider.key, { clientIds: clientIds([...provider.clientIds, clientId]) });
    return {};
  },
  async RemoveClientIDFromOpenIDConnectProvider(ctx, params) {
    const provider = await requireOidcProvider(ctx, params);
    const clientId = required(params, 'ClientID');
    await ctx.repos.oidcProviders.update(provider.key, { clientIds: provider.clientIds.filter((id) => id !== clientId) });
    return {};
  },
  async UpdateOpenIDConnectProviderThumbprint(ctx, params) {
    const provider = await requireOidcProvider(ctx, params);
    await ctx.repos.oidcProviders.update(provider.key, { thumbprints: thumbprints(memberList(params, 'ThumbprintList')) });
    return {};
  },
};

/** The subset of IAM (2010-05-08) that manages the roles identity pools hand out credentials for. */
export const iamService: QueryService<RequestContext> = {
  version: '2010-05-08',
  signingName: 'iam',
  xmlNamespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
  unsigned: new Set(),
  operations: {
    ...oidcProviderOperations,
    async CreateRole(ctx, params) {
      const path = params.Path ?? '/';
      // IAM's limits: a path of 512 characters, a description of 1000 (and the columns that hold them).
      if (path.length > 512 || !/^\/([\u0021-\u007F]*\/)?$/.test(path)) throw new QueryProtocolError('ValidationError', 'The specified value for path is invalid.');
      if ([...(params.Description ?? '')].length > 1000) {
        throw new QueryProtocolError('ValidationError', oneValidationError('description', 'Member must have length less than or equal to 1000'));
      }
      const role: StoredRole = {
        roleName: named(params, 'RoleName', 64),
        roleId: newRoleId(ctx),
        path,
        ...(params.Description && { description: params.Description }),
        assumeRolePolicy: checkTrustPolicyDocument(required(params, 'AssumeRolePolicyDocument')),
        maxSessionDuration: sessionDuration(params),
        createdAt: ctx.now(),
      };
      try {
        await ctx.repos.roles.insert(role);
      } catch (error) {
        if (error instanceof DuplicateKeyError) throw new QueryProtocolError('EntityAlreadyExists', `Role with name ${role.roleName} already exists.`, 409);
        throw error;
      }
      return { Role: describeRole(ctx, role) };
    },
    async GetRole(ctx, params) {
      return { Role: describeRole(ctx, await requireRole(ctx, required(params, 'RoleName'))) };
    },
    async ListRoles(ctx, params) {
      // 1-1000, as IAM allows: a negative LIMIT is an error on PostgreSQL and no limit at all on SQLite.
      const limit = params.MaxItems === undefined ? 100 : Number(params.MaxItems);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
        throw new QueryProtocolError('ValidationError', `1 validation error detected: Value '${params.MaxItems}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
      }
      const roles = await ctx.repos.roles.list(params.PathPrefix ?? '/', limit + 1, params.Marker);
      const truncated = roles.length > limit;
      const page = roles.slice(0, limit);
      return { Roles: page.map((r) => describeRole(ctx, r)), IsTruncated: truncated, ...(truncated && { Marker: page[page.length - 1].roleName }) };
    },
    async DeleteRole(ctx, params) {
      const name = required(params, 'RoleName');
      await requireRole(ctx, name);
      if ((await ctx.repos.roles.policies(name)).length > 0) {
        throw new QueryProtocolError('DeleteConflict', 'Cannot delete entity, must delete policies first.', 409);
      }
      await ctx.repos.roles.delete(name);
      return {};
    },
    async UpdateAssumeRolePolicy(ctx, params) {
      const name = required(params, 'RoleName');
      await requireRole(ctx, name);
      await ctx.repos.roles.update(name, { assumeRolePolicy: checkTrustPolicyDocument(required(params, 'PolicyDocument')) });
      return {};
    },
    async PutRolePolicy(ctx, params) {
      const name = required(params, 'RoleName');
      await requireRole(ctx, name);
      await ctx.repos.roles.putPolicy(name, named(params, 'PolicyName', 128), checkPolicyDocument(required(params, 'PolicyDocument')));
      return {};
    },
    async GetRolePolicy(ctx, params) {
      const name = required(params, 'RoleName');
      const policyName = required(params, 'PolicyName');
      await requireRole(ctx, name);
      const document = await ctx.repos.roles.getPolicy(name, policyName);
      if (document === undefined) throw new QueryProtocolError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
      return { RoleName: name, PolicyName: policyName, PolicyDocument: encodeURIComponent(document) };
    },
    async ListRolePolicies(ctx, params) {
      const name = required(params, 'RoleName');
      await requireRole(ctx, name);
      return { PolicyNames: (await ctx.repos.roles.policies(name)).map((p) => p.name), IsTruncated: false };
    },
    async DeleteRolePolicy(ctx, params) {
      const name = required(params, 'RoleName');
      const policyName = required(params, 'PolicyName');
      await requireRole(ctx, name);
      if (!(await ctx.repos.roles.deletePolicy(name, policyName))) {
        throw new QueryProtocolError('NoSuchEntity', `The role policy with name ${policyName} cannot be found.`, 404);
      }
      return {};
    },
  },
};
