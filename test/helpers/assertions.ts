import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AttributeType } from '@aws-sdk/client-cognito-identity-provider';

/** The call fails with the AWS error `name` (and, when given, a message matching `message`). */
export async function rejects(promise: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: Error) => {
    assert.equal(error.name, name, `expected ${name}, got ${error.name}: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

/** Addresses unique to a run, since the development mailbox is shared by every pool of a server. */
export function uniqueEmail(local: string): string {
  return `${local}-${randomBytes(4).toString('hex')}@example.com`;
}

export function uniquePhone(): string {
  return `+1555${String(randomBytes(4).readUInt32BE() % 10_000_000).padStart(7, '0')}`;
}

export function attribute(attributes: AttributeType[] | undefined, name: string): string | undefined {
  return attributes?.find((a) => a.Name === name)?.Value;
}
