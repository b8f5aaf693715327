import assert from 'node:assert/strict';

/** The development mailbox's messages to `recipient`, newest first (GET /_dev/messages). */
export async function messagesTo(url: string, recipient: string): Promise<{ subject?: string; body: string }[]> {
  const response = await fetch(`${url}/_dev/messages?recipient=${encodeURIComponent(recipient)}`);
  assert.equal(response.status, 200);
  return ((await response.json()) as { messages: { subject?: string; body: string }[] }).messages;
}

/** The six-digit code of the newest message to `recipient`. */
export async function latestCode(url: string, recipient: string): Promise<string> {
  const [newest] = await messagesTo(url, recipient);
  const code = newest && /\b(\d{6})\b/.exec(newest.body)?.[1];
  assert.ok(code, `no code sent to ${recipient}`);
  return code;
}
