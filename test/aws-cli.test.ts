import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer, type TestServer } from './helpers/server.js';

// The real AWS CLI (v1 on developer machines, Debian's awscli in CI) against a Gatehouse on loopback.
// Its environment is built from scratch: dummy keys, no config or credentials files, no instance
// metadata lookups, so it can reach nothing but the --endpoint-url it is given.
const awsHome = mkdtempSync(join(tmpdir(), 'gatehouse-aws-cli-'));
after(() => rmSync(awsHome, { recursive: true, force: true }));
const awsEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: awsHome,
  // pyenv-installed CLIs (shims) need their root to find the interpreter.
  ...(process.env.PYENV_ROOT && { PYENV_ROOT: process.env.PYENV_ROOT }),
  AWS_ACCESS_KEY_ID: 'AKIDGATEHOUSETEST',
  AWS_SECRET_ACCESS_KEY: 'not-a-real-secret-key',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  AWS_PAGER: '',
};

function cliMissing(): string | false {
  const probe = spawnSync('aws', ['--version'], { env: awsEnv, encoding: 'utf8', timeout: 30_000 });
  if (probe.error) return `AWS CLI not installed: ${probe.error.message}`;
  if (probe.status !== 0) return `AWS CLI not usable: ${(probe.stderr || probe.stdout).trim()}`;
  return false;
}

const skip = cliMissing();
if (skip) console.log(`# aws-cli tests skipped: ${skip}`);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the AWS CLI against Gatehouse', { skip }, () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('sqlite');
  });
  after(() => server?.close());

  /** Runs a command without blocking: the server answering it shares this process's event loop. */
  function run(command: string, args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
      execFile(command, args, { env: awsEnv, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }

  function aws(...args: string[]): Promise<CliResult> {
    return run('aws', ['cognito-idp', ...args, '--endpoint-url', server.url, '--region', 'us-east-1', '--output', 'json']);
  }

  async function awsJson<T>(...args: string[]): Promise<T> {
    const result = await aws(...args);
    assert.equal(result.code, 0, `aws ${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  type Pool = { Id: string; Name: string; Arn: string; CreationDate: number | string; Policies: { PasswordPolicy: { MinimumLength: number } } };
  type Client = { ClientId: string; ClientName: string; UserPoolId: string; ClientSecret?: string; RefreshTokenValidity: number };

  it('create-user-pool, then describe, add a client, list and a missing pool', async () => {
    const { UserPool: created } = await awsJson<{ UserPool: Pool }>('create-user-pool', '--pool-name', 'from-the-cli');
    assert.match(created.Id, /^us-east-1_[0-9A-Za-z]{9}$/);
    assert.equal(created.Name, 'from-the-cli');
    assert.equal(created.Arn, `arn:aws:cognito-idp:us-east-1:000000000000:userpool/${created.Id}`);
    // The CLI read the epoch-seconds timestamp: v1 prints it as such, v2 as ISO 8601.
    const creation = typeof created.CreationDate === 'number' ? created.CreationDate * 1000 : Date.parse(created.CreationDate);
    assert.ok(Math.abs(creation - Date.now()) < 120_000, String(created.CreationDate));

    const [described, client, listed, missing] = await Promise.all([
      awsJson<{ UserPool: Pool }>('describe-user-pool', '--user-pool-id', created.Id),
      awsJson<{ UserPoolClient: Client }>('create-user-pool-client', '--user-pool-id', created.Id, '--client-name', 'cli-app', '--generate-secret'),
      awsJson<{ UserPools: { Id: string; Name: string }[] }>('list-user-pools', '--max-results', '10'),
      aws('describe-user-pool', '--user-pool-id', 'us-east-1_missing00'),
    ]);

    assert.equal(described.UserPool.Id, created.Id);
    assert.equal(described.UserPool.Policies.PasswordPolicy.MinimumLength, 8);

    assert.match(client.UserPoolClient.ClientId, /^[a-z0-9]{26}$/);
    assert.equal(client.UserPoolClient.UserPoolId, created.Id);
    assert.equal(client.UserPoolClient.ClientName, 'cli-app');
    assert.match(client.UserPoolClient.ClientSecret!, /^[a-z0-9]{51}$/);
    assert.equal(client.UserPoolClient.RefreshTokenValidity, 30);
    // What the CLI created is what the server holds.
    const stored = await server.gatehouse.services.repos.appClients.get(created.Id, client.UserPoolClient.ClientId);
    assert.equal(stored?.name, 'cli-app');

    assert.deepEqual(listed.UserPools.map((p) => [p.Id, p.Name]), [[created.Id, 'from-the-cli']]);

    assert.notEqual(missing.code, 0, 'a missing pool is a failed command');
    assert.equal(missing.stdout, '');
    assert.match(missing.stderr, /\(ResourceNotFoundException\) when calling the DescribeUserPool operation: User pool us-east-1_missing00 does not exist\./);
  });

  it('create-identity-provider and describe it; a CSV import as the README walks it: get-csv-header, create-user-import-job, curl -T, start', async () => {
    const { UserPool: pool } = await awsJson<{ UserPool: Pool }>('create-user-pool', '--pool-name', 'importing', '--auto-verified-attributes', 'email');
    const details = JSON.stringify({ client_id: 'example.apps.googleusercontent.com', client_secret: 'from-google', authorize_scopes: 'openid email' });
    await awsJson('create-identity-provider', '--user-pool-id', pool.Id, '--provider-name', 'Google', '--provider-type', 'Google', '--provider-details', details);
    const { IdentityProvider: google } = await awsJson<{ IdentityProvider: { ProviderDetails: Record<string, string>; AttributeMapping: Record<string, string> } }>(
      'describe-identity-provider', '--user-pool-id', pool.Id, '--provider-name', 'Google',
    );
    assert.equal(google.ProviderDetails.authorize_url, 'https://accounts.google.com/o/oauth2/v2/auth');
    assert.equal(google.ProviderDetails.client_secret, 'from-google');

    const { CSVHeader: header } = await awsJson<{ CSVHeader: string[] }>('get-csv-header', '--user-pool-id', pool.Id);
    assert.ok(header.includes('cognito:username') && header.includes('email_verified'));
    const row = header.map((column) => ({ 'cognito:username': 'from-csv', email: 'csv@example.com', email_verified: 'true', 'cognito:mfa_enabled': 'false' })[column] ?? '');
    const folder = mkdtempSync(join(tmpdir(), 'gatehouse-import-'));
    const file = join(folder, 'users.csv');
    writeFileSync(file, `${header.join(',')}\n${row.join(',')}\n`);
    try {
      const { UserImportJob: job } = await awsJson<{ UserImportJob: { JobId: string; PreSignedUrl: string } }>(
        'create-user-import-job', '--user-pool-id', pool.Id, '--job-name', 'cli', '--cloud-watch-logs-role-arn', 'arn:aws:iam::123456789012:role/CognitoImport',
      );
      const curl = await run('curl', ['-sS', '-f', '-T', file, '-H', 'x-amz-server-side-encryption:aws:kms', job.PreSignedUrl]);
      assert.equal(curl.code, 0, curl.stderr);
      await awsJson('start-user-import-job', '--user-pool-id', pool.Id, '--job-id', job.JobId);
      let status = '';
      for (let i = 0; i < 100 && !['Succeeded', 'Failed'].includes(status); i++) {
        status = (await awsJson<{ UserImportJob: { Status: string } }>('describe-user-import-job', '--user-pool-id', pool.Id, '--job-id', job.JobId)).UserImportJob.Status;
      }
      assert.equal(status, 'Succeeded');
      const user = await awsJson<{ UserStatus: string }>('admin-get-user', '--user-pool-id', pool.Id, '--username', 'from-csv');
      assert.equal(user.UserStatus, 'RESET_REQUIRED');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
