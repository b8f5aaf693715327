import type {
  CompleteWebAuthnRegistrationRequest,
  CompleteWebAuthnRegistrationResponse,
  DeleteWebAuthnCredentialRequest,
  DeleteWebAuthnCredentialResponse,
  ListWebAuthnCredentialsRequest,
  ListWebAuthnCredentialsResponse,
  StartWebAuthnRegistrationRequest,
  StartWebAuthnRegistrationResponse,
  WebAuthnCredentialDescription,
} from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../../context.js';
import { ResourceNotFoundException } from '../../../protocol/errors.js';
import { decodeNextToken, page } from '../../../protocol/pagination.js';
import { authenticateAccessToken } from '../../auth/access-token.js';
import { MAX_PASSKEYS_PER_USER, registerPasskey, registrationOptions } from '../registration.js';

/** The signed-in user's passkeys, authorised by the access token (whose app client a registration is bound to). */

export async function startWebAuthnRegistration(ctx: RequestContext, input: StartWebAuthnRegistrationRequest): Promise<StartWebAuthnRegistrationResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const options = await registrationOptions(poolCtx, pool, user, String(claims.client_id));
  // A JSON document on the wire; the options type just lacks the index signature DocumentType asks for.
  return { CredentialCreationOptions: options as unknown as StartWebAuthnRegistrationResponse['CredentialCreationOptions'] };
}

export async function completeWebAuthnRegistration(ctx: RequestContext, input: CompleteWebAuthnRegistrationRequest): Promise<CompleteWebAuthnRegistrationResponse> {
  const { pool, user, claims, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  await registerPasskey(poolCtx, pool, user, String(claims.client_id), input.Credential);
  return {};
}

export async function listWebAuthnCredentials(ctx: RequestContext, input: ListWebAuthnCredentialsRequest): Promise<ListWebAuthnCredentialsResponse> {
  const { user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  const limit = input.MaxResults ?? MAX_PASSKEYS_PER_USER;
  // The listing names the user, so a token from one user's listing is refused for another's.
  const listing = `ListWebAuthnCredentials:${user.poolId}:${user.usernameKey}`;
  const afterId = decodeNextToken(listing, input.NextToken, ctx.requestId);
  const rows = await poolCtx.repos.webauthnCredentials.list(user.poolId, user.usernameKey, limit + 1, afterId);
  const { items, nextToken } = page(rows, limit, (credential) => credential.credentialId, listing);
  return {
    Credentials: items.map(
      (credential): WebAuthnCredentialDescription => ({
        CredentialId: credential.credentialId,
        FriendlyCredentialName: credential.friendlyName,
        RelyingPartyId: credential.relyingPartyId,
        ...(credential.attachment && { AuthenticatorAttachment: credential.attachment }),
        AuthenticatorTransports: credential.transports,
        CreatedAt: credential.createdAt,
      }),
    ),
    ...(nextToken && { NextToken: nextToken }),
  };
}

export async function deleteWebAuthnCredential(ctx: RequestContext, input: DeleteWebAuthnCredentialRequest): Promise<DeleteWebAuthnCredentialResponse> {
  const { user, ctx: poolCtx } = await authenticateAccessToken(ctx, input.AccessToken!);
  if (!(await poolCtx.repos.webauthnCredentials.delete(user.poolId, user.usernameKey, input.CredentialId!))) {
    throw new ResourceNotFoundException('The passkey does not exist.');
  }
  return {};
}
