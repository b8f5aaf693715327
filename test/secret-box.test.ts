import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretBox } from '../src/security/secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-secrets-key-for-this-test-only-0123456789');

  it('opens what it sealed, as often as asked, and each sealing of one value differs', () => {
    const sealed = box.encrypt('client secret', 'client/us-east-1_abc/1example');
    assert.notEqual(box.encrypt('client secret', 'client/us-east-1_abc/1example'), sealed);
    assert.equal(box.decrypt(sealed, 'client/us-east-1_abc/1example'), 'client secret');
    assert.equal(box.decrypt(sealed, 'client/us-east-1_abc/1example'), 'client secret');
  });

  it('refuses a sealed value in another context, changed, or under another key, even once it has opened and remembered the genuine one', () => {
    const remember = { remember: true };
    const sealed = box.encrypt('client secret', 'client/one');
    assert.equal(box.decrypt(sealed, 'client/one', remember), 'client secret');
    assert.throws(() => box.decrypt(sealed, 'client/two', remember));
    assert.throws(() => box.decrypt(sealed, 'client/two'));
    const [version, iv, body] = sealed.split('.');
    const flipped = `${body[0] === 'A' ? 'B' : 'A'}${body.slice(1)}`;
    assert.throws(() => box.decrypt(`${version}.${iv}.${flipped}`, 'client/one', remember));
    assert.throws(() => new SecretBox('another-secrets-key-entirely-9876543210').decrypt(sealed, 'client/one', remember));
    assert.equal(box.decrypt(sealed, 'client/one', remember), 'client secret');
    assert.equal(box.decrypt(sealed, 'client/one'), 'client secret');
  });

  it('opens its compact form, refuses it changed or in another context, and never takes one form for the other', () => {
    const compact = box.encryptCompact('session claims', 'sts-session-token');
    assert.match(compact, /^[A-Za-z0-9_-]+$/);
    assert.equal(box.decryptCompact(compact, 'sts-session-token'), 'session claims');
    assert.equal(box.decryptCompact(compact, 'sts-session-token', { remember: true }), 'session claims');
    assert.throws(() => box.decryptCompact(compact, 'client/one'));
    const bytes = Buffer.from(compact, 'base64url');
    bytes[bytes.length - 1] ^= 1;
    assert.throws(() => box.decryptCompact(bytes.toString('base64url'), 'sts-session-token'));
    assert.throws(() => box.decryptCompact('AAAA', 'sts-session-token'));
    assert.throws(() => box.decrypt(compact, 'sts-session-token', { remember: true }));
    assert.throws(() => box.decryptCompact(box.encrypt('stored', 'sts-session-token'), 'sts-session-token'));
  });

  it('keeps opening correctly past the number of openings it remembers', () => {
    const sealed = Array.from({ length: 2_100 }, (_, i) => box.encrypt(`secret ${i}`, 'many'));
    for (const [i, value] of sealed.entries()) assert.equal(box.decrypt(value, 'many', { remember: true }), `secret ${i}`);
    assert.equal(box.decrypt(sealed[0], 'many', { remember: true }), 'secret 0');
  });
});
