import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultResponse } from '../src/protocol/serialize.js';

/** The body resultResponse answers with, parsed. */
function wire(output: unknown): Record<string, unknown> {
  return JSON.parse(resultResponse(output).body.toString('utf8')) as Record<string, unknown>;
}

function deepFreeze<T>(value: T): T {
  // A Buffer cannot be frozen (its bytes stay writable): it is left as it is, as a stored tree would hold it.
  if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe('AWS JSON 1.1 serialisation (protocol/serialize.ts)', () => {
  it('writes Dates as epoch seconds and Buffers as base64, in frozen trees too, every time', () => {
    const frozen = deepFreeze({ settings: { a: [1, { b: 'x' }] }, at: { when: new Date(1_500_000_000_500) }, blob: Buffer.from('hi') });
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(wire({ Pool: frozen }), { Pool: { settings: { a: [1, { b: 'x' }] }, at: { when: 1_500_000_000.5 }, blob: 'aGk=' } });
    }
  });

  it('sees a change below a frozen object whose children are not frozen', () => {
    const child = { name: 'before' };
    const parent = Object.freeze({ child });
    assert.deepEqual(wire(parent), { child: { name: 'before' } });
    child.name = 'after';
    (child as Record<string, unknown>).when = new Date(2000);
    assert.deepEqual(wire(parent), { child: { name: 'after', when: 2 } });
  });
});
