import type { Db } from './database.js';
import { AppClientsRepository } from './app-clients-repository.js';
import { RolesRepository } from './roles-repository.js';
import { OidcProvidersRepository } from './oidc-providers-repository.js';
import { IdentitiesRepository } from './identities-repository.js';
import { IdentityPoolsRepository } from './identity-pools-repository.js';
import { AuthSessionsRepository } from './auth-sessions-repository.js';
import { RefreshTokensRepository } from './refresh-tokens-repository.js';
import { SigningKeysRepository } from './signing-keys-repository.js';
import { CodesRepository } from './codes-repository.js';
import { UserMfaRepository } from './user-mfa-repository.js';
import { DevicesRepository } from './devices-repository.js';
import { TermsRepository } from './terms-repository.js';
import { UserImportJobsRepository } from './user-import-jobs-repository.js';
import { IdentityLinksRepository } from './identity-links-repository.js';
import { SamlAssertionsUsedRepository } from './saml-assertions-used-repository.js';
import { BrowserContinuationsRepository } from './browser-continuations-repository.js';
import { SamlSigningCertificatesRepository } from './saml-signing-certificates-repository.js';
import { IdentityProvidersRepository } from './identity-providers-repository.js';
import { WebauthnCredentialsRepository } from './webauthn-credentials-repository.js';
import { DevMessagesRepository } from './dev-messages-repository.js';
import { GroupsRepository } from './groups-repository.js';
import { UsersRepository } from './users-repository.js';
import { MetaRepository } from './meta-repository.js';
import { UserPoolsRepository } from './user-pools-repository.js';
import { DomainsRepository } from './domains-repository.js';
import { ResourceServersRepository } from './resource-servers-repository.js';
import { UiCustomizationsRepository } from './ui-customizations-repository.js';
import { OAuthCodesRepository } from './oauth-codes-repository.js';
import { HostedUiSessionsRepository } from './hosted-ui-sessions-repository.js';

export interface Repositories {
  userPools: UserPoolsRepository;
  appClients: AppClientsRepository;
  meta: MetaRepository;
  users: UsersRepository;
  groups: GroupsRepository;
  codes: CodesRepository;
  userMfa: UserMfaRepository;
  devices: DevicesRepository;
  webauthnCredentials: WebauthnCredentialsRepository;
  terms: TermsRepository;
  userImportJobs: UserImportJobsRepository;
  identityProviders: IdentityProvidersRepository;
  identityLinks: IdentityLinksRepository;
  samlAssertionsUsed: SamlAssertionsUsedRepository;
  browserContinuations: BrowserContinuationsRepository;
  samlSigningCertificates: SamlSigningCertificatesRepository;
  devMessages: DevMessagesRepository;
  signingKeys: SigningKeysRepository;
  refreshTokens: RefreshTokensRepository;
  authSessions: AuthSessionsRepository;
  identityPools: IdentityPoolsRepository;
  identities: IdentitiesRepository;
  roles: RolesRepository;
  oidcProviders: OidcProvidersRepository;
  domains: DomainsRepository;
  resourceServers: ResourceServersRepository;
  uiCustomizations: UiCustomizationsRepository;
  oauthCodes: OAuthCodesRepository;
  hostedUiSessions: HostedUiSessionsRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    userPools: new UserPoolsRepository(db),
    appClients: new AppClientsRepository(db),
    meta: new MetaRepository(db),
    users: new UsersRepository(db),
    groups: new GroupsRepository(db),
    codes: new CodesRepository(db),
    userMfa: new UserMfaRepository(db),
    devices: new DevicesRepository(db),
    webauthnCredentials: new WebauthnCredentialsRepository(db),
    terms: new TermsRepository(db),
    userImportJobs: new UserImportJobsRepository(db),
    identityProviders: new IdentityProvidersRepository(db),
    identityLinks: new IdentityLinksRepository(db),
    samlAssertionsUsed: new SamlAssertionsUsedRepository(db),
    browserContinuations: new BrowserContinuationsRepository(db),
    samlSigningCertificates: new SamlSigningCertificatesRepository(db),
    devMessages: new DevMessagesRepository(db),
    signingKeys: new SigningKeysRepository(db),
    refreshTokens: new RefreshTokensRepository(db),
    authSessions: new AuthSessionsRepository(db),
    identityPools: new IdentityPoolsRepository(db),
    identities: new IdentitiesRepository(db),
    roles: new RolesRepository(db),
    oidcProviders: new OidcProvidersRepository(db),
    domains: new DomainsRepository(db),
    resourceServers: new ResourceServersRepository(db),
    uiCustomizations: new UiCustomizationsRepository(db),
    oauthCodes: new OAuthCodesRepository(db),
    hostedUiSessions: new HostedUiSessionsRepository(db),
  };
}
