import type { Scenario } from '../lib/scenario.js';
import { describeUserPoolPostgres, describeUserPoolSqlite } from './describe-user-pool.js';
import { idleMemory } from './idle-memory.js';
import { startupTime } from './startup-time.js';

/** Every scenario, in the order they run. A new scenario is one file in this folder plus one line here. */
export const scenarios: Scenario[] = [idleMemory, startupTime, describeUserPoolSqlite, describeUserPoolPostgres];
