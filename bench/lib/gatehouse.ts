import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configSchema, type Config, type ConfigInput } from '../../src/config.js';
import { spawnChild, type Child } from './children.js';
import { HOST } from './net.js';
import type { BenchStore } from './stores.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';
/** The Cognito Identity (identity pools) service: the same protocol on the same POST /, another prefix. */
export const IDENTITY_TARGET_PREFIX = 'AWSCognitoIdentityService';
export const JSON_11 = 'application/x-amz-json-1.1';

export interface RunningServer {
  child: Child;
  url: string;
  stop(): Promise<void>;
}

/**
 * argon2id parameters of the bench's servers: Gatehouse's defaults (19 MiB, 2 passes, 1 lane), written
 * into their config explicitly, so the baseline hashing in servers/primitives.ts uses exactly the same.
 */
export const BENCH_PASSWORD_HASHING: Config['passwordHashing'] = configSchema.parse({}).passwordHashing;

/**
 * `--argon2-memory`: every server of the run, Gatehouse and baselines alike, hashes with `kib` instead;
 * refused (a ZodError naming the bound) where Gatehouse's own config would refuse it.
 */
export function setBenchArgon2Memory(kib: number): void {
  BENCH_PASSWORD_HASHING.memoryKiB = configSchema.parse({ passwordHashing: { ...BENCH_PASSWORD_HASHING, memoryKiB: kib } }).passwordHashing.memoryKiB;
}

/**
 * Config for scenarios that sign in many times from one address: the credential rate limit (20/s per
 * address by default) would otherwise be what is measured.
 */
export const SIGN_IN_CONFIG: ConfigInput = {
  passwordHashing: BENCH_PASSWORD_HASHING,
  credentialRateLimit: { perSecond: 1e9, burst: 1e9 },
};

/** The argv of `gatehouse serve` on a store, as an operator would start it (from dist, not through tsx). */
export function serveArgs(store: BenchStore, port: number, nodeFlags: string[] = [], configFile?: string): string[] {
  return [
    ...nodeFlags,
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
    ...(configFile ? ['--config', configFile] : []),
  ];
}

/**
 * Starts Gatehouse on an OS-chosen port, Node given `nodeFlags` (the run's --profile and --server-flag), and
 * resolves once it prints where it listens. `config` is written to a JSON file in the store's folder and
 * passed with --config (flags still set host, port and store).
 */
export async function startGatehouse(store: BenchStore, nodeFlags: string[] = [], config?: ConfigInput): Promise<RunningServer> {
  let configFile: string | undefined;
  if (config) {
    configFile = join(store.dataDir, 'bench-config.json');
    writeFileSync(configFile, JSON.stringify(config));
  }
  const child = spawnChild(`gatehouse (${store.kind})`, serveArgs(store, 0, nodeFlags, configFile), { cwd: ROOT });
  try {
    const [, url] = await child.waitForOutput(/Gatehouse is ready at (http:\/\/\S+)/);
    return { child, url, stop: () => child.stop() };
  } catch (error) {
    await child.stop();
    throw error;
  }
}

/** The headers of an unsigned AWS JSON 1.1 call (development mode accepts it), as the SDK would send. */
export function apiHeaders(operation: string, targetPrefix = TARGET_PREFIX): Record<string, string> {
  return { 'content-type': JSON_11, 'x-amz-target': `${targetPrefix}.${operation}` };
}

/** One API call (of the user-pool service unless `targetPrefix` says another) for setting a scenario up; throws on anything but 200. */
export async function callApi<T = Record<string, unknown>>(url: string, operation: string, input: unknown, targetPrefix = TARGET_PREFIX): Promise<T> {
  const response = await fetch(`${url}/`, { method: 'POST', headers: apiHeaders(operation, targetPrefix), body: JSON.stringify(input) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${operation} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}
