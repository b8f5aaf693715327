import { startBareFastify } from '../lib/baselines.js';
import { residentBytes } from '../lib/children.js';
import { startGatehouse } from '../lib/gatehouse.js';
import { row } from '../lib/results.js';
import type { Scenario } from '../lib/scenario.js';
import { median, sleep } from '../lib/stats.js';
import { createStore } from '../lib/stores.js';

const MB = 2 ** 20;

/** VmRSS a few times, 200 ms apart: the median ignores a read that lands on a GC or a lazy allocation. */
async function settledRss(pid: number): Promise<number> {
  const reads: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) await sleep(200);
    const bytes = residentBytes(pid);
    if (bytes === undefined) throw new Error(`cannot read /proc/${pid}/status (Linux only)`);
    reads.push(bytes);
  }
  return median(reads);
}

/** Resident memory of a freshly started Gatehouse (SQLite) that has served nothing yet. */
export const idleMemory: Scenario = {
  name: 'idle-memory',
  description: 'VmRSS of an idle Gatehouse child after start-up (target < 100 MB), vs an idle bare Fastify app',
  skipReason: () => (process.platform === 'linux' ? undefined : 'reads /proc/<pid>/status, which only Linux has'),
  async run(ctx) {
    const store = await createStore('sqlite', ctx.defer);
    const gatehouse = await startGatehouse(store, ctx.serverFlags);
    ctx.defer(() => gatehouse.stop());
    const bare = await startBareFastify();
    ctx.defer(() => bare.stop());
    // Start-up garbage and lazily loaded code settle in the first second or two.
    await sleep(ctx.quick ? 1_000 : 2_000);
    const [g, b] = [await settledRss(gatehouse.child.pid), await settledRss(bare.child.pid)];
    return [
      row({
        scenario: 'idle-memory',
        metric: 'RSS at idle',
        unit: 'MB',
        value: g / MB,
        baseline: { label: 'bare fastify', value: b / MB },
        target: { on: 'value', op: '<', limit: 100 },
      }),
    ];
  },
};
