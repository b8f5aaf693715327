import { request } from 'node:http';
import { createServer } from 'node:net';

/** Everything the bench starts or talks to stays on loopback. */
export const HOST = '127.0.0.1';

/** A port the OS just handed out, for children whose port must be known before they print it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive; resolves with the status, or undefined when nothing answers yet. */
function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 1_000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
    req.end();
  });
}

/**
 * Polls `url` every `intervalMs` until it answers 200; resolves with the time that happened
 * (performance.now()). A short interval keeps the polling's own resolution well under the figure measured.
 */
export async function waitFor200(url: string, { timeoutMs = 20_000, intervalMs = 2 } = {}): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if ((await probe(url)) === 200) return performance.now();
    if (performance.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
