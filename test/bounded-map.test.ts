import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BoundedMap } from '../src/bounded-map.js';

it('BoundedMap keeps its newest entries up to its limit; setting a kept key again drops nothing', () => {
  const map = new BoundedMap<string, number>(2);
  map.set('a', 1).set('b', 2);
  map.set('a', 10);
  assert.deepEqual([...map], [['a', 10], ['b', 2]]);
  map.set('c', 3);
  assert.deepEqual([...map], [['b', 2], ['c', 3]]);
});
