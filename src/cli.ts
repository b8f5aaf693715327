#!/usr/bin/env node
import { parseArgs } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import { ConfigError, loadConfig, type Config, type ConfigOverrides } from './config.js';
import { BootstrapError } from './bootstrap.js';
import { createGatehouse } from './server.js';
import { openDatabase } from './storage/database.js';
import { migrateToLatest } from './storage/migrate.js';
import { openServices } from './services.js';
import { StartupError } from './startup-errors.js';
import { isWorker, reportListening, runPrimary, workerCount, workerOverrides } from './workers.js';
import type { GatewayCommandLine } from './gateway-cli.js';
import { pino } from 'pino';

const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve      start the server (the default)
  migrate    apply database migrations and exit
  keys rotate --pool POOL_ID
             add a new token-signing key to a user pool; the old key keeps verifying
             the tokens it signed until they expire
  gateway --upstream URL --routes FILE [--port P]
             a reverse proxy that lets through only requests its routes' authorizers
             allow (user pool tokens, or SigV4 with Gatehouse credentials and the role's
             policies); listens on 8421 by default

Options:
  --port N          port to listen on (default 8420; GATEHOUSE_PORT)
  --host H          address to bind (default 127.0.0.1; GATEHOUSE_HOST)
  --workers N       server processes sharing the port, one per core as a rule; 0 for one
                    per available core (default 1; GATEHOUSE_WORKERS)
  --data DIR        SQLite data folder (default ./data; GATEHOUSE_DATA)
  --config FILE     YAML or JSON config file (GATEHOUSE_CONFIG)
  --mode M          development | production (GATEHOUSE_MODE)
  --database-url U  PostgreSQL URL instead of SQLite (DATABASE_URL)
  --log-level L     fatal | error | warn | info | debug | trace | silent
  -h, --help        this text
`;

function parseCommandLine(argv: string[]): { command: string; overrides: ConfigOverrides; pool?: string; gateway: GatewayCommandLine } {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      workers: { type: 'string' },
      host: { type: 'string' },
      data: { type: 'string' },
      config: { type: 'string' },
      mode: { type: 'string' },
      'database-url': { type: 'string' },
      'log-level': { type: 'string' },
      pool: { type: 'string' },
      upstream: { type: 'string' },
      routes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const overrides = {
    port: values.port as unknown as number | undefined,
    workers: values.workers as unknown as number | undefined,
    host: values.host,
    dataDir: values.data,
    configFile: values.config,
    mode: values.mode,
    databaseUrl: values['database-url'],
    logLevel: values['log-level'],
  } as ConfigOverrides;
  const gateway = { upstream: values.upstream, routes: values.routes, port: values.port, host: values.host };
  return { command: positionals.slice(0, 2).join(' ') || 'serve', overrides, pool: values.pool, gateway };
}

async function serve(overrides: ConfigOverrides): Promise<void> {
  const config = loadConfig(overrides);
  if (workerCount(config) > 1 && isWorker()) return serveAsWorker(config);
  let url: string;
  let stopServing: () => Promise<void>;
  let log: FastifyBaseLogger;
  if (workerCount(config) > 1) {
    log = pino({ level: config.logLevel });
    const primary = await runPrimary(config, log);
    ({ url } = primary);
    stopServing = primary.stop;
  } else {
    const gatehouse = await createGatehouse(config);
    url = await gatehouse.listen();
    log = gatehouse.app.log;
    stopServing = () => gatehouse.close();
  }
  const pool = config.userPools[0];
  const workers = workerCount(config);
  process.stdout.write(
    `\nGatehouse is ready at ${url} (${config.mode} mode${workers > 1 ? `, ${workers} worker processes` : ''})\n\n` +
      `Try it with the AWS CLI:\n` +
      `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws cognito-idp list-user-pools --max-results 10 \\\n` +
      `    --region ${config.region} --endpoint-url ${url}\n` +
      (pool?.Id ? `  (declared pool: ${pool.Id}${pool.Clients[0]?.ClientId ? `, client ${pool.Clients[0].ClientId}` : ''})\n` : '') +
      `\n`,
  );
  stopOnSignals(log, stopServing);
}

/** One of `serve --workers`' processes: serves, and tells the primary once it listens. */
async function serveAsWorker(config: Config): Promise<void> {
  const gatehouse = await createGatehouse(config, workerOverrides());
  reportListening(await gatehouse.listen());
  stopOnSignals(gatehouse.app.log, () => gatehouse.close());
  // Orphaned (the primary was killed): no connection will come any more.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}

/** SIGTERM (and Ctrl-C) stop taking new connections, let in-flight requests finish, then exit. */
function stopOnSignals(log: FastifyBaseLogger, stopServing: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'draining in-flight requests and shutting down');
    stopServing().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function migrate(overrides: ConfigOverrides): Promise<void> {
  const config = loadConfig(overrides);
  const { db, location } = openDatabase(config);
  try {
    const applied = await migrateToLatest(db as never);
    process.stdout.write(applied.length ? `applied ${applied.join(', ')} to ${location}\n` : `${location} is up to date\n`);
  } finally {
    await db.destroy();
  }
}

async function rotateKeys(overrides: ConfigOverrides, poolId: string | undefined): Promise<void> {
  if (!poolId) throw new ConfigError('keys rotate needs --pool POOL_ID');
  const config = loadConfig(overrides);
  const { services, close } = await openServices(config, pino({ level: 'warn' }));
  try {
    if (!(await services.repos.userPools.get(poolId))) throw new ConfigError(`user pool ${poolId} does not exist`);
    const kid = await services.keys.rotate(poolId);
    process.stdout.write(`${poolId} now signs with key ${kid}; earlier keys keep verifying for a day\n`);
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const { command, overrides, pool, gateway } = parseCommandLine(process.argv.slice(2));
  if (command === 'serve' || command.startsWith('serve ')) return serve(overrides);
  if (command === 'migrate') return migrate(overrides);
  if (command === 'keys rotate') return rotateKeys(overrides, pool);
  // Loaded on demand: `serve` does not pay for the proxy's start-up.
  if (command === 'gateway') return (await import('./gateway-cli.js')).runGateway(overrides, gateway);
  process.stderr.write(`unknown command '${command}'\n\n${USAGE}`);
  process.exit(2);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof BootstrapError || error instanceof StartupError) {
    process.stderr.write(`gatehouse: ${error.message}\n`);
  } else {
    process.stderr.write(`gatehouse: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
