import autocannon from 'autocannon';
import { cpuTimeMs } from './children.js';
import { median } from './stats.js';

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
}

export interface LoadSummary extends LoadSample {
  samples: LoadSample[];
}

/** Nearest-rank percentile of an ascending list. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * One autocannon run. Latencies are taken from each response rather than from autocannon's histogram,
 * which keeps whole milliseconds only and reads a fast server's p50 as 0 ms. Failed requests make the
 * figure meaningless, so they fail the run.
 */
export async function runLoad(target: LoadTarget, seconds: number, connections: number): Promise<LoadSample> {
  const latencies: number[] = [];
  const cpuBefore = target.pid === undefined ? undefined : cpuTimeMs(target.pid);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const options = { url: target.url, method: target.method, headers: target.headers, body: target.body, connections, duration: seconds };
    const instance = autocannon(options, (error: unknown, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${target.label}: ${result.non2xx} non-2xx responses and ${result.errors} errors out of ${result.requests.total}`);
  }
  const cpuAfter = target.pid === undefined ? undefined : cpuTimeMs(target.pid);
  const cpuUsPerRequest = cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1000) / result.requests.total : undefined;
  const sorted = Float64Array.from(latencies).sort();
  return { rps: result.requests.average, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), requests: result.requests.total, cpuUsPerRequest };
}

function summarise(samples: LoadSample[]): LoadSummary {
  return {
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    requests: samples.reduce((sum, s) => sum + s.requests, 0),
    cpuUsPerRequest: samples.every((s) => s.cpuUsPerRequest !== undefined) ? median(samples.map((s) => s.cpuUsPerRequest!)) : undefined,
    samples,
  };
}

/**
 * Measures `subject` and `baseline` in alternating order (B S, S B, B S, ...) after a warm-up of each, so
 * drift in the machine's load falls on both alike; reports the median of each.
 */
export async function compareLoad(
  subject: LoadTarget,
  baseline: LoadTarget,
  settings: LoadSettings,
  log: (message: string) => void,
): Promise<{ subject: LoadSummary; baseline: LoadSummary }> {
  for (const target of [baseline, subject]) {
    log(`warming up ${target.label} (${settings.warmupSeconds} s)`);
    await runLoad(target, settings.warmupSeconds, settings.connections);
  }
  const samples = new Map<LoadTarget, LoadSample[]>([
    [subject, []],
    [baseline, []],
  ]);
  for (let round = 0; round < settings.rounds; round++) {
    const order = round % 2 === 0 ? [baseline, subject] : [subject, baseline];
    for (const target of order) {
      const sample = await runLoad(target, settings.seconds, settings.connections);
      log(`round ${round + 1}/${settings.rounds} ${target.label}: ${Math.round(sample.rps)} req/s, p50 ${sample.p50Ms.toFixed(2)} ms, p99 ${sample.p99Ms.toFixed(2)} ms, ${sample.cpuUsPerRequest?.toFixed(0) ?? '?'} µs CPU/request`);
      samples.get(target)!.push(sample);
    }
  }
  return { subject: summarise(samples.get(subject)!), baseline: summarise(samples.get(baseline)!) };
}
