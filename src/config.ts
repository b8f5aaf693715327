import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { isLoopback } from './security/loopback.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** Lower-case labels of letters, digits and inner hyphens, at least two of them, 253 characters at most. */
export const HOST_NAME = /^(?=.{4,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

const accessKey = z.object({
  accessKeyId: z.string().min(16).max(128),
  secretAccessKey: z.string().min(16),
});

/**
 * Users' declared pools: the members of CreateUserPool and CreateUserPoolClient as the API spells them,
 * plus fixed ids so a developer gets the same pool and client on every run. The members themselves are
 * checked against the service model when they are applied (see bootstrap.ts).
 */
const declaredClient = z
  .object({
    ClientId: z.string().regex(/^[\w+]{1,128}$/, 'a client id is 1-128 letters, digits, _ or +').optional(),
    ClientName: z.string(),
    ClientSecret: z.string().optional(),
  })
  .passthrough();

const declaredGroup = z
  .object({
    GroupName: z.string().min(1),
    Description: z.string().optional(),
    Precedence: z.number().int().min(0).optional(),
    RoleArn: z.string().optional(),
  })
  .strict();

/**
 * Declared users, for development and tests: a permanent `Password` (CONFIRMED) or a `TemporaryPassword`
 * (FORCE_CHANGE_PASSWORD), attributes as a name → value map, and the declared groups they belong to.
 */
const declaredUser = z
  .object({
    Username: z.string().min(1),
    Password: z.string().optional(),
    TemporaryPassword: z.string().optional(),
    Attributes: z.record(z.string(), z.string()).default({}),
    Groups: z.array(z.string()).default([]),
    Enabled: z.boolean().default(true),
  })
  .strict()
  .refine((u) => !(u.Password && u.TemporaryPassword), { message: 'give either Password or TemporaryPassword, not both' });

/** Endpoints that replace a social provider's own (see `federation`). */
const socialEndpoints = z
  .object({ issuer: z.string().url(), authorizeUrl: z.string().url(), tokenUrl: z.string().url(), jwksUri: z.string().url(), attributesUrl: z.string().url() })
  .partial()
  .strict();

/** Declared IAM roles: a trust policy and inline policies (documents as JSON text or YAML/JSON objects). */
const policyDocument = z.union([z.string(), z.record(z.string(), z.unknown())]);
const declaredRole = z
  .object({
    RoleName: z.string().regex(/^[\w+=,.@-]{1,64}$/, 'a role name is 1-64 of letters, digits and +=,.@_-'),
    Path: z.string().optional(),
    Description: z.string().optional(),
    MaxSessionDuration: z.number().int().min(3600).max(43200).optional(),
    AssumeRolePolicyDocument: policyDocument,
    Policies: z.record(z.string(), policyDocument).optional(),
  })
  .strict();

const declaredPool = z
  .object({
    Id: z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'a pool id looks like us-east-1_AbCdEf123').max(55).optional(),
    PoolName: z.string(),
    Clients: z.array(declaredClient).default([]),
    Groups: z.array(declaredGroup).default([]),
    Users: z.array(declaredUser).default([]),
  })
  .passthrough();

export const configSchema = z
  .object({
    mode: z.enum(['development', 'production']).default('development'),
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8420),
    /**
     * Server processes sharing the port (node:cluster): 1 serves from this process; N forks N workers,
     * one per core as a rule; 0 forks one per core this process may use.
     */
    workers: z.coerce.number().int().min(0).max(256).default(1),
    /** Base of every issuer and link Gatehouse hands out; defaults to http://host:port. */
    publicUrl: z.string().url().optional(),
    /**
     * Where prefix domains are served, as Cognito serves them at `<prefix>.auth.<region>.amazoncognito.com`:
     * with `auth.example.com`, the pool whose prefix domain is `myapp` is served at the root of
     * `myapp.auth.example.com` (point a wildcard DNS name at Gatehouse). Without it, prefix domains are
     * served under `<publicUrl>/<poolId>/` only.
     */
    hostedUiDomain: z
      .string()
      .regex(HOST_NAME, 'the hosted UI domain is a host name in lower case, such as auth.example.com (no scheme, port or path)')
      .optional(),
    region: z.string().regex(REGION, 'a region looks like us-east-1').default('us-east-1'),
    accountId: z.string().regex(/^\d{12}$/, 'an account id is 12 digits').default('000000000000'),
    dataDir: z.string().default('./data'),
    databaseUrl: z.string().url().optional(),
    /** Encrypts signing keys, client secrets and TOTP seeds at rest; at least 32 characters. */
    secretsKey: z.string().min(32, 'the secrets key must be at least 32 characters').optional(),
    accessKeys: z.array(accessKey).default([]),
    /** How far a SigV4 X-Amz-Date may be from the server clock, as AWS allows. */
    maxClockSkewSeconds: z.number().int().min(1).default(300),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    bodyLimitBytes: z.number().int().min(1024).default(1024 * 1024),
    corsOrigins: z.array(z.string()).default(['*']),
    /** Behind a reverse proxy: take the client address from X-Forwarded-For (for rate limits and logs). */
    trustProxy: z.boolean().default(false),
    /** argon2id cost; the defaults are OWASP's recommendation (19 MiB, 2 passes, 1 lane). */
    passwordHashing: z
      .object({
        memoryKiB: z.number().int().min(1024).default(19456),
        iterations: z.number().int().min(1).default(2),
        parallelism: z.number().int().min(1).default(1),
      })
      .strict()
      .default({ memoryKiB: 19456, iterations: 2, parallelism: 1 }),
    /**
     * Operations that check a credential (a password, a code, a refresh token) are limited per client
     * address: `burst` at once, `perSecond` sustained. Answered with TooManyRequestsException beyond that.
     */
    credentialRateLimit: z
      .object({ perSecond: z.number().positive().default(20), burst: z.number().int().min(1).default(100) })
      .strict()
      .default({ perSecond: 20, burst: 100 }),
    /**
     * Codes a caller may have sent to one user (ForgotPassword, ResendConfirmationCode,
     * GetUserAttributeVerificationCode, a new email or phone number): `burst` at once, `perHour` sustained,
     * per sign-in name, so nobody can flood an inbox or run up an SMS bill. Cognito allows five to twenty an
     * hour; beyond it, LimitExceededException. Administrators' calls are not counted.
     */
    codeMessageLimit: z
      .object({ perHour: z.number().positive().default(5), burst: z.number().int().min(1).default(5) })
      .strict()
      .default({ perHour: 5, burst: 5 }),
    /** Email over SMTP, e.g. smtp://user:pass@mail.example.com:587; without it, development mode keeps mail in the dev mailbox. */
    smtpUrl: z.string().url().optional(),
    /** The From address of emails when the pool's EmailConfiguration names none. */
    emailFrom: z.string().default('no-reply@gatehouse.local'),
    /** SMS are POSTed here as JSON ({to, message, poolId}); the seam for an SNS or vendor sender. */
    smsWebhookUrl: z.string().url().optional(),
    /**
     * The functions a pool's LambdaConfig names, by function name (the last part of its ARN) or by whole
     * ARN: a JavaScript module run in the server's process (`handler(event, context)`, as Lambda's Node.js
     * runtime calls it), or a URL the event is POSTed to as JSON, whose JSON answer is the function's result.
     */
    lambdaFunctions: z
      .record(
        z.string().min(1),
        z.union([z.object({ module: z.string().min(1) }).strict(), z.object({ url: z.string().url() }).strict()]),
      )
      .default({}),
    userPools: z.array(declaredPool).default([]),
    roles: z.array(declaredRole).default([]),
    /**
     * `socialEndpoints`: where sign-ins through a pool's Google, Facebook, Login with Amazon or Sign in with
     * Apple provider go, by provider type, instead of the provider's own endpoints (which DescribeIdentityProvider keeps
     * showing): a mock provider in development and tests, or a gateway that reaches the real one. For
     * Google and Apple, `issuer` and `jwksUri` are those of the ID tokens the endpoints hand out.
     */
    federation: z
      .object({
        socialEndpoints: z
          .object({ Google: socialEndpoints, Facebook: socialEndpoints, LoginWithAmazon: socialEndpoints, SignInWithApple: socialEndpoints })
          .partial()
          .strict()
          .default({}),
      })
      .strict()
      .default({ socialEndpoints: {} }),
    /**
     * `externalSts`: GetCredentialsForIdentity hands the identity's OpenID token (as GetOpenIdToken issues it)
     * to another STS's AssumeRoleWithWebIdentity — AWS's (by `region`) or any STS-speaking store's (by
     * `endpoint`) — for the role the identity pool chooses, instead of issuing credentials itself. That STS
     * must trust `<publicUrl>/cognito-identity` as an OpenID Connect provider, with the identity pool ids as
     * its audiences, and the pools' roles are its roles.
     */
    identityPools: z
      .object({
        externalSts: z
          .object({
            /** The STS's URL, e.g. http://minio.internal:9000; by default AWS's regional STS of `region`. */
            endpoint: z.string().url().optional(),
            region: z.string().regex(REGION, 'a region looks like us-east-1').optional(),
          })
          .strict()
          .refine((sts) => sts.endpoint !== undefined || sts.region !== undefined, { message: 'give the endpoint of the STS, or the AWS region whose STS to use' })
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
/** Configuration as written (defaults may be left out). */
export type ConfigInput = z.input<typeof configSchema>;
export type DeclaredPool = z.infer<typeof declaredPool>;
export type DeclaredPoolInput = z.input<typeof declaredPool>;
export type DeclaredClient = z.infer<typeof declaredClient>;
export type DeclaredGroup = z.infer<typeof declaredGroup>;
export type DeclaredUser = z.infer<typeof declaredUser>;

export class ConfigError extends Error {}

/** Flags from the command line, already parsed, named as the config keys they set. */
export type ConfigOverrides = Partial<Pick<Config, 'host' | 'port' | 'workers' | 'dataDir' | 'mode' | 'databaseUrl' | 'logLevel'>> & { configFile?: string };

/**
 * The YAML parser is loaded only for a YAML config file: without one (the environment and flags alone, or
 * JSON) it added about 4 MB to idle memory (npm run bench -- idle startup). Synchronously, as loadConfig is.
 */
function parseYaml(text: string): unknown {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse(text);
}

function readFileConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid: ${(error as Error).message}`);
  }
}

/** GATEHOUSE_* variables, plus DATABASE_URL as most platforms name it. */
function readEnvironment(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== '') out[key] = value;
  };
  set('mode', env.GATEHOUSE_MODE);
  set('host', env.GATEHOUSE_HOST);
  set('port', env.GATEHOUSE_PORT);
  set('workers', env.GATEHOUSE_WORKERS);
  set('publicUrl', env.GATEHOUSE_PUBLIC_URL);
  set('hostedUiDomain', env.GATEHOUSE_HOSTED_UI_DOMAIN);
  set('region', env.GATEHOUSE_REGION);
  set('accountId', env.GATEHOUSE_ACCOUNT_ID);
  set('dataDir', env.GATEHOUSE_DATA);
  set('databaseUrl', env.DATABASE_URL);
  set('secretsKey', env.GATEHOUSE_SECRETS_KEY);
  set('logLevel', env.GATEHOUSE_LOG_LEVEL);
  set('smtpUrl', env.GATEHOUSE_SMTP_URL);
  set('emailFrom', env.GATEHOUSE_EMAIL_FROM);
  set('smsWebhookUrl', env.GATEHOUSE_SMS_WEBHOOK_URL);
  if (env.GATEHOUSE_ACCESS_KEYS) {
    // "AKID:secret,AKID2:secret2" — the same pair an AWS SDK user puts in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.
    out.accessKeys = env.GATEHOUSE_ACCESS_KEYS.split(',').map((pair) => {
      const [accessKeyId, ...rest] = pair.trim().split(':');
      return { accessKeyId, secretAccessKey: rest.join(':') };
    });
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `${key}: ${issue.message}`;
}

/** Defaults, then the config file, then the environment, then command-line flags: the later wins. */
export function loadConfig(overrides: ConfigOverrides = {}, env: NodeJS.ProcessEnv = process.env): Config & { configFile?: string } {
  const { configFile: flagFile, ...flags } = overrides;
  const configFile = flagFile ?? env.GATEHOUSE_CONFIG;
  const merged = {
    ...(configFile ? readFileConfig(configFile) : {}),
    ...readEnvironment(env),
    ...Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)),
  };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(`invalid configuration${configFile ? ` (${configFile})` : ''}:\n  ${result.error.issues.map(describeIssue).join('\n  ')}`);
  }
  const config = result.data;
  if (!isAbsolute(config.dataDir)) config.dataDir = resolve(config.dataDir);
  // A function's module is found where the config file that names it is, as a reader of the file expects.
  for (const fn of Object.values(config.lambdaFunctions)) {
    if ('module' in fn && !isAbsolute(fn.module)) fn.module = resolve(configFile ? dirname(configFile) : '.', fn.module);
  }
  if (config.mode === 'production' && !config.secretsKey) {
    throw new ConfigError('invalid configuration: secretsKey: production mode needs a secrets-encryption key (GATEHOUSE_SECRETS_KEY, at least 32 characters)');
  }
  if (config.mode === 'development' && !isLoopback(config.host)) {
    throw new ConfigError(`invalid configuration: host: development mode accepts any credentials, so it only binds to loopback, not ${config.host}; use mode: production to listen on other addresses`);
  }
  return { ...config, configFile };
}

