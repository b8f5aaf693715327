import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  CreateUserImportJobCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserImportJobCommand,
  ForgotPasswordCommand,
  GetCSVHeaderCommand,
  ListUsersCommand,
  InitiateAuthCommand,
  ListUserImportJobsCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  type CognitoIdentityProviderClient,
  type UserImportJobType,
} from '@aws-sdk/client-cognito-identity-provider';
import { uploadUrl } from '../src/userpools/user-import/upload-url.js';
import { attribute, rejects, uniqueEmail } from './helpers/assertions.js';
import { latestCode } from './helpers/mailbox.js';
import { FAST_HASHING, PASSWORD, startServer, type TestServer } from './helpers/server.js';
import { STORES } from './helpers/stores.js';

const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';
const HEADER = 'cognito:username,name,email,email_verified,cognito:mfa_enabled';
const FINISHED = new Set(['Succeeded', 'Failed', 'Stopped']);

for (const store of STORES) {
  describe(`user import jobs (${store.name})`, { skip: store.skip }, () => {
    let server: TestServer;
    let idp: CognitoIdentityProviderClient;
    let poolId: string;

    before(async () => {
      server = await startServer(store.name, FAST_HASHING);
      idp = server.idp();
      const { UserPool } = await idp.send(
        new CreateUserPoolCommand({
          PoolName: 'import',
          AutoVerifiedAttributes: ['email'],
          Schema: [{ Name: 'plan', AttributeDataType: 'String' }],
        }),
      );
      poolId = UserPool!.Id!;
    });
    after(() => server?.close());

    const createJob = async (JobName = 'users') =>
      (await idp.send(new CreateUserImportJobCommand({ UserPoolId: poolId, JobName, CloudWatchLogsRoleArn: ROLE }))).UserImportJob!;
    /** The PUT of Cognito's guide: `curl -T users.csv -H "x-amz-server-side-encryption:aws:kms" <PreSignedUrl>`. */
    const upload = (url: string, csv: string) => fetch(url, { method: 'PUT', body: csv, headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
    const describeJob = async (JobId: string) => (await idp.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId }))).UserImportJob!;
    const untilFinished = async (JobId: string): Promise<UserImportJobType> => {
      for (let i = 0; i < 200; i++) {
        const job = await describeJob(JobId);
        if (FINISHED.has(job.Status!)) return job;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error(`import job ${JobId} did not finish`);
    };
    /** Creates a job, uploads `csv`, starts it and waits for its end. */
    const importFile = async (csv: string) => {
      const job = await createJob();
      assert.equal((await upload(job.PreSignedUrl!, csv)).status, 200);
      const started = await idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      assert.equal(started.UserImportJob?.Status, 'Pending');
      return untilFinished(job.JobId!);
    };

    it('gives the pool\'s CSV header: the standard attributes, the custom ones, then Cognito\'s two columns', async () => {
      const { CSVHeader, UserPoolId } = await idp.send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
      assert.equal(UserPoolId, poolId);
      assert.deepEqual(CSVHeader, [
        'name', 'given_name', 'family_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture', 'website',
        'email', 'email_verified', 'gender', 'birthdate', 'zoneinfo', 'locale', 'phone_number', 'phone_number_verified',
        'address', 'updated_at', 'custom:plan', 'cognito:mfa_enabled', 'cognito:username',
      ]);
    });

    it('creates a job in Created with an upload URL of its own', async () => {
      const job = await createJob('first');
      assert.match(job.JobId!, /^import-[0-9a-zA-Z]{10}$/);
      assert.equal(job.Status, 'Created');
      assert.equal(job.CloudWatchLogsRoleArn, ROLE);
      assert.ok(job.PreSignedUrl!.startsWith(`${server.url}/_import/${poolId}/${job.JobId}?expires=`));
      await rejects(
        idp.send(new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: 'hashes', CloudWatchLogsRoleArn: ROLE, PasswordHashingAlgorithm: 'BCRYPT' })),
        'InvalidParameterException',
        /without passwords/,
      );
    });

    it('imports users as RESET_REQUIRED with their attributes; ForgotPassword gives them a password', async () => {
      const email = uniqueEmail('ada');
      const job = await importFile(`${HEADER},custom:plan\nada,Ada Lovelace,${email},TRUE,FALSE,gold\n`);
      assert.deepEqual([job.Status, job.ImportedUsers, job.FailedUsers, job.SkippedUsers], ['Succeeded', 1, 0, 0]);
      assert.ok(job.StartDate && job.CompletionDate && job.CompletionMessage);
      assert.equal(await server.gatehouse.services.repos.userImportJobs.readFile(poolId, job.JobId!), undefined, 'the file is let go once the job ends');

      const user = await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada' }));
      assert.equal(user.UserStatus, 'RESET_REQUIRED');
      assert.deepEqual(
        ['name', 'email', 'email_verified', 'custom:plan'].map((name) => attribute(user.UserAttributes, name)),
        ['Ada Lovelace', email, 'true', 'gold'],
      );

      const { UserPoolClient } = await idp.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      const ClientId = UserPoolClient!.ClientId!;
      const signIn = () => idp.send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ada', PASSWORD } }));
      await rejects(signIn(), 'PasswordResetRequiredException');
      await idp.send(new ForgotPasswordCommand({ ClientId, Username: 'ada' }));
      await idp.send(new ConfirmForgotPasswordCommand({ ClientId, Username: 'ada', ConfirmationCode: await latestCode(server.url, email), Password: PASSWORD }));
      assert.ok((await signIn()).AuthenticationResult?.AccessToken);
    });

    it('counts a row with a bad attribute and a duplicate as failed, and imports the rest', async () => {
      const rows = [`bob,Bob,${uniqueEmail('bob')},true,false`, 'carol,Carol,not-an-email,true,false', `bob,Bob Again,${uniqueEmail('bob2')},true,false`, `dan,Dan,${uniqueEmail('dan')},false,false`];
      const job = await importFile(`${HEADER}\n${rows.join('\n')}\n`);
      // carol: an invalid email; the second bob: taken; dan: no verified contact in a pool that verifies email.
      assert.deepEqual([job.Status, job.ImportedUsers, job.FailedUsers], ['Succeeded', 1, 3]);
      assert.equal((await idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' }))).UserAttributes?.find((a) => a.Name === 'name')?.Value, 'Bob');
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'carol' })), 'UserNotFoundException');
    });

    it('fails a file whose header has an unknown column, or lacks a required one', async () => {
      const unknown = await importFile(`${HEADER},shoe_size\nerin,Erin,${uniqueEmail('erin')},true,false,42\n`);
      assert.equal(unknown.Status, 'Failed');
      assert.match(unknown.CompletionMessage!, /shoe_size/);
      const missing = await importFile(`cognito:username,email,email_verified\nfrank,${uniqueEmail('frank')},true\n`);
      assert.equal(missing.Status, 'Failed');
      assert.match(missing.CompletionMessage!, /cognito:mfa_enabled/);
      await rejects(idp.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'erin' })), 'UserNotFoundException');
    });

    it('fails a file that is not CSV it can read, or is empty, saying so', async () => {
      const unreadable = await importFile(`${HEADER}\n"unclosed,Ann,ann@example.com,true,false\n`);
      assert.equal(unreadable.Status, 'Failed');
      assert.match(unreadable.CompletionMessage!, /The CSV file cannot be read/);
      const empty = await importFile('');
      assert.equal(empty.Status, 'Failed');
      assert.match(empty.CompletionMessage!, /The CSV file is empty/);
    });

    it('starts a job once, and only once its file is uploaded', async () => {
      const job = await createJob();
      await rejects(idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })), 'PreconditionNotMetException', /PreSignedUrl/);
      await upload(job.PreSignedUrl!, `${HEADER}\n`);
      await idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      await rejects(idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })), 'PreconditionNotMetException');
      assert.equal((await untilFinished(job.JobId!)).Status, 'Succeeded');
      // A started job takes no new file.
      assert.equal((await upload(job.PreSignedUrl!, `${HEADER}\n`)).status, 409);
    });

    it('stops a running job between two users', async () => {
      // Enough users that the import is still running when the stop request comes (each takes a database write).
      const rows = Array.from({ length: 5000 }, (_, i) => `many${i},Many,many${i}@example.com,true,false`);
      const job = await createJob();
      await upload(job.PreSignedUrl!, `${HEADER}\n${rows.join('\n')}\n`);
      await idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      // Running, with its first counts written (every 250 ms), before the stop request.
      for (let i = 0; i < 200 && !((await describeJob(job.JobId!)).ImportedUsers! > 0); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const stopping = await idp.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      assert.equal(stopping.UserImportJob?.Status, 'Stopping');
      const stopped = await untilFinished(job.JobId!);
      assert.equal(stopped.Status, 'Stopped');
      assert.ok(stopped.ImportedUsers! > 0 && stopped.ImportedUsers! < rows.length, `stopped after ${stopped.ImportedUsers} users`);
      // The counts it ends with are the users it made.
      let made = 0;
      for (let token: string | undefined, first = true; first || token; first = false) {
        const page = await idp.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username ^= "many"', PaginationToken: token }));
        made += page.Users!.length;
        token = page.PaginationToken;
      }
      assert.equal(made, stopped.ImportedUsers);
      await rejects(idp.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })), 'PreconditionNotMetException');
    });

    /**
     * Another node on the same store starts importing 5,000 users named `<prefix><n>`, then stops (a
     * restart, a crash) once `running` says so: the job it leaves behind, and the rows.
     */
    async function importOnNodeThatStops(prefix: string, running: (jobId: string) => Promise<boolean>) {
      const node = await startServer(store.name, FAST_HASHING, {}, server.store);
      const rows = Array.from({ length: 5000 }, (_, i) => `${prefix}${i},Someone,${prefix}${i}@example.com,true,false`);
      const job = await createJob(prefix);
      await upload(job.PreSignedUrl!, `${HEADER}\n${rows.join('\n')}\n`);
      await node.idp().send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      for (let i = 0; i < 200 && !(await running(job.JobId!)); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      await node.stop();
      return { jobId: job.JobId!, rows, stoppedAt: Date.now() };
    }

    /** A node whose clock is past any lease written now: it sees every running job's process as gone. */
    const nodeAfterTheLease = () => startServer(store.name, FAST_HASHING, { now: () => new Date(Date.now() + 31_000) }, server.store);

    it('ends a job whose server stopped mid-import once its lease runs out: Failed, with the counts last written', async () => {
      const { jobId, rows, stoppedAt } = await importOnNodeThatStops('lost', async (id) => (await describeJob(id)).ImportedUsers! > 0);
      // Within its lease the job may still be running somewhere, so it shows as it was left.
      const left = await describeJob(jobId);
      assert.equal(left.Status, 'InProgress');
      assert.ok(left.ImportedUsers! > 0 && left.ImportedUsers! < rows.length, `left after ${left.ImportedUsers} users`);
      // Past the lease, any node reading it ends it, listed or described.
      const later = await nodeAfterTheLease();
      try {
        const listed = (await later.idp().send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 60 }))).UserImportJobs!;
        const ended = listed.find((j) => j.JobId === jobId)!;
        assert.equal(ended.Status, 'Failed');
        assert.match(ended.CompletionMessage!, /interrupted: the Gatehouse process running it stopped/);
        assert.equal(ended.ImportedUsers, left.ImportedUsers);
        // It ended when its process last wrote progress, not when somebody noticed.
        assert.ok(ended.CompletionDate!.getTime() <= stoppedAt, `${ended.CompletionDate?.toISOString()} is before ${new Date(stoppedAt).toISOString()}`);
        // Ended for good: every node now sees it Failed, and it cannot be stopped or started again.
        assert.equal((await describeJob(jobId)).Status, 'Failed');
        await rejects(idp.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: jobId })), 'PreconditionNotMetException', /its status is Failed/);
        // The users counted were made (and possibly a few after them, before the process stopped).
        const made = await later.idp().send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'username ^= "lost"' }));
        assert.ok(made.Users!.length > 0);
      } finally {
        await later.stop();
      }
    });

    it('ends a stop request whose server stopped before carrying it out as Stopped', async () => {
      const { jobId } = await importOnNodeThatStops('halt', async () => true);
      // Asked to stop after its process was gone: nobody is left to carry it out.
      assert.equal((await idp.send(new StopUserImportJobCommand({ UserPoolId: poolId, JobId: jobId }))).UserImportJob?.Status, 'Stopping');
      const later = await nodeAfterTheLease();
      try {
        const ended = (await later.idp().send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: jobId }))).UserImportJob!;
        assert.equal(ended.Status, 'Stopped');
        assert.equal(ended.CompletionMessage, 'The import job was stopped.');
      } finally {
        await later.stop();
      }
    });

    it('refuses an upload with a forged or expired signature, in S3\'s words, and keeps nothing', async () => {
      const job = await createJob();
      const forged = job.PreSignedUrl!.replace(/signature=[^&]+/, 'signature=AAAA');
      const refused = await upload(forged, `${HEADER}\n`);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      const later = job.PreSignedUrl!.replace(/expires=\d+/, (m) => `expires=${Number(m.slice(8)) + 3600}`);
      assert.equal((await upload(later, `${HEADER}\n`)).status, 403);
      const expired = uploadUrl(server.gatehouse.services, { poolId, jobId: job.JobId!, uploadExpiresAt: new Date(Date.now() - 1000) });
      const late = await upload(expired, `${HEADER}\n`);
      assert.equal(late.status, 403);
      assert.match(await late.text(), /<Code>AccessDenied<\/Code><Message>Request has expired/);
      // Nothing was stored: the job still has no file to start with.
      await rejects(idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })), 'PreconditionNotMetException', /no CSV file/);
    });

    it('refuses a file over Cognito\'s 100 MB as S3 does (413 EntityTooLarge), from its Content-Length, before reading it', async () => {
      const job = await createJob('too large');
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        // Only the declared length is sent: the refusal must come without the 100 MB.
        const put = request(job.PreSignedUrl!, { method: 'PUT', headers: { 'content-length': String(100 * 1024 * 1024 + 1), 'content-type': 'text/csv' } }, (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          response.on('end', () => {
            put.destroy();
            resolve({ status: response.statusCode!, body });
          });
        });
        put.on('error', reject);
        put.write(`${HEADER}\n`);
      });
      assert.equal(answer.status, 413);
      assert.match(answer.body, /<Code>EntityTooLarge<\/Code>/);
      await rejects(idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId })), 'PreconditionNotMetException', /no CSV file/);
      // Far over the API's own body limit is still a file Cognito takes.
      const large = `${HEADER}\n${'#'.repeat(server.gatehouse.services.config.bodyLimitBytes + 1)}\n`;
      assert.equal((await upload(job.PreSignedUrl!, large)).status, 200);
    });

    it('answers ResourceNotFoundException for a job the pool does not have', async () => {
      await rejects(idp.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: 'import-nothere123' })), 'ResourceNotFoundException');
      await rejects(idp.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: 'import-nothere123' })), 'ResourceNotFoundException');
    });

    it('lists the pool\'s jobs a page at a time', async () => {
      const seen: string[] = [];
      let PaginationToken: string | undefined;
      do {
        const page = await idp.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 2, PaginationToken }));
        assert.ok(page.UserImportJobs!.length <= 2);
        seen.push(...page.UserImportJobs!.map((j) => j.JobId!));
        PaginationToken = page.PaginationToken;
      } while (PaginationToken);
      const all = await idp.send(new ListUserImportJobsCommand({ UserPoolId: poolId, MaxResults: 60 }));
      assert.deepEqual(seen, all.UserImportJobs!.map((j) => j.JobId));
      assert.ok(seen.length > 5);
      assert.equal(new Set(seen).size, seen.length);
    });
  });
}
