import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback port where nothing answers: every connection is dropped at once. A port bound and then
 * closed would do the same until a server of a test running beside this one is given it — then the
 * "unreachable" peer answers. This one stays held for the life of the test process (unref'd, so it
 * keeps nothing alive).
 */
export async function droppingPort(): Promise<number> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return (server.address() as AddressInfo).port;
}
