// Child process for the benches: the reference server on a free port, its URL and a dev token sent
// back over IPC, so the client's memory is measured alone. Usage: fork(this, [profile, dataDir]).
import { startServer } from '@mcsync/server';

const [profile = 'enhanced', dataDir] = process.argv.slice(2);
const server = await startServer({ dataDir, port: 0, profile, logError: () => {} });
const { token } = await server.createUser({ email: 'bench@example.org', password: 'bench bench bench' });
process.send({ url: server.url, token });
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
