import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Turns } from '../src/security/turns.js';

/** A task the test finishes by hand. */
function task() {
  let finish!: (ok: boolean) => void;
  const done = new Promise<string>((resolve, reject) => {
    finish = (ok) => (ok ? resolve('done') : reject(new Error('failed')));
  });
  return { done, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns (security/turns.ts)', () => {
  it('runs at most `size` tasks at once, the others first come first served, and a failure frees its turn', async () => {
    const turns = new Turns(() => 2);
    const tasks = Array.from({ length: 5 }, task);
    const started: number[] = [];
    const results = tasks.map((t, i) =>
      turns.run(() => {
        started.push(i);
        return t.done;
      }),
    );
    await tick();
    assert.deepEqual(started, [0, 1]);
    tasks[1].finish(false);
    await assert.rejects(results[1], /failed/);
    await tick();
    assert.deepEqual(started, [0, 1, 2]);
    tasks[0].finish(true);
    tasks[2].finish(true);
    await tick();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    tasks[3].finish(true);
    tasks[4].finish(true);
    assert.deepEqual(await Promise.all([results[0], results[2], results[3], results[4]]), ['done', 'done', 'done', 'done']);
    // Every turn was given back: two new tasks start at once.
    const more = [task(), task()];
    const moreStarted: number[] = [];
    const moreResults = more.map((t, i) => turns.run(() => (moreStarted.push(i), t.done)));
    await tick();
    assert.deepEqual(moreStarted, [0, 1]);
    more.forEach((t) => t.finish(true));
    await Promise.all(moreResults);
  });

  it('gives a size below one a single turn', async () => {
    const turns = new Turns(() => 0);
    const [a, b] = [task(), task()];
    const started: string[] = [];
    const results = [turns.run(() => (started.push('a'), a.done)), turns.run(() => (started.push('b'), b.done))];
    await tick();
    assert.deepEqual(started, ['a']);
    a.finish(true);
    await tick();
    assert.deepEqual(started, ['a', 'b']);
    b.finish(true);
    await Promise.all(results);
  });
});
