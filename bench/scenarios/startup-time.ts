import { bareNodeHttpArgs } from '../lib/baselines.js';
import { spawnChild } from '../lib/children.js';
import { ROOT, serveArgs } from '../lib/gatehouse.js';
import { HOST, freePort, waitFor200 } from '../lib/net.js';
import { row } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { median } from '../lib/stats.js';
import { createStore } from '../lib/stores.js';

/** Milliseconds from spawn() to the first 200 on `path`, polled every 2 ms; the child is stopped after. */
async function spawnToReady(label: string, args: (port: number) => string[], path: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnChild(label, args(port), { cwd: ROOT });
  try {
    const ready = await Promise.race([
      waitFor200(`http://${HOST}:${port}${path}`),
      child.exited.then((code) => Promise.reject(new Error(`${label} exited (${code}) before answering:\n${child.output()}`))),
    ]);
    return ready - started;
  } finally {
    await child.stop();
  }
}

/**
 * Cold start of `gatehouse serve` on a fresh SQLite folder (so migrations run, as on a first start) until
 * /ready answers 200, against the same for the smallest Node HTTP server: the ratio carries across machines.
 */
export const startupTime: Scenario = {
  name: 'startup-time',
  description: 'spawn of `gatehouse serve` on a fresh SQLite folder to /ready 200 (target < 1 s), vs a bare node:http server',
  async run(ctx) {
    const repeats = ctx.quick ? 3 : 5;
    const gatehouse: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < repeats; i++) {
      // Alternating, so a busy moment on the machine does not land on one side only.
      bare.push(await spawnToReady('node:http', bareNodeHttpArgs, '/'));
      const store = await createStore('sqlite', ctx.defer);
      gatehouse.push(await spawnToReady('gatehouse (sqlite)', (port) => serveArgs(store, port), '/ready'));
      ctx.log(`start ${i + 1}/${repeats}: gatehouse ${Math.round(gatehouse[i])} ms, node:http ${Math.round(bare[i])} ms`);
    }
    return [
      row({
        scenario: 'startup-time',
        metric: 'spawn to /ready 200',
        unit: 'ms',
        value: median(gatehouse),
        baseline: { label: 'node:http', value: median(bare) },
        target: { on: 'value', op: '<', limit: 1000 },
        samples: { value: gatehouse, baseline: bare },
      }),
    ];
  },
};
