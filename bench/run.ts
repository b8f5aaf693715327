/**
 * `npm run bench`: runs the scenarios in bench/scenarios against Gatehouse child processes, prints a table
 * and writes .bench/results.json. It reports and does not gate: a missed target still exits 0; only a
 * scenario that could not run at all exits 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './lib/build.js';
import { pinBenchProcess } from './lib/cpus.js';
import { killAllChildren } from './lib/children.js';
import { ROOT, setBenchArgon2Memory } from './lib/gatehouse.js';
import { FULL_LOAD, QUICK_LOAD } from './lib/load.js';
import { parseOptions } from './lib/options.js';
import { formatReport, machine, writeReport, type Report } from './lib/report.js';
import type { ScenarioContext } from './lib/scenario.js';
import { scenarios } from './scenarios/index.js';

const options = parseOptions(process.argv.slice(2));
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

if (options.list) {
  for (const s of scenarios) process.stdout.write(`${s.name.padEnd(30)} ${s.description}\n`);
  process.exit(0);
}

const selected = scenarios.filter((s) => options.filters.length === 0 || options.filters.some((f) => s.name.includes(f)));
if (selected.length === 0) {
  log(`no scenario matches ${options.filters.join(', ')}; --list shows them`);
  process.exit(2);
}

// Cleanups of the running scenario, so Ctrl-C still stops servers and drops PostgreSQL schemas.
let pending: (() => Promise<void> | void)[] = [];
async function runCleanups(): Promise<void> {
  const list = pending.reverse();
  pending = [];
  for (const cleanup of list) {
    try {
      await cleanup();
    } catch (error) {
      log(`cleanup failed: ${(error as Error).message}`);
    }
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(130), 5_000);
    force.unref();
    void runCleanups().finally(() => {
      killAllChildren();
      process.exit(130);
    });
  });
}

if (options.argon2MemoryKiB !== undefined) {
  try {
    setBenchArgon2Memory(options.argon2MemoryKiB);
  } catch (error) {
    log(`--argon2-memory ${options.argon2MemoryKiB}: ${((error as { issues?: { message: string }[] }).issues ?? [error as Error]).map((i) => i.message).join('; ')}`);
    process.exit(2);
  }
  log(`argon2id memory ${options.argon2MemoryKiB} KiB in every server (see the report's header)`);
}

const pinning = pinBenchProcess();
log(`CPU pinning: ${pinning}`);
const report: Report = {
  startedAt: new Date().toISOString(),
  finishedAt: '',
  quick: options.quick,
  ...(options.argon2MemoryKiB !== undefined && { argon2MemoryKiB: options.argon2MemoryKiB }),
  machine: machine(pinning),
  rows: [],
  skipped: [],
  failed: [],
};
ensureBuilt(log);
const profileDir = options.profileDir ? resolve(ROOT, options.profileDir) : undefined;

for (const scenario of selected) {
  const reason = scenario.skipReason?.();
  if (reason) {
    log(`skipping ${scenario.name}: ${reason}`);
    report.skipped.push({ scenario: scenario.name, reason });
    continue;
  }
  log(`running ${scenario.name}`);
  const workDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-work-'));
  pending.push(() => rmSync(workDir, { recursive: true, force: true }));
  const ctx: ScenarioContext = {
    quick: options.quick,
    reseed: options.reseed,
    load: options.quick ? QUICK_LOAD : FULL_LOAD,
    serverFlags: [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...options.serverFlags],
    workDir,
    defer: (cleanup) => pending.push(cleanup),
    log: (message) => log(`${scenario.name}: ${message}`),
  };
  try {
    report.rows.push(...(await scenario.run(ctx)));
  } catch (error) {
    log(`${scenario.name} failed: ${(error as Error).stack ?? String(error)}`);
    report.failed.push({ scenario: scenario.name, error: (error as Error).message ?? String(error) });
  } finally {
    await runCleanups();
  }
}

report.finishedAt = new Date().toISOString();
const output = resolve(ROOT, options.output);
writeReport(output, report);
process.stdout.write(formatReport(report));
process.stdout.write(`\nresults written to ${output}${profileDir ? `; CPU profiles in ${profileDir}` : ''}\n`);
process.exit(report.failed.length > 0 ? 1 : 0);
