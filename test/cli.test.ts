import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { parse as parseYaml } from 'yaml';
import { CreateUserPoolClientCommand, CreateUserPoolCommand, ListUserPoolsCommand } from '@aws-sdk/client-cognito-identity-provider';
import type { ConfigInput } from '../src/config.js';
import { sdkClient } from './helpers/server.js';

// The real CLI, run from the repository root through tsx, so no build is needed. SQLite only: the CLI
// is the same code whichever store it opens.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const START_TIMEOUT_MS = 60_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const temporaryDirs: string[] = [];
after(() => {
  for (const dir of temporaryDirs) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  temporaryDirs.push(dir);
  return dir;
}

function writeConfig(text: string, name = 'gatehouse.yaml'): string {
  const file = join(temporaryDir(), name);
  writeFileSync(file, text);
  return file;
}

/** Only what the CLI needs: none of the test run's own GATEHOUSE_* or DATABASE_URL may reach it. */
function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, ...extra };
}

function spawnCli(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, env: cliEnv(env) });
}

function collect(child: ChildProcessWithoutNullStreams): { output: () => { stdout: string; stderr: string }; exited: Promise<Exit> } {
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { output: () => ({ stdout, stderr }), exited };
}

/** Runs a CLI command to its end. */
async function runCli(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  const child = spawnCli(args, env);
  const { exited } = collect(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

interface RunningCli {
  url: string;
  child: ChildProcessWithoutNullStreams;
  output: () => { stdout: string; stderr: string };
  exited: Promise<Exit>;
}

/** Starts `gatehouse serve` and waits for its "ready" banner. */
async function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawnCli(['serve', ...args], env);
  const { output, exited } = collect(child);
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const ready = /Gatehouse is ready at (http:\/\/\S+)/.exec(output().stdout);
    if (ready) return { url: ready[1], child, output, exited };
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gatehouse serve did not start:\n${output().stdout}\n${output().stderr}`);
    }
    await delay(25);
  }
}

/** A loopback port nothing listens on (taken, then given back). */
async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The worker processes of a `serve --workers` primary. */
function workerPids(primary: number): number[] {
  try {
    // Only node: tsx, which runs the CLI from source here, starts an esbuild process of its own.
    const lines = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(primary)], { encoding: 'utf8' }).split('\n');
    return lines.map((line) => line.trim().split(/\s+/)).filter(([, command]) => command === 'node').map(([pid]) => Number(pid));
  } catch {
    return [];
  }
}

/** User and system CPU time a process has used, in clock ticks (/proc/<pid>/stat). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** The shipped example config: the serve tests start from it, so it is known to work. */
const EXAMPLE = parseYaml(readFileSync(join(ROOT, 'gatehouse.example.yaml'), 'utf8')) as ConfigInput;
const EXAMPLE_POOL = EXAMPLE.userPools![0];
/** Every secret and password the example declares: none may reach a log. */
const DECLARED_SECRETS = (EXAMPLE.userPools ?? []).flatMap((pool) => [
  ...(pool.Clients ?? []).flatMap((c) => (c.ClientSecret ? [c.ClientSecret] : [])),
  ...((pool as { Users?: { Password?: string }[] }).Users ?? []).flatMap((u) => (u.Password ? [u.Password] : [])),
]);
const API_SECRET = 'api_given_secret_do_not_log_00000002';
const SIGNATURE = 'f00dfeed'.repeat(8);
const AUTHORIZATION = `AWS4-HMAC-SHA256 Credential=AKIDCLITESTLOCAL/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${SIGNATURE}`;

describe('gatehouse CLI', { concurrency: true }, () => {
  describe('serve, with the shipped example config', { concurrency: false }, () => {
    let server: RunningCli;
    const requestIds: string[] = [];
    const secretsSeen: string[] = [...DECLARED_SECRETS, API_SECRET];

    before(async () => {
      assert.ok(DECLARED_SECRETS.length > 0, 'the example declares a client secret');
      server = await startCli(['--config', 'gatehouse.example.yaml', '--port', '0', '--data', temporaryDir(), '--log-level', 'trace']);
    });
    after(() => {
      if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
    });

    it('prints the real endpoint and an AWS CLI example', async () => {
      const { stdout } = server.output();
      const url = new URL(server.url);
      assert.equal(url.hostname, '127.0.0.1');
      assert.ok(Number(url.port) > 0, `a real port, not 0: ${server.url}`);
      assert.match(stdout, /Gatehouse is ready at http:\/\/127\.0\.0\.1:\d+ \(development mode\)/);
      assert.ok(stdout.includes('aws cognito-idp list-user-pools --max-results 10'), stdout);
      assert.ok(stdout.includes(`--region us-east-1 --endpoint-url ${server.url}\n`), stdout);
      assert.ok(stdout.includes(`(declared pool: ${EXAMPLE_POOL.Id}, client ${EXAMPLE_POOL.Clients![0].ClientId})`), stdout);
      assert.equal((await fetch(`${server.url}/health`)).status, 200, 'the printed endpoint is the one listening');
    });

    it('serves /health, /ready and Prometheus /metrics', async () => {
      const health = await fetch(`${server.url}/health`);
      assert.equal(health.status, 200);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const ready = await fetch(`${server.url}/ready`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });

      const { UserPools } = await sdkClient(server.url).send(new ListUserPoolsCommand({ MaxResults: 10 }));
      assert.ok(UserPools!.some((p) => p.Id === EXAMPLE_POOL.Id), 'the declared pool exists');
      const metrics = await fetch(`${server.url}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(metrics.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await metrics.text();
      assert.match(text, /^# HELP gatehouse_requests_total /m);
      assert.match(text, /^# TYPE gatehouse_requests_total counter$/m);
      assert.match(text, /^gatehouse_requests_total\{operation="ListUserPools",status="200"\} [1-9]\d*$/m);
      assert.match(text, /^gatehouse_request_duration_seconds_bucket\{le="0\.001",operation="ListUserPools"\} \d+$/m);
      assert.match(text, /^gatehouse_process_resident_memory_bytes \d+/m);
    });

    it('answers API calls that carry secrets and credentials', async () => {
      const idp = sdkClient(server.url);
      const { UserPool } = await idp.send(new CreateUserPoolCommand({ PoolName: 'logged' }));
      const generated = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientName: 'generated', GenerateSecret: true }));
      secretsSeen.push(generated.UserPoolClient!.ClientSecret!);
      requestIds.push(generated.$metadata.requestId!);

      // A hand-made call with a known Authorization value, so the logs can be searched for it.
      const response = await fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'AWSCognitoIdentityProviderService.CreateUserPoolClient',
          'x-amz-date': '20260101T000000Z',
          authorization: AUTHORIZATION,
        },
        body: JSON.stringify({ UserPoolId: UserPool!.Id, ClientName: 'given', ClientSecret: API_SECRET }),
      });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { UserPoolClient: { ClientSecret: string } }).UserPoolClient.ClientSecret, API_SECRET);
      requestIds.push(response.headers.get('x-amzn-requestid')!);

      // A refused call: its error is logged, its secret must not be.
      const refused = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.CreateUserPoolClient', authorization: AUTHORIZATION },
        body: JSON.stringify({ UserPoolId: UserPool!.Id, ClientName: 'both', GenerateSecret: true, ClientSecret: API_SECRET }),
      });
      assert.equal(refused.status, 400);
      requestIds.push(refused.headers.get('x-amzn-requestid')!);
    });

    it('on SIGTERM lets an in-flight request finish, then exits 0', async () => {
      const port = Number(new URL(server.url).port);
      const socket = connect(port, '127.0.0.1');
      let response = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (response += chunk));
      const body = JSON.stringify({ MaxResults: 10 });
      // Headers and half the body; Expect: 100-continue makes the server say when it has taken the request.
      socket.write(
        `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-amz-json-1.1\r\n` +
          `X-Amz-Target: AWSCognitoIdentityProviderService.ListUserPools\r\nExpect: 100-continue\r\nContent-Length: ${body.length}\r\n\r\n` +
          body.slice(0, 5),
      );
      await waitFor(() => response.startsWith('HTTP/1.1 100 Continue'), 'the server to take the request');

      server.child.kill('SIGTERM');
      await waitFor(() => server.output().stdout.includes('draining in-flight requests'), 'the server to start draining');
      await delay(300);
      assert.equal(server.child.exitCode, null, 'the process waits for the request in flight');

      socket.write(body.slice(5));
      await waitFor(() => /\r\n\r\n\{.*\}$/s.test(response), 'the response');
      const final = response.slice(response.indexOf('HTTP/1.1', 1));
      assert.match(final, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(final, /\r\nconnection: close\r\n/i, 'a connection served while shutting down is not kept alive');
      assert.match(final, /"UserPools":\[/);
      requestIds.push(/x-amzn-requestid: (\S+)/i.exec(final)![1]);

      // Nothing is left to wait for: the process is gone within a few seconds, not a keep-alive timeout.
      const started = Date.now();
      const exit = await server.exited;
      socket.destroy();
      assert.equal(exit.code, 0, exit.stderr);
      assert.ok(Date.now() - started < 10_000, `exited after ${Date.now() - started} ms`);
    });

    it('logged JSON lines with request ids, and never a credential or client secret', async () => {
      const { stdout, stderr } = await server.exited;
      const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
      assert.ok(lines.length >= 5, 'there are log lines');
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const entry of entries) {
        assert.equal(typeof entry.level, 'number');
        assert.equal(typeof entry.time, 'number');
        assert.equal(typeof entry.msg, 'string');
      }
      // The only other lines are the human banner; no log line is written any other way.
      const other = stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('{'));
      assert.ok(other.some((line) => line.includes('Gatehouse is ready')));
      assert.ok(other.every((line) => !/"(level|msg|reqId)"/.test(line)), other.join('\n'));

      const requests = entries.filter((e) => e.msg === 'request');
      for (const id of requestIds) {
        const entry = requests.find((e) => e.reqId === id);
        assert.ok(entry, `request ${id} is logged under its request id`);
        assert.equal(entry.method, 'POST');
        assert.equal(typeof entry.status, 'number');
      }
      assert.ok(requests.some((e) => e.operation === 'CreateUserPoolClient' && e.status === 400 && e.errorType === 'InvalidParameterException'));
      assert.ok(requests.every((e) => typeof e.reqId === 'string' && /^[0-9a-f-]{36}$/.test(e.reqId)));

      const everything = stdout + stderr;
      for (const secret of [...secretsSeen, AUTHORIZATION, SIGNATURE]) {
        assert.ok(!everything.includes(secret), `the logs contain ${secret.slice(0, 12)}…`);
      }
    });
  });

  describe('serve --workers: several processes share the port and the database', { concurrency: false }, () => {
    const CREDENTIAL_BURST = 3;
    let server: RunningCli;
    before(async () => {
      // The example, with an allowance of credential checks small enough to spend.
      const config = writeConfig(`${readFileSync(join(ROOT, 'gatehouse.example.yaml'), 'utf8')}\ncredentialRateLimit:\n  perSecond: 0.001\n  burst: ${CREDENTIAL_BURST}\n`);
      server = await startCli(['--config', config, '--workers', '2', '--port', '0', '--data', temporaryDir(), '--log-level', 'warn']);
    });
    after(() => {
      if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
      for (const pid of workerPids(server.child.pid!)) killQuietly(pid);
    });

    /** One request on a connection of its own: the primary hands each new connection to the next worker. */
    const onNewConnection = (path: string, headers: Record<string, string> = {}, body?: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const request = httpRequest(`${server.url}${path}`, { method: body === undefined ? 'GET' : 'POST', headers, agent: false }, (response) => {
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => resolve({ status: response.statusCode!, text }));
        });
        request.on('error', reject);
        request.end(body);
      });
    const callOnNewConnection = async (operation: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const headers = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}` };
      const { status, text } = await onNewConnection('/', headers, JSON.stringify(input));
      return { status, body: JSON.parse(text) as Record<string, unknown> };
    };

    it('starts the workers it was asked for, and applies the config file once', async () => {
      assert.match(server.output().stdout, /Gatehouse is ready at http:\/\/127\.0\.0\.1:\d+ \(development mode, 2 worker processes\)/);
      assert.equal(workerPids(server.child.pid!).length, 2);
      const { body } = await callOnNewConnection('ListUserPools', { MaxResults: 60 });
      assert.equal((body.UserPools as { Id: string }[]).filter((p) => p.Id === EXAMPLE_POOL.Id).length, 1);
    });

    it('lets every worker read at once what another one wrote', async () => {
      const workers = workerPids(server.child.pid!);
      const cpuBefore = workers.map(cpuTicks);
      for (let i = 0; i < 6; i++) {
        const created = await callOnNewConnection('CreateUserPool', { PoolName: `shared-${i}` });
        assert.equal(created.status, 200);
        const id = (created.body.UserPool as { Id: string }).Id;
        for (let j = 0; j < 4; j++) {
          const described = await callOnNewConnection('DescribeUserPool', { UserPoolId: id });
          assert.equal(described.status, 200, JSON.stringify(described.body));
          await callOnNewConnection('UpdateUserPool', { UserPoolId: id, UserPoolTags: { round: String(j) } });
          const updated = await callOnNewConnection('DescribeUserPool', { UserPoolId: id });
          assert.deepEqual((updated.body.UserPool as { UserPoolTags: unknown }).UserPoolTags, { round: String(j) });
        }
      }
      // Both took part: each worker's CPU time grew.
      workers.forEach((pid, i) => assert.ok(cpuTicks(pid) > cpuBefore[i]!, `worker ${pid} served`));
    });

    it('sums every worker’s requests in /metrics, whichever worker answers the scrape', async () => {
      const count = async () => {
        const { text } = await onNewConnection('/metrics');
        return Number(/^gatehouse_requests_total\{operation="GetUserPoolMfaConfig",status="404"\} (\d+)$/m.exec(text)?.[1] ?? 0);
      };
      const before = await count();
      for (let i = 0; i < 10; i++) await callOnNewConnection('GetUserPoolMfaConfig', { UserPoolId: 'us-east-1_nosuchpool' });
      for (let i = 0; i < 3; i++) assert.equal(await count(), before + 10);
    });

    it('gives a client one allowance, not one per worker: the rate limits are the first process\'s', async () => {
      const ClientId = EXAMPLE_POOL.Clients![0].ClientId;
      const workers = workerPids(server.child.pid!);
      const cpuBefore = workers.map(cpuTicks);
      // Code messages: five an hour per sign-in name (the default), asked for over connections that the
      // workers take in turn; a name nobody has is counted too, and answered as if it existed.
      const forgot = () => callOnNewConnection('ForgotPassword', { ClientId, Username: 'nobody-rate-limited@example.com' });
      for (let i = 0; i < 5; i++) assert.equal((await forgot()).status, 200);
      const noMoreCodes = await forgot();
      assert.equal(noMoreCodes.status, 400);
      assert.equal(noMoreCodes.body.__type, 'LimitExceededException');
      // Credential checks: this server allows CREDENTIAL_BURST per address.
      const wrongPassword = () =>
        callOnNewConnection('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'jane@example.com', PASSWORD: 'not-her-password' } });
      for (let i = 0; i < CREDENTIAL_BURST; i++) assert.equal((await wrongPassword()).body.__type, 'NotAuthorizedException');
      const throttled = await wrongPassword();
      assert.equal(throttled.status, 429);
      assert.equal(throttled.body.__type, 'TooManyRequestsException');
      workers.forEach((pid, i) => assert.ok(cpuTicks(pid) > cpuBefore[i]!, `worker ${pid} served`));
    });

    it('replaces a worker that dies, and keeps serving meanwhile', async () => {
      const [victim] = workerPids(server.child.pid!);
      process.kill(victim!, 'SIGKILL');
      await waitFor(() => {
        const pids = workerPids(server.child.pid!);
        return pids.length === 2 && !pids.includes(victim!);
      }, 'a new worker');
      await waitFor(() => /a worker exited; starting another/.test(server.output().stdout + server.output().stderr), 'the replacement logged');
      for (let i = 0; i < 6; i++) assert.equal((await callOnNewConnection('ListUserPools', { MaxResults: 1 })).status, 200);
    });

    it('stops every worker on SIGTERM and exits 0', async () => {
      const pids = workerPids(server.child.pid!);
      server.child.kill('SIGTERM');
      const exit = await server.exited;
      assert.equal(exit.code, 0, exit.stderr);
      for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'the worker is gone');
    });
  });

  describe('refuses to start, in one line naming what to fix', { concurrency: true }, () => {
    const DATABASE_PASSWORD = 'database_password_not_for_logs';
    const refuses = async (args: string[], env: Record<string, string>, ...keys: RegExp[]) => {
      const exit = await runCli(['serve', ...(args.includes('--data') ? [] : ['--data', temporaryDir()]), ...args], env);
      assert.equal(exit.signal, null, 'it stopped by itself');
      assert.equal(exit.code, 1);
      for (const key of keys) assert.match(exit.stderr, key);
      assert.doesNotMatch(exit.stderr, /\n\s+at /, 'a message, not a stack trace');
      assert.doesNotMatch(exit.stdout, /Gatehouse is ready/);
      assert.doesNotMatch(exit.stderr, new RegExp(DATABASE_PASSWORD), 'no password from DATABASE_URL');
    };

    it('GATEHOUSE_PORT=abc', () => refuses([], { GATEHOUSE_PORT: 'abc' }, /^gatehouse: invalid configuration:\n\s+port: /));
    it('port: "x" and mode: bogus in the config file', () => {
      const file = writeConfig('port: "x"\nmode: bogus\n');
      return refuses(['--config', file], {}, new RegExp(`^gatehouse: invalid configuration \\(${file}\\):\\n`), /\n\s+port: /, /\n\s+mode: .*development.*production/);
    });
    it('--config naming a missing file', () => {
      const missing = join(temporaryDir(), 'nowhere.yaml');
      return refuses(['--config', missing], {}, new RegExp(`^gatehouse: cannot read config file ${missing}: ENOENT`));
    });
    it('a DATABASE_URL where no PostgreSQL listens', async () => {
      const port = await freePort();
      return refuses([], { DATABASE_URL: `postgres://gatehouse:${DATABASE_PASSWORD}@127.0.0.1:${port}/gatehouse` }, new RegExp(`^gatehouse: cannot use the database at postgres://127\\.0\\.0\\.1:${port}/gatehouse \\(DATABASE_URL\\): connect ECONNREFUSED`));
    });
    it('a port another process listens on', async () => {
      const taken = createNetServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const { port } = taken.address() as AddressInfo;
      try {
        await refuses(['--port', String(port)], {}, new RegExp(`^gatehouse: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
        // With workers, each one says why, and the first process, which started them, exits too.
        await refuses(
          ['--port', String(port), '--workers', '2'],
          {},
          new RegExp(`^gatehouse: cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`, 'm'),
          /^gatehouse: a worker exited before it was listening \(code 1\); its error is above$/m,
        );
      } finally {
        taken.close();
      }
    });
    it('a data folder that cannot be made', () => {
      const file = join(temporaryDir(), 'a-file');
      writeFileSync(file, '');
      return refuses(['--data', join(file, 'data')], {}, new RegExp(`^gatehouse: cannot open the data folder ${file}/data \\(--data or GATEHOUSE_DATA\\): ENOTDIR`));
    });
  });

  describe('migrate', { concurrency: false }, () => {
    it('applies the migrations and exits 0; a second run is up to date', async () => {
      const data = temporaryDir();
      const first = await runCli(['migrate', '--data', data]);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`^applied 0001-user-pools(, [\\w-]+)* to ${join(data, 'gatehouse.sqlite')}\\n$`));
      const db = new SQLite(join(data, 'gatehouse.sqlite'), { readonly: true });
      try {
        const applied = db.prepare('select name from kysely_migration order by name').all() as { name: string }[];
        assert.equal(applied[0].name, '0001-user-pools');
        assert.ok(first.stdout.includes(applied.map((m) => m.name).join(', ')));
        assert.ok(db.prepare("select name from sqlite_master where type = 'table' and name = 'user_pool_clients'").get());
      } finally {
        db.close();
      }
      const second = await runCli(['migrate', '--data', data]);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, `${join(data, 'gatehouse.sqlite')} is up to date\n`);
    });
  });
});
