/**
 * The bench's own load driver, for what autocannon cannot do: flows of several dependent requests with
 * client-side work between them (SRP), a fixed arrival rate with evenly spaced starts, and primitive
 * operations run in a child process (servers/primitives.ts) exactly as requests are run against a server.
 * `op` is any async operation; both functions report operations per second and latencies.
 */
import { percentile } from './stats.js';

export interface DriveSample {
  /** Operations completed within the measured window, per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}

function summary(latencies: number[], completed: number, seconds: number): DriveSample {
  const sorted = Float64Array.from(latencies).sort();
  return { rps: completed / seconds, p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), requests: latencies.length };
}

/**
 * `concurrency` loops, each starting the next operation as soon as the last one finished (as autocannon's
 * connections do), for `seconds`. Throughput counts what completed inside the window; latency is each
 * operation's own. The first failure stops every loop and fails the run.
 */
export async function closedLoop(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<DriveSample> {
  const latencies: number[] = [];
  const start = performance.now();
  let end = start + seconds * 1000;
  let completed = 0;
  let failure: unknown;
  const loop = async () => {
    while (performance.now() < end) {
      const began = performance.now();
      try {
        await op();
      } catch (error) {
        failure ??= error;
        end = 0;
        return;
      }
      const finished = performance.now();
      latencies.push(finished - began);
      if (finished <= end) completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  if (failure !== undefined) throw failure;
  return summary(latencies, completed, seconds);
}

/**
 * An open-loop run: operation i is due at start + i/rate, evenly spaced, whatever happened to the earlier
 * ones; at most `maxInFlight` run at once (a client with that many connections) and the rest wait their
 * turn. Latency is measured from when an operation was due, not from when it could start, so time spent
 * waiting behind slow operations counts (no coordinated omission).
 */
export function fixedRate(op: () => Promise<unknown>, rate: number, seconds: number, maxInFlight: number): Promise<DriveSample> {
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const start = performance.now() + 1;
  const dueAt = (i: number) => start + i * interval;
  return new Promise((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let finished = 0;
    let failed = false;
    let timer: NodeJS.Timeout | undefined;
    const due: number[] = [];
    const launch = (i: number) => {
      inFlight++;
      op().then(
        () => {
          latencies.push(performance.now() - dueAt(i));
          inFlight--;
          finished++;
          if (finished === total) resolve(summary(latencies, total, (performance.now() - start) / 1000));
          else pump();
        },
        (error: unknown) => {
          if (!failed) {
            failed = true;
            clearTimeout(timer);
            reject(error);
          }
        },
      );
    };
    const pump = () => {
      if (failed) return;
      const now = performance.now();
      while (next < total && dueAt(next) <= now) due.push(next++);
      while (due.length > 0 && inFlight < maxInFlight) launch(due.shift()!);
      if (next < total && timer === undefined) {
        timer = setTimeout(
          () => {
            timer = undefined;
            pump();
          },
          Math.max(0, dueAt(next) - now),
        );
      }
    };
    pump();
  });
}
