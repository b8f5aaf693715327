import type { Scenario } from '../lib/scenario.js';
import { authorizationCode } from './authorization-code.js';
import { authorizerDecisions } from './authorizer-decisions.js';
import { clientCredentials } from './client-credentials.js';
import { describeUserPoolPostgres, describeUserPoolSqlite } from './describe-user-pool.js';
import { getCredentialsForIdentity } from './get-credentials-for-identity.js';
import { getUser, getUserNewToken } from './get-user.js';
import { idleMemory } from './idle-memory.js';
import { listUsersPostgres, listUsersSqlite } from './list-users.js';
import { refresh } from './refresh.js';
import { signInPassword } from './sign-in-password.js';
import { signInSrp } from './sign-in-srp.js';
import { signUp } from './sign-up.js';
import { startupTime } from './startup-time.js';
import { workersCredentialCheck } from './workers-credential-check.js';

/** Every scenario, in the order they run. A new scenario is one file in this folder plus one line here. */
export const scenarios: Scenario[] = [
  idleMemory,
  startupTime,
  describeUserPoolSqlite,
  describeUserPoolPostgres,
  signUp,
  signInPassword,
  signInSrp,
  refresh,
  getUser,
  getUserNewToken,
  clientCredentials,
  authorizationCode,
  getCredentialsForIdentity,
  listUsersSqlite,
  listUsersPostgres,
  authorizerDecisions,
  workersCredentialCheck,
];
