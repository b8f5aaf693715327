import type { RequestContext } from '../context.js';
import { userPoolsModel } from '../protocol/service-model.js';
import { validateInput } from '../protocol/validate-input.js';
import type { StoredAppClient } from '../storage/app-clients-repository.js';
import { clientSecretOf } from '../userpools/app-client-secrets.js';
import { secretHashOf } from '../userpools/client-requests.js';
import { userPoolOperations } from '../userpools/operations/index.js';

/**
 * The pages act as an app of the pool would: through the user-pool API's own operations, with the same
 * model validation in front, so every error a page shows is the message Cognito's API gives for it.
 */
export async function callUserPoolApi<Output = Record<string, unknown>>(ctx: RequestContext, operation: string, input: Record<string, unknown>): Promise<Output> {
  const spec = userPoolsModel.operations.get(operation);
  const handler = userPoolOperations[operation];
  if (!spec || !handler) throw new Error(`no user-pool operation ${operation}`);
  return (await handler(ctx, validateInput(userPoolsModel, spec.inputShape, input))) as Output;
}

/** The pages know the client's secret, so they send the SECRET_HASH an app with that secret would. */
export function secretHashFor(ctx: RequestContext, client: StoredAppClient, username: string): string | undefined {
  const secret = clientSecretOf(ctx, client);
  return secret === undefined ? undefined : secretHashOf(secret, username, client.clientId).toString('base64');
}
