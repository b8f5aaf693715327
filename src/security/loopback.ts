import { isIP } from 'node:net';

/** localhost, ::1 (bracketed or not) or 127.x.y.z: the hosts that never leave the machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || (isIP(bare) === 4 && bare.startsWith('127.'));
}

/** https, or plain http to a loopback host (development and tests): where a secret or a key may be fetched or sent. */
export function isHttpsOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname));
}
