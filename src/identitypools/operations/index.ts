import type { RequestContext } from '../../context.js';
import type { OperationTable } from '../../protocol/operations.js';
import {
  getOpenIdTokenForDeveloperIdentity,
  lookupDeveloperIdentity,
  mergeDeveloperIdentities,
  unlinkDeveloperIdentity,
} from './developer-identities.js';
import { getCredentialsForIdentity } from './get-credentials-for-identity.js';
import { getId, getOpenIdToken } from './get-id.js';
import { deleteIdentities, describeIdentity, listIdentities, unlinkIdentity } from './identities.js';
import { createIdentityPool, deleteIdentityPool, describeIdentityPool, listIdentityPools, updateIdentityPool } from './identity-pools.js';
import { getIdentityPoolRoles, getPrincipalTagAttributeMap, setIdentityPoolRoles, setPrincipalTagAttributeMap } from './roles.js';
import { listIdentityPoolTags, tagIdentityPool, untagIdentityPool } from './tags.js';

/** `AWSCognitoIdentityService.<name>` → handler. */
export const identityPoolOperations: OperationTable<RequestContext> = {
  CreateIdentityPool: createIdentityPool,
  DescribeIdentityPool: describeIdentityPool,
  UpdateIdentityPool: updateIdentityPool,
  DeleteIdentityPool: deleteIdentityPool,
  ListIdentityPools: listIdentityPools,
  SetIdentityPoolRoles: setIdentityPoolRoles,
  GetIdentityPoolRoles: getIdentityPoolRoles,
  SetPrincipalTagAttributeMap: setPrincipalTagAttributeMap,
  GetPrincipalTagAttributeMap: getPrincipalTagAttributeMap,
  TagResource: tagIdentityPool,
  UntagResource: untagIdentityPool,
  ListTagsForResource: listIdentityPoolTags,
  GetId: getId,
  GetOpenIdToken: getOpenIdToken,
  GetCredentialsForIdentity: getCredentialsForIdentity,
  DescribeIdentity: describeIdentity,
  ListIdentities: listIdentities,
  DeleteIdentities: deleteIdentities,
  UnlinkIdentity: unlinkIdentity,
  GetOpenIdTokenForDeveloperIdentity: getOpenIdTokenForDeveloperIdentity,
  LookupDeveloperIdentity: lookupDeveloperIdentity,
  MergeDeveloperIdentities: mergeDeveloperIdentities,
  UnlinkDeveloperIdentity: unlinkDeveloperIdentity,
};
