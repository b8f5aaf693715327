import type { GetSigningCertificateRequest, GetSigningCertificateResponse } from '@aws-sdk/client-cognito-identity-provider';
import type { RequestContext } from '../../context.js';
import { requirePool } from '../../userpools/pools.js';
import { poolSigningCertificate } from '../saml-certificates.js';

/** The certificate SAML IdPs check the pool's signed AuthnRequests with (base64 DER), made when first asked for. */
export async function getSigningCertificate(ctx: RequestContext, input: GetSigningCertificateRequest): Promise<GetSigningCertificateResponse> {
  const pool = await requirePool(ctx, input.UserPoolId!);
  return { Certificate: (await poolSigningCertificate(ctx, pool.id)).certificate };
}
