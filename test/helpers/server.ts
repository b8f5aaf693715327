import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { configSchema, type ConfigInput } from '../../src/config.js';
import { createGatehouse, type Gatehouse, type ServerOverrides } from '../../src/server.js';
import { createStore, type StoreName, type TestStore } from './stores.js';

export interface TestServer {
  url: string;
  gatehouse: Gatehouse;
  store: TestStore;
  /** An AWS SDK v3 client pointed at the server, with any credentials (development mode). */
  idp(region?: string): CognitoIdentityProviderClient;
  /** Stops the server; the store stays, so a new server can be started on it. */
  stop(): Promise<void>;
  /** Stops the server and drops the store. */
  close(): Promise<void>;
}

/** argon2id at its cheapest, so a test hashes in a millisecond (the bench measures the real parameters). */
export const FAST_HASHING = { passwordHashing: { memoryKiB: 1024, iterations: 1, parallelism: 1 } };

/** A password every default policy accepts. */
export const PASSWORD = 'Corr3ct-Horse-Battery';

export const ANY_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLELOCAL', secretAccessKey: 'any-secret-will-do' };

export function sdkClient(url: string, region = 'us-east-1', credentials = ANY_CREDENTIALS): CognitoIdentityProviderClient {
  // maxAttempts 1: a test must see the server's first answer, not the SDK's retry of it.
  return new CognitoIdentityProviderClient({ endpoint: url, region, credentials, maxAttempts: 1 });
}

/** Starts Gatehouse on an ephemeral loopback port, on a fresh store of the given kind. */
export async function startServer(
  storeName: StoreName,
  settings: Partial<ConfigInput> = {},
  overrides: ServerOverrides = {},
  existingStore?: TestStore,
): Promise<TestServer> {
  const store = existingStore ?? (await createStore(storeName));
  const config = configSchema.parse({
    port: 0,
    logLevel: 'silent',
    dataDir: store.dataDir,
    ...(store.databaseUrl && { databaseUrl: store.databaseUrl }),
    ...settings,
  });
  const gatehouse = await createGatehouse(config, overrides);
  const url = await gatehouse.listen();
  const server: TestServer = {
    url,
    gatehouse,
    store,
    idp: (region) => sdkClient(url, region),
    stop: () => gatehouse.close(),
    close: async () => {
      await gatehouse.close();
      await store.drop();
    },
  };
  return server;
}
