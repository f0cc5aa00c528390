// Opens the project around the working directory the way `mc` does and prints what it knows.
// Run from inside a project folder: node packages/store/examples/show-project.mjs
import {
  acquireProjectLock,
  findProjectRoot,
  openStateStore,
  readProjectConfig,
  readUserConfig,
  resolveRemote,
} from '@mcsync/store';

const root = findProjectRoot(process.cwd());
if (root === null) {
  console.error('not inside an mc project (no .mc/ folder here or above)');
  process.exit(2);
}

const project = readProjectConfig(root);
const { config: user, warnings } = readUserConfig(); // ~/.materialscommons/config.json
for (const w of warnings) console.error(`warning: ${w}`);

try {
  const remote = resolveRemote({ projectConfig: project, userConfig: user, env: process.env });
  for (const w of remote.warnings) console.error(`warning: ${w}`);
  console.log(`project ${project.project_id} on ${remote.url} as ${remote.email} (account from: ${remote.source})`);
} catch (err) {
  console.error(`${err.message}${err.hint ? `\nhint: ${err.hint}` : ''}`);
}

const lock = acquireProjectLock(root, { command: 'show-project example' });
const store = openStateStore(root);
try {
  const counts = store.counts();
  console.log(`cached: ${counts.local} local, ${counts.remote} remote, ${counts.base} synced entries`);
  console.log(`last runs: ${JSON.stringify(store.listRuns(3).map((r) => `${r.command}: ${r.status}`))}`);
} finally {
  store.close();
  lock.release();
}
