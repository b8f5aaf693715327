import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.js';
import { rateLimitsOf, type Allowance, type RateLimits } from './security/rate-limiter.js';
import { applyDeclaredConfig, type ServerOverrides } from './server.js';
import { openServices } from './services.js';
import { StartupError } from './startup-errors.js';

/**
 * `gatehouse serve --workers N`: N server processes share one port through node:cluster, the primary
 * handing connections to them in turn, so one machine's cores all serve. Everything a request needs is in
 * the database, which they share, and each process keeps only caches that check it (the SQLite read cache
 * checks for other processes' commits; remembered tokens are checked for revocation every time). Rate
 * limits are the primary's, which the workers ask: a client gets one allowance, not one per worker.
 */

/** How many server processes `config.workers` asks for: 0 means one per core this process may use. */
export function workerCount(config: Pick<Config, 'workers'>): number {
  return config.workers === 0 ? availableParallelism() : config.workers;
}

/** True in a process forked by `runPrimary`. */
export const isWorker = (): boolean => cluster.isWorker;

const LISTENING = 'gatehouse:listening';
const METRICS_REQUEST = 'gatehouse:metrics';
const RATE_LIMIT_REQUEST = 'gatehouse:rate-limit';

interface Message {
  type: string;
  id?: number;
  url?: string;
  contentType?: string;
  text?: string;
  error?: string;
  /** A rate-limit question: which limit, which method, which key; and its answer. */
  limit?: keyof RateLimits;
  method?: keyof Allowance;
  key?: string;
  allowed?: boolean;
}

/** A worker that exits sooner than this after it started counts as a failed start. */
const QUICK_EXIT_MS = 10_000;
/** Failed starts in a row after which the primary gives up rather than forking forever. */
const MAX_QUICK_EXITS = 5;
/** How long the workers get to finish their requests on SIGTERM before they are killed. */
const STOP_GRACE_MS = 30_000;

/**
 * The primary: applies migrations and the declared configuration once (N processes doing it at the same
 * time would race to create the same pools), then forks the workers and answers when all of them listen.
 * A worker that dies is replaced. Resolves with the URL they serve, and how to stop them.
 */
export async function runPrimary(config: Config, log: FastifyBaseLogger): Promise<{ url: string; stop(): Promise<void> }> {
  const { services, close } = await openServices(config, log);
  try {
    await applyDeclaredConfig(services, config);
  } finally {
    await close();
  }

  const count = workerCount(config);
  // Aggregates the workers' metrics for /metrics; a worker asks here on its callers' behalf.
  const aggregator = new AggregatorRegistry();
  // The one copy of the rate limits; a worker asks here before each credential check or code message.
  const limits = rateLimitsOf(config);
  let stopping = false;
  let quickExits = 0;
  let failStart: ((error: Error) => void) | undefined;

  const fork = (): Worker => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    const answer = (message: Message) => worker.isConnected() && worker.send(message);
    worker.on('message', (message: Message) => {
      if (message?.type === RATE_LIMIT_REQUEST) {
        const limit = message.limit && Object.hasOwn(limits, message.limit) ? limits[message.limit] : undefined;
        const allowed = limit && typeof message.key === 'string' && (message.method === 'take' ? limit.take(message.key) : limit.available(message.key));
        answer({ type: RATE_LIMIT_REQUEST, id: message.id, allowed: allowed === true });
      } else if (message?.type === METRICS_REQUEST) {
        aggregator.clusterMetrics().then(
          (text) => answer({ type: METRICS_REQUEST, id: message.id, contentType: aggregator.contentType, text }),
          (error: Error) => answer({ type: METRICS_REQUEST, id: message.id, error: error.message }),
        );
      }
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      quickExits = Date.now() - startedAt < QUICK_EXIT_MS ? quickExits + 1 : 0;
      if (failStart) {
        failStart(new StartupError(`a worker exited before it was listening (${signal ?? `code ${code}`}); its error is above`));
        return;
      }
      if (quickExits >= MAX_QUICK_EXITS) {
        log.fatal({ code, signal }, `workers keep exiting within ${QUICK_EXIT_MS / 1000} s of starting: stopping`);
        void stop().then(() => process.exit(1));
        return;
      }
      log.error({ pid: worker.process.pid, code, signal }, 'a worker exited; starting another');
      fork();
    });
    return worker;
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const kill = setTimeout(() => worker.process.kill('SIGKILL'), STOP_GRACE_MS);
            worker.once('exit', () => {
              clearTimeout(kill);
              resolve();
            });
            worker.process.kill('SIGTERM');
          }),
      ),
    );
  };

  try {
    const urls = await new Promise<string[]>((resolve, reject) => {
      failStart = reject;
      const listening: string[] = [];
      cluster.on('message', function onMessage(_worker, message: Message) {
        if (message?.type !== LISTENING || !message.url) return;
        listening.push(message.url);
        if (listening.length === count) {
          cluster.off('message', onMessage);
          resolve(listening);
        }
      });
      for (let i = 0; i < count; i++) fork();
    });
    failStart = undefined;
    return { url: urls[0]!, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What a worker's server does differently: see ServerOverrides. */
export function workerOverrides(): ServerOverrides {
  return {
    declaredConfigApplied: true,
    clusterMetrics: metricsFromPrimary,
    rateLimits: { credentials: limitAtPrimary('credentials'), codeMessages: limitAtPrimary('codeMessages') },
  };
}

/** Tells the primary this worker listens (at `url`). */
export function reportListening(url: string): void {
  process.send?.({ type: LISTENING, url });
}

let questions = 0;
const pending = new Map<number, (message: Message) => void>();
let listeningForAnswers = false;

/** Sends `question` to the primary and resolves with its answer (the message of the same type and id). */
function askPrimary(question: Message, what: string): Promise<Message> {
  if (!listeningForAnswers) {
    listeningForAnswers = true;
    process.on('message', (message: Message) => {
      if (message?.id !== undefined) pending.get(message.id)?.(message);
    });
  }
  const id = ++questions;
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`the primary did not answer with ${what} in time`));
    }, 5_000);
    pending.set(id, (message) => {
      if (message.type !== question.type) return;
      clearTimeout(timeout);
      pending.delete(id);
      resolve(message);
    });
    process.send?.({ ...question, id });
  });
}

/**
 * One of the primary's rate limits, asked over IPC: about 20 µs of a core per ask (`npm run bench -- workers`:
 * the cheapest credential check, RevokeToken of a token never issued, 33 → 55 µs), beside 5-6 ms for a
 * password check and about 530 µs for a refresh.
 */
function limitAtPrimary(limit: keyof RateLimits): Allowance {
  const ask = (method: keyof Allowance) => async (key: string) =>
    (await askPrimary({ type: RATE_LIMIT_REQUEST, limit, method, key }, 'a rate limit')).allowed === true;
  return { available: ask('available'), take: ask('take') };
}

/**
 * The metrics of every worker, summed by the primary (prom-client's AggregatorRegistry, which asks each
 * worker for its registry's): a scrape lands on one worker, and must not see only that worker's share.
 */
const metricsFromPrimary: NonNullable<ServerOverrides['clusterMetrics']> = {
  share(registry) {
    // Constructing one is what makes prom-client answer the primary's requests in a worker.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  },
  async collect() {
    const message = await askPrimary({ type: METRICS_REQUEST }, 'the metrics');
    if (message.error !== undefined || message.text === undefined) throw new Error(message.error ?? 'no metrics');
    return { contentType: message.contentType ?? AggregatorRegistry.PROMETHEUS_CONTENT_TYPE, text: message.text };
  },
};
