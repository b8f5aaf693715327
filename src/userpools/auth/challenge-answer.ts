import type { RequestContext } from '../../context.js';
import type { StoredAppClient } from '../../storage/app-clients-repository.js';
import type { StoredUserPool } from '../../storage/user-pools-repository.js';

/** One answer to a sign-in challenge, as RespondToAuthChallenge (or its Admin form) brings it. */
export interface ChallengeAnswer {
  ctx: RequestContext;
  pool: StoredUserPool;
  client: StoredAppClient;
  /** The challenge's opaque Session, when it has one (PASSWORD_VERIFIER's travels in the responses). */
  session: string | undefined;
  responses: Record<string, string>;
  /** The request's ClientMetadata, for the functions a custom challenge runs. */
  clientMetadata?: Record<string, string>;
}
