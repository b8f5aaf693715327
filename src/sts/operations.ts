import type { RequestContext } from '../context.js';
import { IncorrectAudience, oidcProviderArn, ProviderKeysUnavailable, providerKeyOfIssuer, verifyOidcToken } from '../iam/oidc-providers.js';
import { identityIssuer, verifyOpenIdToken } from '../identitypools/openid-token.js';
import { ExpiredTokenError } from '../protocol/errors.js';
import { QueryProtocolError, type QueryCaller, type QueryService } from '../protocol/query-api.js';
import { verifyToken } from '../userpools/auth/tokens.js';
import { assumeRoleWithWebIdentity, RoleAssumptionError } from './assume-role.js';
import { openSessionToken } from './session-credentials.js';

type Params = Record<string, string>;

function required(params: Params, name: string): string {
  const value = params[name];
  if (!value) throw new QueryProtocolError('ValidationError', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  return value;
}

interface WebIdentity {
  principal: string;
  subject: string;
  audience: string;
  provider: string;
  context: Record<string, string | string[]>;
}

/**
 * A genuine but expired token is ExpiredTokenException, as AWS answers it; anything else that does not
 * verify (forged, another issuer, not an ID token) is InvalidIdentityToken, with AWS's words where the
 * reason is one AWS names: keys it could not fetch, an audience the provider does not list.
 */
function refuseToken(error: unknown): never {
  if (error instanceof ExpiredTokenError) {
    throw new QueryProtocolError('ExpiredTokenException', 'Token expired: the web identity token that was passed has expired. Get a new identity token and retry.');
  }
  if (error instanceof ProviderKeysUnavailable) {
    throw new QueryProtocolError('InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements");
  }
  if (error instanceof IncorrectAudience) throw new QueryProtocolError('InvalidIdentityToken', 'Incorrect token audience');
  throw new QueryProtocolError('InvalidIdentityToken', 'The web identity token is not valid, or not from a provider this STS trusts.');
}

/**
 * The web identities this STS accepts: the OpenID tokens of Gatehouse identity pools (principal
 * cognito-identity.amazonaws.com, as with Cognito), tokens of an IAM OIDC provider (principal: the
 * provider's ARN, as with AWS; only that provider's configured URL is fetched), and ID tokens of Gatehouse
 * user pools that are not registered as one (principal: the issuer without its scheme).
 */
async function webIdentity(ctx: RequestContext, token: string): Promise<WebIdentity> {
  let issuer: string | undefined;
  try {
    issuer = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).iss;
  } catch {
    issuer = undefined;
  }
  if (issuer === identityIssuer(ctx)) {
    const claims = await verifyOpenIdToken(ctx, token).catch(refuseToken);
    const pool = await ctx.repos.identityPools.get(String(claims.aud));
    if (!pool?.settings.pool.AllowClassicFlow) {
      throw new QueryProtocolError('AccessDenied', 'The identity pool of this token does not allow the basic (classic) flow.', 403);
    }
    const amr = claims.amr ?? [];
    return {
      principal: 'cognito-identity.amazonaws.com',
      subject: String(claims.sub),
      audience: String(claims.aud),
      provider: 'cognito-identity.amazonaws.com',
      context: {
        'cognito-identity.amazonaws.com:aud': String(claims.aud),
        'cognito-identity.amazonaws.com:sub': String(claims.sub),
        'cognito-identity.amazonaws.com:amr': amr,
      },
    };
  }
  const providerKey = providerKeyOfIssuer(issuer);
  const provider = providerKey ? await ctx.repos.oidcProviders.get(providerKey) : undefined;
  if (provider) {
    const { claims, audience } = await verifyOidcToken(ctx, provider, token).catch(refuseToken);
    return {
      principal: oidcProviderArn(ctx.config.accountId, provider.key),
      subject: claims.sub,
      audience,
      provider: provider.url,
      context: { [`${provider.key}:aud`]: audience, [`${provider.key}:sub`]: claims.sub },
    };
  }
  const { claims } = await verifyToken(ctx, token, 'id').catch(refuseToken);
  const principal = String(claims.iss).replace(/^https?:\/\//, '');
  return {
    principal,
    subject: String(claims.sub),
    audience: String(claims.aud),
    provider: principal,
    context: { [`${principal}:aud`]: String(claims.aud), [`${principal}:sub`]: String(claims.sub) },
  };
}

function stsError(error: unknown): never {
  if (error instanceof RoleAssumptionError) {
    if (error.reason === 'bad-duration') throw new QueryProtocolError('ValidationError', error.message);
    throw new QueryProtocolError('AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity. ${error.message}`, 403);
  }
  throw error;
}

/** STS (2011-06-15): the web-identity exchange identity pools' classic flow uses, and GetCallerIdentity. */
export const stsService: QueryService<RequestContext> = {
  version: '2011-06-15',
  signingName: 'sts',
  xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
  unsigned: new Set(['AssumeRoleWithWebIdentity']),
  acceptsSessionCredentials: true,
  operations: {
    async AssumeRoleWithWebIdentity(ctx, params) {
      const sessionName = required(params, 'RoleSessionName');
      if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new QueryProtocolError('ValidationError', 'RoleSessionName must be 2-64 characters of [\\w+=,.@-].');
      const identity = await webIdentity(ctx, required(params, 'WebIdentityToken'));
      const assumed = await assumeRoleWithWebIdentity(ctx, {
        roleArn: required(params, 'RoleArn'),
        sessionName,
        ...(params.DurationSeconds && { durationSeconds: Number(params.DurationSeconds) }),
        principal: identity.principal,
        context: identity.context,
      }).catch(stsError);
      return {
        Credentials: assumed.credentials,
        SubjectFromWebIdentityToken: identity.subject,
        AssumedRoleUser: { AssumedRoleId: assumed.assumedRoleId, Arn: assumed.assumedRoleArn },
        Provider: identity.provider,
        Audience: identity.audience,
      };
    },
    async GetCallerIdentity(ctx, _params, caller: QueryCaller | undefined) {
      const session = caller?.sessionToken ? openSessionToken(ctx, caller.sessionToken) : undefined;
      if (session && typeof session === 'object') {
        const roleName = session.roleArn.slice(session.roleArn.lastIndexOf('/') + 1);
        return {
          UserId: `${session.roleId}:${session.sessionName}`,
          Account: ctx.config.accountId,
          Arn: `arn:aws:sts::${ctx.config.accountId}:assumed-role/${roleName}/${session.sessionName}`,
        };
      }
      // A Gatehouse access key (or, in development, any key): the account itself.
      return { UserId: caller?.accessKeyId ?? ctx.config.accountId, Account: ctx.config.accountId, Arn: `arn:aws:iam::${ctx.config.accountId}:root` };
    },
  },
};
