import { randomBytes } from 'node:crypto';

/**
 * crypto.randomBytes drawn from a pool refilled in blocks: every call into OpenSSL's generator costs about
 * 2.5 µs whatever its size, and a request draws several small values (UUIDs, key ids, IVs: three in a
 * GetCredentialsForIdentity, 7.5 µs of its 149). Node's randomUUID pools the same way. Every byte is
 * handed out once, as a copy, so no caller can see or change another's.
 */
export function pooledRandomBytes(blockSize = 4096): (size: number) => Buffer {
  let block = Buffer.alloc(0);
  let offset = 0;
  return (size) => {
    if (size > blockSize / 4) return randomBytes(size);
    if (offset + size > block.length) {
      block = randomBytes(blockSize);
      offset = 0;
    }
    const bytes = Buffer.from(block.subarray(offset, offset + size));
    // Spent bytes are wiped, so the block never holds what was already handed out.
    block.fill(0, offset, offset + size);
    offset += size;
    return bytes;
  };
}

/** The process's pool, for code that has no context to take one from (SecretBox). */
export const secureRandomBytes = pooledRandomBytes();
