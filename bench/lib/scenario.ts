import type { LoadSettings } from './load.js';
import type { Row } from './results.js';

/**
 * A benchmark scenario: one file under bench/scenarios, listed in bench/scenarios/index.ts. It starts what
 * it needs (through ctx.defer it is stopped again, even on failure or Ctrl-C), measures its figure and a
 * baseline in the same run, and returns rows built with `row()`.
 */
export interface Scenario {
  /** Matched by the command-line filters; `area/variant`, e.g. describe-user-pool/sqlite. */
  name: string;
  description: string;
  /** A reason not to run here (e.g. no PostgreSQL), reported instead of results. */
  skipReason?: () => string | undefined;
  run(ctx: ScenarioContext): Promise<Row[]>;
}

export interface ScenarioContext {
  quick: boolean;
  load: LoadSettings;
  /** --reseed: make cached seeded data again. */
  reseed: boolean;
  /** Node flags every Gatehouse child starts with: --cpu-prof with --profile, and each --server-flag. */
  serverFlags: string[];
  /** A temporary folder of this scenario's own, removed afterwards. */
  workDir: string;
  /** Runs `cleanup` when the scenario ends, last registered first. */
  defer(cleanup: () => Promise<void> | void): void;
  /** Progress, to stderr, so stdout holds only the report. */
  log(message: string): void;
}
