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
import { createTerms, deleteTerms, describeTerms, describeTermsByClient, listTerms, updateTerms } from '../terms/operations/terms.js';
import {
  createUserImportJob,
  describeUserImportJob,
  getCSVHeader,
  listUserImportJobs,
  startUserImportJob,
  stopUserImportJob,
} from '../user-import/operations/user-import-jobs.js';
import {
  createIdentityProvider,
  deleteIdentityProvider,
  describeIdentityProvider,
  getIdentityProviderByIdentifier,
  listIdentityProviders,
  updateIdentityProvider,
} from '../../federation/operations/identity-providers.js';
import { getSigningCertificate } from '../../federation/operations/signing-certificate.js';
import { addUserPoolClientSecret, deleteUserPoolClientSecret, listUserPoolClientSecrets } from './user-pool-client-secrets.js';
import { getUserPoolMfaConfig, setUserPoolMfaConfig } from './user-pool-mfa-config.js';
import { createGroup, deleteGroup, getGroup, listGroups, updateGroup } from '../groups/operations/groups.js';
import { adminAddUserToGroup, adminListGroupsForUser, adminRemoveUserFromGroup, listUsersInGroup } from '../groups/operations/memberships.js';
import { createUserPoolDomain, deleteUserPoolDomain, describeUserPoolDomain, updateUserPoolDomain } from '../domains/operations/user-pool-domains.js';
import { getUICustomization, setUICustomization } from '../domains/operations/ui-customization.js';
import {
  createResourceServer,
  deleteResourceServer,
  describeResourceServer,
  listResourceServers,
  updateResourceServer,
} from '../resource-servers/operations/resource-servers.js';
import { adminConfirmSignUp } from '../users/operations/admin-confirm-sign-up.js';
import { adminCreateUser } from '../users/operations/admin-create-user.js';
import { adminDeleteUser } from '../users/operations/admin-delete-user.js';
import { adminDisableProviderForUser, adminLinkProviderForUser } from '../../federation/operations/linked-providers.js';
import { adminDisableUser, adminEnableUser } from '../users/operations/admin-enable-disable-user.js';
import { adminGetUser } from '../users/operations/admin-get-user.js';
import { adminResetUserPassword } from '../users/operations/admin-reset-user-password.js';
import { adminSetUserPassword } from '../users/operations/admin-set-user-password.js';
import { adminDeleteUserAttributes, adminUpdateUserAttributes } from '../users/operations/admin-user-attributes.js';
import { listUsers } from '../users/operations/list-users.js';
import { confirmForgotPassword } from '../users/operations/confirm-forgot-password.js';
import { confirmSignUp } from '../users/operations/confirm-sign-up.js';
import { forgotPassword } from '../users/operations/forgot-password.js';
import { resendConfirmationCode } from '../users/operations/resend-confirmation-code.js';
import { signUp } from '../users/operations/sign-up.js';
import { getTokensFromRefreshToken } from '../auth/operations/get-tokens-from-refresh-token.js';
import { adminUserGlobalSignOut, globalSignOut } from '../auth/operations/global-sign-out.js';
import { adminInitiateAuth, initiateAuth } from '../auth/operations/initiate-auth.js';
import { adminRespondToAuthChallenge, respondToAuthChallenge } from '../auth/operations/respond-to-auth-challenge.js';
import { revokeToken } from '../auth/operations/revoke-token.js';
import { adminDeleteSoftwareToken } from '../mfa/operations/admin-delete-software-token.js';
import { adminSetUserMFAPreference } from '../mfa/operations/admin-set-user-mfa-preference.js';
import { associateSoftwareToken } from '../mfa/operations/associate-software-token.js';
import { setUserMFAPreference } from '../mfa/operations/set-user-mfa-preference.js';
import { adminSetUserSettings, setUserSettings } from '../mfa/operations/user-settings.js';
import { verifySoftwareToken } from '../mfa/operations/verify-software-token.js';
import { adminForgetDevice, adminGetDevice, adminListDevices, adminUpdateDeviceStatus } from '../devices/operations/admin-devices.js';
import { confirmDevice } from '../devices/operations/confirm-device.js';
import { forgetDevice, getDevice, listDevices, updateDeviceStatus } from '../devices/operations/user-devices.js';
import {
  completeWebAuthnRegistration,
  deleteWebAuthnCredential,
  listWebAuthnCredentials,
  startWebAuthnRegistration,
} from '../passkeys/operations/passkeys.js';
import { changePassword } from '../users/operations/change-password.js';
import { deleteUser } from '../users/operations/delete-user.js';
import { getUser } from '../users/operations/get-user.js';
import { adminGetUserAuthFactors } from '../auth/operations/admin-get-user-auth-factors.js';
import { getUserAuthFactors } from '../auth/operations/get-user-auth-factors.js';
import {
  deleteUserAttributes,
  getUserAttributeVerificationCode,
  updateUserAttributes,
  verifyUserAttribute,
} from '../users/operations/user-attributes.js';

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
  AddUserPoolClientSecret: addUserPoolClientSecret,
  ListUserPoolClientSecrets: listUserPoolClientSecrets,
  DeleteUserPoolClientSecret: deleteUserPoolClientSecret,
  CreateTerms: createTerms,
  DescribeTerms: describeTerms,
  DescribeTermsByClient: describeTermsByClient,
  ListTerms: listTerms,
  UpdateTerms: updateTerms,
  DeleteTerms: deleteTerms,

  CreateUserPoolDomain: createUserPoolDomain,
  DescribeUserPoolDomain: describeUserPoolDomain,
  UpdateUserPoolDomain: updateUserPoolDomain,
  DeleteUserPoolDomain: deleteUserPoolDomain,
  SetUICustomization: setUICustomization,
  GetUICustomization: getUICustomization,
  CreateResourceServer: createResourceServer,
  DescribeResourceServer: describeResourceServer,
  UpdateResourceServer: updateResourceServer,
  DeleteResourceServer: deleteResourceServer,
  ListResourceServers: listResourceServers,
  CreateIdentityProvider: createIdentityProvider,
  DescribeIdentityProvider: describeIdentityProvider,
  UpdateIdentityProvider: updateIdentityProvider,
  DeleteIdentityProvider: deleteIdentityProvider,
  ListIdentityProviders: listIdentityProviders,
  GetIdentityProviderByIdentifier: getIdentityProviderByIdentifier,
  GetSigningCertificate: getSigningCertificate,
  AdminLinkProviderForUser: adminLinkProviderForUser,
  AdminDisableProviderForUser: adminDisableProviderForUser,

  AdminCreateUser: adminCreateUser,
  AdminGetUser: adminGetUser,
  AdminDeleteUser: adminDeleteUser,
  AdminEnableUser: adminEnableUser,
  AdminDisableUser: adminDisableUser,
  AdminSetUserPassword: adminSetUserPassword,
  AdminResetUserPassword: adminResetUserPassword,
  AdminConfirmSignUp: adminConfirmSignUp,
  AdminUpdateUserAttributes: adminUpdateUserAttributes,
  AdminDeleteUserAttributes: adminDeleteUserAttributes,
  ListUsers: listUsers,
  GetCSVHeader: getCSVHeader,
  CreateUserImportJob: createUserImportJob,
  DescribeUserImportJob: describeUserImportJob,
  ListUserImportJobs: listUserImportJobs,
  StartUserImportJob: startUserImportJob,
  StopUserImportJob: stopUserImportJob,

  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,

  InitiateAuth: initiateAuth,
  AdminInitiateAuth: adminInitiateAuth,
  RespondToAuthChallenge: respondToAuthChallenge,
  AdminRespondToAuthChallenge: adminRespondToAuthChallenge,
  GetTokensFromRefreshToken: getTokensFromRefreshToken,
  RevokeToken: revokeToken,
  GlobalSignOut: globalSignOut,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,

  AssociateSoftwareToken: associateSoftwareToken,
  VerifySoftwareToken: verifySoftwareToken,
  SetUserMFAPreference: setUserMFAPreference,
  AdminSetUserMFAPreference: adminSetUserMFAPreference,
  AdminDeleteSoftwareToken: adminDeleteSoftwareToken,
  AdminGetUserAuthFactors: adminGetUserAuthFactors,
  SetUserSettings: setUserSettings,
  AdminSetUserSettings: adminSetUserSettings,

  ConfirmDevice: confirmDevice,
  GetDevice: getDevice,
  ListDevices: listDevices,
  UpdateDeviceStatus: updateDeviceStatus,
  ForgetDevice: forgetDevice,
  AdminGetDevice: adminGetDevice,
  AdminListDevices: adminListDevices,
  AdminUpdateDeviceStatus: adminUpdateDeviceStatus,
  AdminForgetDevice: adminForgetDevice,

  StartWebAuthnRegistration: startWebAuthnRegistration,
  CompleteWebAuthnRegistration: completeWebAuthnRegistration,
  ListWebAuthnCredentials: listWebAuthnCredentials,
  DeleteWebAuthnCredential: deleteWebAuthnCredential,

  GetUser: getUser,
  GetUserAuthFactors: getUserAuthFactors,
  ChangePassword: changePassword,
  UpdateUserAttributes: updateUserAttributes,
  DeleteUserAttributes: deleteUserAttributes,
  GetUserAttributeVerificationCode: getUserAttributeVerificationCode,
  VerifyUserAttribute: verifyUserAttribute,
  DeleteUser: deleteUser,

  CreateGroup: createGroup,
  GetGroup: getGroup,
  UpdateGroup: updateGroup,
  DeleteGroup: deleteGroup,
  ListGroups: listGroups,
  AdminAddUserToGroup: adminAddUserToGroup,
  AdminRemoveUserFromGroup: adminRemoveUserFromGroup,
  AdminListGroupsForUser: adminListGroupsForUser,
  ListUsersInGroup: listUsersInGroup,
};
