import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pooledRandomBytes } from '../src/security/random-pool.js';

describe('pooledRandomBytes (security/random-pool.ts)', () => {
  it('hands out each byte once, as copies of the requested size, across refills and for large requests', () => {
    const draw = pooledRandomBytes(64);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const size = [1, 12, 16, 15][i % 4];
      const bytes = draw(size);
      assert.equal(bytes.length, size);
      if (size >= 12) {
        const hex = bytes.toString('hex');
        assert.ok(!seen.has(hex), 'no value comes out twice');
        seen.add(hex);
      }
    }
    // Above a quarter of the block, straight from the generator.
    assert.equal(draw(100).length, 100);
    // A copy: changing it changes nothing the pool hands out later.
    const first = draw(8);
    first.fill(0xff);
    assert.notDeepEqual(draw(8), Buffer.alloc(8, 0xff));
  });

  it('is random enough not to be constant: 4,096 draws of one byte cover most values', () => {
    const draw = pooledRandomBytes();
    const values = new Set<number>();
    for (let i = 0; i < 4096; i++) values.add(draw(1)[0]);
    assert.ok(values.size > 200, `${values.size} distinct byte values`);
  });
});
