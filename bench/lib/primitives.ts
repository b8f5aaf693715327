import type { Config } from '../../src/config.js';
import { spawnChild } from './children.js';
import type { DriveSample } from './drive.js';
import { ROOT } from './gatehouse.js';
import { expectStatus, HttpClient } from './http-client.js';
import { autocannonRunner, closedLoopRunner, withCpu, type LoadSample, type LoadTarget, type Runner } from './load.js';

/**
 * The bare operations that bound what Gatehouse can do per second, run in a child process of their own
 * (servers/primitives.ts) with the server's own code where it has one (hashPassword, srp.ts) and the same
 * libuv threadpool a Gatehouse child gets: the baselines of the sign-up and sign-in scenarios.
 */
export type PrimitiveOp =
  /** hashPassword() of password-store.ts: what SignUp costs at least. */
  | 'argon2-hash'
  /** The hash and the SRP verifier that newCredentials stores beside it: what every SignUp must compute. */
  | 'argon2-hash-srp-verifier'
  /** verifyPassword() against a stored hash: what USER_PASSWORD_AUTH costs at least. */
  | 'argon2-verify'
  /** The verify, then the ID and access tokens signed at once: what every USER_PASSWORD_AUTH must compute. */
  | 'argon2-verify-sign-pair'
  /** One RS256 JWT signed with a 2048-bit key by signJws (node:crypto, on the threadpool), as tokens.ts signs. */
  | 'rs256-sign'
  /** Two of them at once, as mintTokens signs the ID and access tokens of one refresh. */
  | 'rs256-sign-pair'
  /** decodeJws + verifyJws of an RS256 access token (node:crypto): what GetUser costs at least. */
  | 'rs256-verify'
  /** The server's share of one USER_SRP_AUTH round trip: startSrpSession, verifyPasswordClaim (3 modexps) and two signatures. */
  | 'srp-server-round-trip'
  /** Nothing: on the HTTP floor, a request of a flow that needs no primitive (a redirect, a page). */
  | 'none';

export interface PrimitiveSettings {
  passwordHashing: Config['passwordHashing'];
}

/** Bench → child. `closed`: `concurrency` loops back to back; `rate`: evenly spaced starts at `rate`/s, at most `concurrency` at once. */
export interface PrimitiveRequest {
  id: number;
  op: PrimitiveOp;
  mode: 'closed' | 'rate';
  concurrency: number;
  seconds: number;
  rate?: number;
}

export type PrimitiveReply = { id: number; sample: DriveSample } | { id: number; error: string };

/** One request of a flow sent to the HTTP floor: it runs `op` (`none` for a request that needs nothing) and answers. */
export interface FloorRequest {
  method: 'GET' | 'POST';
  op: PrimitiveOp;
  headers?: Record<string, string>;
  body?: string;
}

export interface Primitives {
  pid: number;
  /** Closed-loop runs of `op` with `concurrency` in flight, as a Runner for compareRunners. */
  runner(op: PrimitiveOp, concurrency: number, label: string): Runner;
  /**
   * The HTTP floor: `target`'s requests (the same headers and body) sent instead to a bare node:http server
   * in the child that runs `op` once per request and answers; its CPU is the child's.
   */
  httpRunner(op: PrimitiveOp, target: LoadTarget, connections: number, label: string): Runner;
  /**
   * The HTTP floor of a flow of several requests (a sign-in round trip): closed loops, `connections` at
   * once, each sending `requests` in order, as the flow's own requests go one after another.
   */
  httpFlow(requests: FloorRequest[], connections: number, label: string): Runner;
  /** One pass of `requests` to the HTTP floor, in order, each expected to answer 200: for a run at a fixed rate. */
  floorOnce(requests: FloorRequest[], connections: number): () => Promise<void>;
  /** `op` at a fixed rate, for latency at a given load. */
  atRate(op: PrimitiveOp, rate: number, seconds: number, maxInFlight: number): Promise<LoadSample>;
  stop(): Promise<void>;
}

/** Starts the primitives child (tsx, so it shares the server's TypeScript sources) and waits until its keys and hashes are ready. */
export async function startPrimitives(settings: PrimitiveSettings, defer: (cleanup: () => Promise<void>) => void): Promise<Primitives> {
  const child = spawnChild('primitives', ['--import', 'tsx', 'bench/servers/primitives.ts', JSON.stringify(settings)], { cwd: ROOT, ipc: true });
  defer(() => child.stop());
  const [, floorUrl] = await child.waitForOutput(/primitives ready, HTTP floor at (http:\/\/\S+)/, 60_000);
  let nextId = 0;
  const pending = new Map<number, { resolve: (sample: DriveSample) => void; reject: (error: Error) => void }>();
  child.process.on('message', (message: PrimitiveReply) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if ('error' in message) waiter.reject(new Error(`primitives: ${message.error}`));
    else waiter.resolve(message.sample);
  });
  void child.exited.then((code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`primitives exited (${code}):\n${child.output()}`));
    pending.clear();
  });
  const request = (fields: Omit<PrimitiveRequest, 'id'>): Promise<DriveSample> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.process.send({ id, ...fields } satisfies PrimitiveRequest);
    });
  const floorOnce = (requests: FloorRequest[], connections: number) => {
    const flow = new HttpClient(floorUrl, connections);
    defer(async () => flow.close());
    return async () => {
      for (const { method, op, headers, body } of requests) expectStatus(await flow.send(method, `/${op}`, headers, body), 200, `the floor's ${op}`);
    };
  };
  return {
    pid: child.pid,
    runner: (op, concurrency, label) => ({
      label,
      run: (seconds) => withCpu(child.pid, () => request({ op, mode: 'closed', concurrency, seconds })),
    }),
    httpRunner: (op, target, connections, label) => autocannonRunner({ ...target, label, url: `${floorUrl}/${op}`, pid: child.pid }, connections),
    httpFlow: (requests, connections, label) => closedLoopRunner(label, child.pid, floorOnce(requests, connections), connections),
    floorOnce,
    atRate: (op, rate, seconds, maxInFlight) => withCpu(child.pid, () => request({ op, mode: 'rate', concurrency: maxInFlight, seconds, rate })),
    stop: () => child.stop(),
  };
}
