import type {
  AddUserPoolClientSecretRequest,
  AddUserPoolClientSecretResponse,
  ClientSecretDescriptorType,
  DeleteUserPoolClientSecretRequest,
  DeleteUserPoolClientSecretResponse,
  ListUserPoolClientSecretsRequest,
  ListUserPoolClientSecretsResponse,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { InvalidParameterException, LimitExceededException, ResourceNotFoundException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import { clientSecretId, clientSecretsOf, MAX_CLIENT_SECRETS, sealClientSecrets, type ClientSecret } from '../app-client-secrets.js';
import { requireClient } from '../app-clients.js';
import { newClientSecret } from '../ids.js';
import { requirePool } from '../pools.js';

/** A secret as the API describes it: never its value, except where Cognito generated it just now. */
const descriptor = (secret: ClientSecret): ClientSecretDescriptorType => ({ ClientSecretId: secret.id, ClientSecretCreateDate: secret.createdAt });

/** Replaces the client's secrets with what `change` makes of them, atomically with any other change to the client. */
async function changeSecrets(ctx: RequestContext, poolId: string, clientId: string, change: (secrets: ClientSecret[]) => ClientSecret[]): Promise<void> {
  const updated = await ctx.repos.appClients.update(poolId, clientId, ctx.now(), (client: StoredAppClient) => ({
    ...client,
    encryptedSecret: sealClientSecrets(ctx, client, change(clientSecretsOf(ctx, client))),
  }));
  if (!updated) throw new ResourceNotFoundException(`User pool client ${clientId} does not exist.`);
}

/**
 * A second secret for a confidential client, so that its callers can move to it before the first is
 * deleted: both work meanwhile (SECRET_HASH, the token endpoint, RevokeToken).
 */
export async function addUserPoolClientSecret(ctx: RequestContext, input: AddUserPoolClientSecretRequest): Promise<AddUserPoolClientSecretResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const value = input.ClientSecret ?? newClientSecret(ctx.randomBytes);
  const createdAt = ctx.now();
  let added: ClientSecret | undefined;
  await changeSecrets(ctx, pool.id, input.ClientId!, (secrets) => {
    if (secrets.length === 0) throw new InvalidParameterException(`User pool client ${input.ClientId} has no secret: only a confidential client can have one added.`);
    if (secrets.length >= MAX_CLIENT_SECRETS) {
      throw new LimitExceededException(`User pool client ${input.ClientId} has ${MAX_CLIENT_SECRETS} client secrets already: delete one first.`);
    }
    // Ids carry the creation time in milliseconds; two in the same one would share an id.
    const at = secrets.some((s) => s.id === clientSecretId(input.ClientId!, createdAt)) ? new Date(createdAt.getTime() + 1) : createdAt;
    added = { id: clientSecretId(input.ClientId!, at), value, createdAt: at };
    return [...secrets, added];
  });
  return { ClientSecretDescriptor: { ...descriptor(added!), ...(!input.ClientSecret && { ClientSecretValue: value }) } };
}

/** A client's secrets, oldest first, without their values. */
export async function listUserPoolClientSecrets(ctx: RequestContext, input: ListUserPoolClientSecretsRequest): Promise<ListUserPoolClientSecretsResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  const client = await requireClient(ctx, pool.id, input.ClientId!);
  return { ClientSecrets: clientSecretsOf(ctx, client).map(descriptor) };
}

/** Ends one of a client's secrets; its last one stays, or the client could never authenticate again. */
export async function deleteUserPoolClientSecret(ctx: RequestContext, input: DeleteUserPoolClientSecretRequest): Promise<DeleteUserPoolClientSecretResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  await changeSecrets(ctx, pool.id, input.ClientId!, (secrets) => {
    if (!secrets.some((s) => s.id === input.ClientSecretId)) throw new ResourceNotFoundException(`Client secret ${input.ClientSecretId} does not exist.`);
    if (secrets.length === 1) throw new InvalidParameterException('The last client secret of an app client cannot be deleted.');
    return secrets.filter((s) => s.id !== input.ClientSecretId);
  });
  return {};
}
