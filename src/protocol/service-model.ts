import { existsSync, readFileSync } from 'node:fs';

/** The subset of the botocore service-model format that Gatehouse reads. */
export interface Shape {
  type: 'structure' | 'string' | 'list' | 'map' | 'integer' | 'long' | 'boolean' | 'blob' | 'timestamp' | 'double' | 'float';
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  key?: { shape: string };
  value?: { shape: string };
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  sensitive?: boolean;
  document?: boolean;
  exception?: boolean;
}

interface Operation {
  name: string;
  input?: { shape: string };
  output?: { shape: string };
  authtype?: string;
  auth?: string[];
}

interface RawModel {
  metadata: { targetPrefix: string; endpointPrefix: string };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

export interface ServiceModel {
  /** `X-Amz-Target` prefix, e.g. `AWSCognitoIdentityProviderService`. */
  targetPrefix: string;
  /** SigV4 signing name, e.g. `cognito-idp`. */
  signingName: string;
  shapes: Record<string, Shape>;
  operations: Map<string, OperationSpec>;
}

export interface OperationSpec {
  inputShape: string | undefined;
  /** The members the answer may have: what the protocol layer serialises, and nothing else. */
  outputMembers: ReadonlySet<string>;
  unsigned: boolean;
}

/** models/ at the package root: one level above the dist/ bundle, two above this file in src/protocol/. */
const MODELS = [new URL('../models/', import.meta.url), new URL('../../models/', import.meta.url)].find((dir) => existsSync(new URL('cognito-idp.json', dir)));

function loadModel(file: string): ServiceModel {
  if (!MODELS) throw new Error(`the service models are not in ${new URL('../models/', import.meta.url).pathname}`);
  const raw = JSON.parse(readFileSync(new URL(file, MODELS), 'utf8')) as RawModel;
  const operations = new Map<string, OperationSpec>();
  for (const [name, op] of Object.entries(raw.operations)) {
    // Older models say `authtype: none`, newer ones `auth: [smithy.api#noAuth]`; either makes it unsigned.
    const unsigned = op.authtype === 'none' || (op.auth?.includes('smithy.api#noAuth') ?? false);
    const outputMembers = new Set(Object.keys((op.output && raw.shapes[op.output.shape]?.members) ?? {}));
    operations.set(name, { inputShape: op.input?.shape, outputMembers, unsigned });
  }
  return {
    targetPrefix: raw.metadata.targetPrefix,
    signingName: raw.metadata.endpointPrefix,
    shapes: raw.shapes,
    operations,
  };
}

export const userPoolsModel = loadModel('cognito-idp.json');
export const identityPoolsModel = loadModel('cognito-identity.json');

/**
 * Operations that the newest npm SDK serves unsigned but the bundled botocore model does not yet list
 * (reference/PROTOCOL.md §3): the SDK sends them without a signature, so they must stay unsigned here.
 */
for (const name of ['ListUserSessions', 'RevokeUserSession']) {
  const op = userPoolsModel.operations.get(name);
  if (op) op.unsigned = true;
}

/**
 * DomainType's pattern and length fit a prefix domain (`myapp`) only, yet CreateUserPoolDomain and its
 * siblings carry custom domains (`auth.example.com`, up to 253 characters) in the same member. Cognito
 * checks the prefix pattern itself, for prefix domains only, with its own message; so does
 * userpools/domains/domains.ts. Here the member keeps only the bounds a custom domain has.
 */
userPoolsModel.shapes.DomainType = { type: 'string', min: 1, max: 253 };
