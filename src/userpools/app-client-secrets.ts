import type { ServiceContext } from '../context.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';

/** One of a confidential client's secrets; a client has one, or two while it rotates them. */
export interface ClientSecret {
  /** `<client id>--<creation time, ms since the epoch>`, the form ClientSecretDescriptorType documents. */
  id: string;
  value: string;
  createdAt: Date;
}

/** AddUserPoolClientSecret: "up to 2 active secrets per app client". */
export const MAX_CLIENT_SECRETS = 2;

type Place = Pick<StoredAppClient, 'poolId' | 'clientId'>;

/** The associated data that ties an encrypted client secret to its client. */
const secretContext = (client: Place) => `client-secret:${client.poolId}:${client.clientId}`;

export const clientSecretId = (clientId: string, createdAt: Date): string => `${clientId}--${createdAt.getTime()}`;

/** A client's first secret, as CreateUserPoolClient (or the config file) gives it. */
export function sealClientSecret(ctx: ServiceContext, client: Place, secret: string): string {
  return ctx.secrets.encrypt(secret, secretContext(client));
}

/** Every secret of the client, sealed together: the list is one value at rest, replaced as a whole. */
export function sealClientSecrets(ctx: ServiceContext, client: Place, secrets: ClientSecret[]): string {
  const stored = secrets.map(({ id, value, createdAt }) => ({ id, value, createdAt: createdAt.getTime() }));
  return ctx.secrets.encrypt(JSON.stringify(stored), secretContext(client));
}

/**
 * The client's secrets, oldest first. A sealed list begins with `[`, which no secret can ([\w+]+); a
 * single sealed secret (a client that never rotated) is its creation-time secret.
 */
export function clientSecretsOf(ctx: ServiceContext, client: StoredAppClient): ClientSecret[] {
  if (!client.encryptedSecret) return [];
  const opened = ctx.secrets.decrypt(client.encryptedSecret, secretContext(client), { remember: true });
  if (!opened.startsWith('[')) return [{ id: clientSecretId(client.clientId, client.createdAt), value: opened, createdAt: client.createdAt }];
  const stored = JSON.parse(opened) as { id: string; value: string; createdAt: number }[];
  return stored.map(({ id, value, createdAt }) => ({ id, value, createdAt: new Date(createdAt) }));
}

/** The secret DescribeUserPoolClient shows, and the hosted UI signs its own calls with: the oldest one. */
export function clientSecretOf(ctx: ServiceContext, client: StoredAppClient): string | undefined {
  return clientSecretsOf(ctx, client)[0]?.value;
}
