/**
 * `gatehouse gateway --upstream URL --routes FILE [--port P] [--host H] [--config FILE]`: the gateway
 * as a process. It reads the same configuration as the server (secretsKey, DATABASE_URL / dataDir) to
 * open session tokens and load role policies; user-pool-only route tables need no database.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig, type ConfigOverrides } from './config.js';
import { createGateway } from './gateway.js';
import { loadRouteTable, RouteTableError } from './gateway-routes.js';
import { openServices } from './services.js';
import { listenStartupError } from './startup-errors.js';

export const GATEWAY_DEFAULT_PORT = 8421;

export interface GatewayCommandLine {
  upstream?: string;
  routes?: string;
  /** --port / --host of the command line: where the gateway listens (not the server's). */
  port?: string | number;
  host?: string;
}

export async function runGateway(overrides: ConfigOverrides, flags: GatewayCommandLine): Promise<void> {
  if (!flags.routes) throw new ConfigError('gateway needs --routes FILE (a YAML or JSON route table)');
  let table;
  try {
    table = loadRouteTable(flags.routes);
  } catch (error) {
    if (error instanceof RouteTableError) throw new ConfigError(error.message);
    throw error;
  }
  const { port: _serverPort, ...serverOverrides } = overrides;
  const config = loadConfig(serverOverrides);
  const log = pino({ level: config.logLevel });
  const needsIam = Object.values(table.routes).some((route) => route.authorizer === 'iam');
  const opened = needsIam ? await openServices(config, log) : undefined;
  const gateway = await createGateway({
    ...((flags.upstream ?? table.upstream) && { upstream: flags.upstream ?? table.upstream }),
    routes: table,
    ...(opened && { secrets: opened.services.secrets, roles: opened.services.repos.roles }),
    maxClockSkewSeconds: config.maxClockSkewSeconds,
    trustProxy: config.trustProxy,
    logger: log,
  }).catch(async (error: unknown) => {
    await opened?.close();
    throw new ConfigError((error as Error).message);
  });
  gateway.addHook('onClose', async () => opened?.close());
  const port = flags.port === undefined ? GATEWAY_DEFAULT_PORT : Number(flags.port);
  const host = flags.host ?? config.host;
  const url = await gateway.listen({ port, host }).catch((error: unknown) => {
    throw listenStartupError(error, host, port);
  });
  process.stdout.write(`Gatehouse gateway is ready at ${url}, in front of ${flags.upstream ?? table.upstream ?? '(per-route upstreams)'}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
