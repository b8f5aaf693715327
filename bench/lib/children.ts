import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { pinnedNode } from './cpus.js';

/**
 * Servers under test run as child processes, so autocannon (in this process) never shares their event
 * loop. Every child is tracked here and killed when the bench exits, however it exits.
 */
const live = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Child {
  label: string;
  pid: number;
  process: ChildProcess;
  /** Resolves with the exit code (or signal) once the child has exited. */
  exited: Promise<number | string | null>;
  /** Resolves with the first match of `pattern` in the child's stdout/stderr; rejects if it exits first. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** What the child has printed so far (the tail), for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within a few seconds. */
  stop(): Promise<void>;
}

/**
 * The children's environment without the settings that would change what is measured: DATABASE_URL and
 * GATEHOUSE_* would silently point a "SQLite" server at PostgreSQL, and NODE_OPTIONS could load loaders
 * (tsx) or flags into what must be plain `node`.
 */
function cleanEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'DATABASE_URL' || key === 'NODE_OPTIONS' || key.startsWith('GATEHOUSE_')) continue;
    env[key] = value;
  }
  return env;
}

/** `ipc` opens Node's message channel to the child (child.process.send / 'message'). */
export function spawnChild(label: string, args: string[], options: { cwd?: string; ipc?: boolean } = {}): Child {
  const pinned = pinnedNode(args);
  const child = spawn(pinned.command, pinned.args, {
    cwd: options.cwd,
    env: cleanEnvironment(),
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  live.add(child);
  let text = '';
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text = (text + chunk.toString('utf8')).slice(-16_384);
    for (const check of waiters) check();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  child.once('exit', () => {
    live.delete(child);
    for (const check of waiters) check();
  });

  return {
    label,
    pid: child.pid,
    process: child,
    exited,
    output: () => text,
    waitForOutput(pattern, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`${label} did not print ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
        const finish = (error?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(match!);
        };
        const check = () => {
          const match = text.match(pattern);
          if (match) finish(undefined, match);
          else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${text}`));
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every child still running, for a bench interrupted with Ctrl-C. */
export function killAllChildren(): void {
  for (const child of live) child.kill('SIGKILL');
}

/** Resident set size of a process in bytes, from /proc/<pid>/status (Linux only; undefined elsewhere). */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. CPU per
 * request is the figure least moved by other work on the machine, unlike requests per second.
 */
export function cpuTimeMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * CPU time of the process's main thread only (the event loop, which runs every request's JavaScript),
 * without libuv's threadpool (argon2, WebCrypto) and V8's helper threads.
 */
export function mainThreadCpuTimeMs(pid: number): number | undefined {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file: string): number | undefined {
  try {
    const stat = readFileSync(file, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime is 14th, stime 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** USER_HZ: 100 on every Linux Node runs on (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
