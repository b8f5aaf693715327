import autocannon from 'autocannon';
import { cpuTimeMs, mainThreadCpuTimeMs } from './children.js';
import { closedLoop } from './drive.js';
import { median, percentile } from './stats.js';

/** The same settings drive the server under test and its baseline, or the ratio means nothing. */
export interface LoadSettings {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Each round measures both servers once; the median over rounds is reported. */
  rounds: number;
}

export const FULL_LOAD: LoadSettings = { connections: 10, seconds: 6, warmupSeconds: 2, rounds: 3 };
export const QUICK_LOAD: LoadSettings = { connections: 10, seconds: 2, warmupSeconds: 1, rounds: 1 };

export interface LoadTarget {
  label: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /**
   * Passed to autocannon as the request's `setupRequest`: called before every request, it may return a
   * changed copy (e.g. a fresh body for an operation that writes, such as SignUp with unique usernames).
   */
  setupRequest?: (request: autocannon.Request, context: object) => autocannon.Request;
  /** The server's process, to measure its CPU time per request. */
  pid?: number;
}

export interface LoadSample {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Server CPU time (user + system) per completed request, in microseconds; undefined off Linux. */
  cpuUsPerRequest?: number;
  /** The part of it spent on the server's main thread (its event loop). */
  mainCpuUsPerRequest?: number;
}

export interface LoadSummary extends LoadSample {
  samples: LoadSample[];
}

/**
 * Anything compareRunners can measure for a while: autocannon against a server, the bench's own driver
 * (lib/drive.ts) for multi-request flows, or a primitive operation in a child (lib/primitives.ts).
 */
export interface Runner {
  label: string;
  run(seconds: number): Promise<LoadSample>;
}

/** Runs `measure` and adds the CPU time `pid` used meanwhile (all threads, and the main thread), per completed request. */
export async function withCpu(pid: number | undefined, measure: () => Promise<Omit<LoadSample, 'cpuUsPerRequest' | 'mainCpuUsPerRequest'>>): Promise<LoadSample> {
  const read = () => (pid === undefined ? [undefined, undefined] : [cpuTimeMs(pid), mainThreadCpuTimeMs(pid)]);
  const [before, mainBefore] = read();
  const sample = await measure();
  const [after, mainAfter] = read();
  const per = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && sample.requests > 0 ? ((b - a) * 1000) / sample.requests : undefined);
  return { ...sample, cpuUsPerRequest: per(before, after), mainCpuUsPerRequest: per(mainBefore, mainAfter) };
}

/**
 * One autocannon run. Latencies are taken from each response rather than from autocannon's histogram,
 * which keeps whole milliseconds only and reads a fast server's p50 as 0 ms. Failed requests make the
 * figure meaningless, so they fail the run.
 */
export async function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<LoadSample> {
  return withCpu(target.pid, async () => {
    const latencies: number[] = [];
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const options: autocannon.Options = {
        url: target.url,
        method: target.method,
        headers: target.headers,
        body: target.body,
        connections,
        duration: seconds,
        ...(target.setupRequest && { requests: [{ setupRequest: target.setupRequest }] }),
      };
      const instance = autocannon(options, (error: unknown, done) => (error ? reject(error) : resolve(done)));
      instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
    });
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${target.label}: ${result.non2xx} non-2xx responses and ${result.errors} errors out of ${result.requests.total}`);
    }
    const sorted = Float64Array.from(latencies).sort();
    return { rps: result.requests.average, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), requests: result.requests.total };
  });
}

/** autocannon with `connections` against `target`, as a Runner. */
export function autocannonRunner(target: LoadTarget, connections: number): Runner {
  return { label: target.label, run: (seconds) => runLoad(target, seconds, connections) };
}

/** A closedLoopRunner also keeps the bench process's own CPU per operation, one figure per run. */
export interface ClosedLoopRunner extends Runner {
  clientCpuUs: number[];
}

/**
 * The bench's own closed loops (lib/drive.ts) of a multi-request flow against the server `pid`, as a
 * Runner. The bench process's CPU per operation is kept too: the client shares the machine's cores.
 */
export function closedLoopRunner(label: string, pid: number | undefined, op: () => Promise<unknown>, concurrency: number): ClosedLoopRunner {
  const clientCpuUs: number[] = [];
  return {
    label,
    clientCpuUs,
    run: async (seconds) => {
      const before = process.cpuUsage();
      const sample = await withCpu(pid, () => closedLoop(op, concurrency, seconds));
      const used = process.cpuUsage(before);
      clientCpuUs.push((used.user + used.system) / Math.max(1, sample.requests));
      return sample;
    },
  };
}

function summarise(samples: LoadSample[]): LoadSummary {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    requests: samples.reduce((sum, s) => sum + s.requests, 0),
    cpuUsPerRequest: samples.every((s) => s.cpuUsPerRequest !== undefined) ? median(samples.map((s) => s.cpuUsPerRequest!)) : undefined,
    mainCpuUsPerRequest: samples.every((s) => s.mainCpuUsPerRequest !== undefined) ? median(samples.map((s) => s.mainCpuUsPerRequest!)) : undefined,
    samples,
  };
}

/**
 * Measures `subject` and `baseline` in alternating order (B S, S B, B S, ...) after a warm-up of each, so
 * drift in the machine's load falls on both alike; reports the median of each.
 */
export async function compareRunners(
  subject: Runner,
  baseline: Runner,
  settings: LoadSettings,
  log: (message: string) => void,
): Promise<{ subject: LoadSummary; baseline: LoadSummary }> {
  for (const runner of [baseline, subject]) {
    log(`warming up ${runner.label} (${settings.warmupSeconds} s)`);
    await runner.run(settings.warmupSeconds);
  }
  const samples = new Map<Runner, LoadSample[]>([
    [subject, []],
    [baseline, []],
  ]);
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? [baseline, subject] : [subject, baseline];
    for (const runner of order) {
      const sample = await runner.run(settings.seconds);
      log(`round ${round + 1}/${settings.rounds} ${runner.label}: ${describeSample(sample)}`);
      samples.get(runner)!.push(sample);
    }
  }
  return { subject: summarise(samples.get(subject)!), baseline: summarise(samples.get(baseline)!) };
}

/** One line of progress for a sample. */
export function describeSample(sample: LoadSample): string {
  const rate = sample.rps >= 100 ? Math.round(sample.rps) : sample.rps.toFixed(1);
  const main = sample.mainCpuUsPerRequest === undefined ? '' : ` (main thread ${sample.mainCpuUsPerRequest.toFixed(0)})`;
  return `${rate} req/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms, ${sample.cpuUsPerRequest?.toFixed(0) ?? '?'} µs CPU/request${main}`;
}

/** compareRunners for two HTTP targets under autocannon, with the same settings for both. */
export async function compareLoad(
  subject: LoadTarget,
  baseline: LoadTarget,
  settings: LoadSettings,
  log: (message: string) => void,
): Promise<{ subject: LoadSummary; baseline: LoadSummary }> {
  return compareRunners(autocannonRunner(subject, settings.connections), autocannonRunner(baseline, settings.connections), settings, log);
}
