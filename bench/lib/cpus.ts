import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * The figures are "each on one core": every measured child (a Gatehouse server, the bare baseline,
 * the primitives) runs pinned to the last CPU, and the bench process, whose autocannon is the load
 * generator, to the others. A server then has exactly one core whichever threads it uses (event loop,
 * libuv pool), the same core its baseline had, and the load generator never takes CPU from it. Without
 * `taskset` (util-linux) or with one CPU, nothing is pinned and the report says so.
 */
function findTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cpuCount = availableParallelism();
const canPin = cpuCount >= 2 && process.env.BENCH_NO_PIN !== '1' && findTaskset();

/** The CPU the measured children run on, or undefined when they are not pinned. */
export const serverCpu: number | undefined = canPin ? cpuCount - 1 : undefined;

/** Pins this process (all its threads) to the CPUs the servers do not use. Call once, at start. */
export function pinBenchProcess(): string {
  if (serverCpu === undefined) return 'not pinned (needs taskset and 2+ CPUs; BENCH_NO_PIN=1 turns it off)';
  const others = serverCpu === 1 ? '0' : `0-${serverCpu - 1}`;
  execFileSync('taskset', ['-a', '-p', '-c', others, String(process.pid)], { stdio: 'ignore' });
  return `servers on CPU ${serverCpu}, load generator on CPU ${others}`;
}

/** The command and arguments that run `node args` on the servers' CPU (taskset execs, so the pid is node's). */
export function pinnedNode(args: string[]): { command: string; args: string[] } {
  if (serverCpu === undefined) return { command: process.execPath, args };
  return { command: 'taskset', args: ['-c', String(serverCpu), process.execPath, ...args] };
}

/**
 * A local PostgreSQL server's processes (the postmaster, whose new backends inherit its affinity, and the
 * backends already running) are moved to the load generator's CPUs for a PostgreSQL scenario, so that the
 * Gatehouse child has its core to itself there too and the database's work, which is not in the server's
 * CPU figure, is not taken from it either. Needs the right to change their affinity (root, or the same
 * user); where that fails they stay where they are. Returns how to put them back.
 */
export function movePostgresOffServerCpu(): () => void {
  if (serverCpu === undefined) return () => {};
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  } catch {
    return () => {};
  }
  const setAffinity = (cpus: string, pid: string) => {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, pid], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const others = serverCpu === 1 ? '0' : `0-${serverCpu - 1}`;
  const moved = pids.filter((pid) => setAffinity(others, pid));
  return () => {
    for (const pid of moved) setAffinity(`0-${cpuCount - 1}`, pid);
  };
}
