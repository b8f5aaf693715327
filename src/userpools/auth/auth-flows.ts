import type { AuthFlowType, ExplicitAuthFlowsType } from '@aws-sdk/client-cognito-identity-provider';
import { InvalidParameterException } from '../../protocol/errors.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';

/** What a client allows when its ExplicitAuthFlows is not set (the model documentation says so). */
const DEFAULT_FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

/** The legacy values name the new ones; clients with legacy values also allow SRP and refresh. */
const LEGACY: Record<string, ExplicitAuthFlowsType[]> = {
  ADMIN_NO_SRP_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH'],
  CUSTOM_AUTH_FLOW_ONLY: ['ALLOW_CUSTOM_AUTH'],
};

const REQUIRED_FLOW: Partial<Record<AuthFlowType, ExplicitAuthFlowsType>> = {
  USER_SRP_AUTH: 'ALLOW_USER_SRP_AUTH',
  USER_PASSWORD_AUTH: 'ALLOW_USER_PASSWORD_AUTH',
  ADMIN_USER_PASSWORD_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  ADMIN_NO_SRP_AUTH: 'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  REFRESH_TOKEN_AUTH: 'ALLOW_REFRESH_TOKEN_AUTH',
  REFRESH_TOKEN: 'ALLOW_REFRESH_TOKEN_AUTH',
  CUSTOM_AUTH: 'ALLOW_CUSTOM_AUTH',
  USER_AUTH: 'ALLOW_USER_AUTH',
};

export function allowedFlows(client: StoredAppClient): Set<ExplicitAuthFlowsType> {
  const configured = client.settings.ExplicitAuthFlows;
  if (!configured || configured.length === 0) return new Set(DEFAULT_FLOWS);
  const legacy = configured.filter((f) => LEGACY[f]);
  if (legacy.length === 0) return new Set(configured);
  return new Set([...legacy.flatMap((f) => LEGACY[f]), 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
}

/** The client's ExplicitAuthFlows decide which flows it may start, with Cognito's message otherwise. */
export function requireFlowAllowed(client: StoredAppClient, flow: AuthFlowType): void {
  const needed = REQUIRED_FLOW[flow];
  if (!needed || !allowedFlows(client).has(needed)) throw new InvalidParameterException(`${flow} flow not enabled for this client`);
}

/** An AuthParameters or ChallengeResponses member the step cannot go without, refused in Cognito's words when missing. */
export function requiredParameter(params: Record<string, string>, name: string): string {
  const value = params[name];
  if (!value) throw new InvalidParameterException(`Missing required parameter ${name}`);
  return value;
}
