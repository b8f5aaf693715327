import { fileURLToPath } from 'node:url';
import { spawnChild, type Child } from './children.js';
import { HOST } from './net.js';
import type { BenchStore } from './stores.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
export const JSON_11 = 'application/x-amz-json-1.1';

export interface RunningServer {
  child: Child;
  url: string;
  stop(): Promise<void>;
}

/** The argv of `gatehouse serve` on a store, as an operator would start it (from dist, not through tsx). */
export function serveArgs(store: BenchStore, port: number, profileDir?: string): string[] {
  return [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    'dist/cli.js',
    'serve',
    '--host',
    HOST,
    '--port',
    String(port),
    '--data',
    store.dataDir,
    '--log-level',
    'warn',
    ...(store.databaseUrl ? ['--database-url', store.databaseUrl] : []),
  ];
}

/** Starts Gatehouse on an OS-chosen port and resolves once it prints where it listens. */
export async function startGatehouse(store: BenchStore, profileDir?: string): Promise<RunningServer> {
  const child = spawnChild(`gatehouse (${store.kind})`, serveArgs(store, 0, profileDir), { cwd: ROOT });
  try {
    const [, url] = await child.waitForOutput(/Gatehouse is ready at (http:\/\/\S+)/);
    return { child, url, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The headers of an unsigned AWS JSON 1.1 call (development mode accepts it), as the SDK would send. */
export function apiHeaders(operation: string): Record<string, string> {
  return { 'content-type': JSON_11, 'x-amz-target': `${TARGET_PREFIX}.${operation}` };
}

/** One API call for setting a scenario up; throws on anything but 200. */
export async function callApi<T = Record<string, unknown>>(url: string, operation: string, input: unknown): Promise<T> {
  const response = await fetch(`${url}/`, { method: 'POST', headers: apiHeaders(operation), body: JSON.stringify(input) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
