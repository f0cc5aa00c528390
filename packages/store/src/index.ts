export * from './types';
export { openStateStore, resetStateStore, stateDbPath, SqliteStateStore, type OpenStateStoreOptions } from './state-db';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations';
export {
  emptyProjectConfig,
  findProjectRoot,
  projectConfigPath,
  readProjectConfig,
  serializeProjectConfig,
  writeProjectConfig,
} from './project-config';
export {
  emptyUserConfig,
  materialsCommonsDir,
  readUserConfig,
  saveUserConfig,
  serializeUserConfig,
  userConfigPath,
  type HomeOptions,
} from './user-config';
export { effectiveDefaultRemote, isPlaceholder, NO_DEFAULT_EMAIL, type EffectiveDefault } from './default-remote';
export {
  addRemote,
  DEFAULT_MCURL,
  listRemotes,
  removeRemote,
  sameAccount,
  setDefaultRemote,
  type AccountRef,
  type RemoteListing,
} from './remote-accounts';
export { resolveRemote, type ResolveRemoteInput } from './resolve-remote';
export { checkRemoteUrl, isLoopbackHost } from './remote-url';
export {
  emptyMcsyncSettings,
  getCached,
  isInsecureRemote,
  mcsyncSettingsPath,
  readMcsyncSettings,
  remoteKey,
  setCached,
  setInsecureRemote,
  updateMcsyncSettings,
  writeMcsyncSettings,
} from './mcsync-settings';
export { acquireProjectLock, parseLockInfo, type AcquireLockOptions, type LockInfo, type ProjectLock } from './project-lock';
