import type { RequestContext } from '../../context.js';
import type { OperationTable } from '../../protocol/operations.js';
import { addCustomAttributes } from './add-custom-attributes.js';
import { createUserPool } from './create-user-pool.js';
import { createUserPoolClient } from './create-user-pool-client.js';
import { deleteUserPool } from './delete-user-pool.js';
import { deleteUserPoolClient } from './delete-user-pool-client.js';
import { describeUserPool } from './describe-user-pool.js';
import { describeUserPoolClient } from './describe-user-pool-client.js';
import { listUserPoolClients } from './list-user-pool-clients.js';
import { listUserPools } from './list-user-pools.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import { updateUserPool } from './update-user-pool.js';
import { updateUserPoolClient } from './update-user-pool-client.js';
import { getUserPoolMfaConfig, setUserPoolMfaConfig } from './user-pool-mfa-config.js';

/** `AWSCognitoIdentityProviderService.<name>` → handler. */
export const userPoolOperations: OperationTable<RequestContext> = {
  CreateUserPool: createUserPool,
  DescribeUserPool: describeUserPool,
  UpdateUserPool: updateUserPool,
  DeleteUserPool: deleteUserPool,
  ListUserPools: listUserPools,
  AddCustomAttributes: addCustomAttributes,
  GetUserPoolMfaConfig: getUserPoolMfaConfig,
  SetUserPoolMfaConfig: setUserPoolMfaConfig,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
  CreateUserPoolClient: createUserPoolClient,
  DescribeUserPoolClient: describeUserPoolClient,
  UpdateUserPoolClient: updateUserPoolClient,
  DeleteUserPoolClient: deleteUserPoolClient,
  ListUserPoolClients: listUserPoolClients,
};
