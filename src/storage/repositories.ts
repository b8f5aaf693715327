import type { Db } from './database.js';
import { AppClientsRepository } from './app-clients-repository.js';
import { MetaRepository } from './meta-repository.js';
import { UserPoolsRepository } from './user-pools-repository.js';

export interface Repositories {
  userPools: UserPoolsRepository;
  appClients: AppClientsRepository;
  meta: MetaRepository;
}

export function createRepositories(db: Db): Repositories {
  return {
    userPools: new UserPoolsRepository(db),
    appClients: new AppClientsRepository(db),
    meta: new MetaRepository(db),
  };
}
