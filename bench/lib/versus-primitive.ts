import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fixedRate, type DriveSample } from './drive.js';
import { compareRunners, describeSample, type LoadTarget, type Runner } from './load.js';
import type { FloorRequest, PrimitiveOp, Primitives } from './primitives.js';
import { row, type Row } from './results.js';
import type { ScenarioContext } from './scenario.js';

/**
 * A Gatehouse operation whose cost is bounded by one primitive (argon2, RS256, SRP's modexps): its
 * throughput through the whole stack against that primitive's bare rate at the same concurrency, in the
 * same run, rounds alternating (lib/load.ts compareRunners); then, optionally, its latency at a fixed
 * rate of half the measured peak against the primitive's at the same rate.
 */
export interface VersusPrimitive {
  scenario: string;
  /** Closed loop through the stack with ctx.load.connections in flight; its samples carry the server's CPU. */
  subject: Runner;
  primitives: Primitives;
  baseline: {
    op: PrimitiveOp;
    label: string;
    /** The baseline figure is the primitive's rate times this (refresh: ½, two signatures per refresh). */
    scale?: number;
  };
  target: number;
  /** What one subject operation is called in the rows: 'request' (the default), or e.g. 'round trip'. */
  per?: string;
  /**
   * The subject's requests, and the primitive one of them needs, for a second comparison against the HTTP
   * floor: a bare node:http server running only that primitive per request (no target; what is left to gain).
   */
  overHttp?: { target: LoadTarget; op: PrimitiveOp; label: string } | FloorFlow;
  /** One operation through the stack (for the fixed-rate run), and the primitive to run at the same rate. */
  atHalfPeak?: { once: () => Promise<unknown>; op: PrimitiveOp; label: string };
  note?: string;
}

/**
 * The HTTP floor of a flow of several requests (a sign-in round trip): the same requests to the bare
 * node:http server, each running what its counterpart needs (or nothing), in closed loops (Primitives.httpFlow).
 */
export interface FloorFlow {
  requests: FloorRequest[];
  label: string;
}

/** Longest fixed-rate run, and how many operations it aims for (a p99 needs a few hundred). */
const MAX_RATE_SECONDS = 15;
const RATE_SAMPLES = 500;

export async function compareWithPrimitive(ctx: ScenarioContext, spec: VersusPrimitive): Promise<Row[]> {
  const { scenario } = spec;
  const connections = ctx.load.connections;
  const scale = spec.baseline.scale ?? 1;
  const per = spec.per ?? 'request';
  const baselineRunner = spec.primitives.runner(spec.baseline.op, connections, spec.baseline.label);
  const { subject: s, baseline: b } = await compareRunners(spec.subject, baselineRunner, ctx.load, ctx.log);

  const unit = per === 'request' ? 'req/s' : `${per}s/s`;
  const bare = { label: `${spec.baseline.label}${scale !== 1 ? ` × ${scale}` : ''}, ${connections} in flight`, value: b.rps * scale };
  const rows = [
    row({
      scenario,
      metric: 'throughput',
      unit,
      value: s.rps,
      baseline: bare,
      target: { on: 'ratio', op: '>=', limit: spec.target },
      samples: { value: s.samples.map((x) => x.rps), baseline: b.samples.map((x) => x.rps * scale) },
      ...(spec.note && { note: spec.note }),
    }),
  ];
  if (s.cpuUsPerRequest !== undefined && b.cpuUsPerRequest !== undefined) {
    // Work per request whatever else the machine was doing: the steadiest figure on a shared machine.
    rows.push(row({ scenario, metric: `server CPU/${per}`, unit: 'µs', value: s.cpuUsPerRequest, baseline: { label: spec.baseline.label, value: b.cpuUsPerRequest / scale } }));
  }
  if (s.mainCpuUsPerRequest !== undefined && b.mainCpuUsPerRequest !== undefined) {
    // The event loop is the one thread every request needs: when it is the busier part, it bounds throughput.
    rows.push(
      row({ scenario, metric: `  of which main thread`, unit: 'µs', value: s.mainCpuUsPerRequest, baseline: { label: `${spec.baseline.label}, main thread`, value: b.mainCpuUsPerRequest / scale } }),
    );
  }

  const floor = spec.overHttp && httpFloor(spec.overHttp, spec.primitives, connections);
  if (floor) {
    const { subject: s2, baseline: f } = await compareRunners(spec.subject, floor.runner, ctx.load, ctx.log);
    rows.push(
      row({
        scenario,
        metric: 'throughput vs the HTTP floor',
        unit,
        value: s2.rps,
        baseline: { label: `bare node:http + ${floor.label}, ${connections} connections`, value: f.rps },
        samples: { value: s2.samples.map((x) => x.rps), baseline: f.samples.map((x) => x.rps) },
        note: 'the same requests to a node:http server that only runs the primitive and answers: the ratio is what Gatehouse costs beyond a minimal HTTP server doing the same primitive',
      }),
    );
    if (s2.cpuUsPerRequest !== undefined && f.cpuUsPerRequest !== undefined) {
      rows.push(row({ scenario, metric: `server CPU/${per} vs the HTTP floor`, unit: 'µs', value: s2.cpuUsPerRequest, baseline: { label: `bare node:http + ${floor.label}`, value: f.cpuUsPerRequest } }));
    }
    // Roughly the most any server doing this operation's work reaches here: where the floor stays under the
    // target, so would any implementation. Rough, since the two figures come from different rounds.
    const note = `about the most any server doing this work reaches against the target's baseline (target ${spec.target}); rough: the floor and the bare primitive come from different rounds of the run, and rounds move by more than 10% on a noisy machine`;
    rows.push(row({ scenario, metric: 'HTTP floor vs the bare primitive', unit, value: f.rps, baseline: bare, note }));
  }

  if (spec.atHalfPeak) {
    const rate = s.rps / 2;
    const seconds = ctx.quick ? ctx.load.seconds : Math.min(MAX_RATE_SECONDS, Math.max(ctx.load.seconds, RATE_SAMPLES / rate));
    ctx.log(`latency at half the peak: ${rate.toFixed(1)}/s for ${seconds.toFixed(1)} s each after ${ctx.load.warmupSeconds} s of warm-up, at most ${connections} in flight`);
    await spec.primitives.atRate(spec.atHalfPeak.op, rate, ctx.load.warmupSeconds, connections);
    const base = await spec.primitives.atRate(spec.atHalfPeak.op, rate, seconds, connections);
    ctx.log(`at ${rate.toFixed(1)}/s ${spec.atHalfPeak.label}: ${describeSample(base)}`);
    const atRate = (once: () => Promise<unknown>, label: string) => driveAtRate(ctx, once, label, rate, seconds);
    const subject = await atRate(spec.atHalfPeak.once, spec.subject.label);
    const metric = `latency p99 at ${rate.toFixed(rate >= 100 ? 0 : 1)}/s (½ peak)`;
    const stall = (sample: AtRate) => `the load generator's longest event-loop stall meanwhile ${sample.generatorStallMs.toFixed(1)} ms`;
    rows.push(
      row({
        scenario,
        metric,
        unit: 'ms',
        value: subject.p99Ms,
        baseline: { label: `${spec.atHalfPeak.label} at the same rate`, value: base.p99Ms },
        note: `open loop, evenly spaced, latency from when each was due; p50 ${subject.p50Ms.toFixed(1)} ms vs ${base.p50Ms.toFixed(1)} ms, ${subject.requests} operations; ${stall(subject)}`,
      }),
    );
    if (floor) {
      // The bare primitive answers no HTTP and is driven inside its child: the floor, driven from this
      // process exactly as the subject was, shows how much of the tail any HTTP server gets on this machine.
      const bare = await atRate(spec.primitives.floorOnce(floor.requests, connections), `node:http + ${floor.label}`);
      rows.push(
        row({
          scenario,
          metric: `${metric} vs the HTTP floor`,
          unit: 'ms',
          value: subject.p99Ms,
          baseline: { label: `bare node:http + ${floor.label} at the same rate`, value: bare.p99Ms },
          note: `the floor driven alike from this process; p50 ${subject.p50Ms.toFixed(1)} ms vs ${bare.p50Ms.toFixed(1)} ms; for the floor, ${stall(bare)}`,
        }),
      );
    }
  }
  return rows;
}

/**
 * The HTTP floor's requests (a flow's own, or the subject's one request running `op`), for its throughput
 * and again at half the peak, and its runner: the bench's closed loops for a flow, autocannon, as for the
 * subject, for one request.
 */
function httpFloor(overHttp: NonNullable<VersusPrimitive['overHttp']>, primitives: Primitives, connections: number): FloorFlow & { runner: Runner } {
  if ('requests' in overHttp) return { ...overHttp, runner: primitives.httpFlow(overHttp.requests, connections, 'node:http floor round trip') };
  const { target, op, label } = overHttp;
  return {
    requests: [{ method: target.method, op, headers: target.headers, body: target.body }],
    label: `${label} per request`,
    runner: primitives.httpRunner(op, target, connections, `node:http + ${label}`),
  };
}

interface AtRate extends DriveSample {
  generatorStallMs: number;
}

/**
 * `once` at a fixed rate from this process, after a warm-up at that rate. A pause of this process (its
 * GC) delays every request due meanwhile and counts as the server's latency: its longest event-loop stall
 * tells whether a bad p99 was the server's.
 */
async function driveAtRate(ctx: ScenarioContext, once: () => Promise<unknown>, label: string, rate: number, seconds: number): Promise<AtRate> {
  // The warm-up matters: the bench's own HTTP client is cold at first (JIT), and a backlog in the first
  // second would count against every operation due during it.
  await fixedRate(once, rate, ctx.load.warmupSeconds, ctx.load.connections);
  const generator = monitorEventLoopDelay({ resolution: 1 });
  generator.enable();
  const sample = await fixedRate(once, rate, seconds, ctx.load.connections);
  generator.disable();
  const generatorStallMs = generator.max / 1e6;
  ctx.log(`at ${rate.toFixed(1)}/s ${label}: ${describeSample(sample)}; load generator's longest stall ${generatorStallMs.toFixed(1)} ms`);
  return { ...sample, generatorStallMs };
}
