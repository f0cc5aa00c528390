import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FaultSpecError, parseFaultSpec } from '../faults/fault-spec.js';
import { DEFAULT_PROFILE, isProfile, PROFILES } from '../profiles.js';
import { DEFAULT_HOST, DEFAULT_PORT, startServer, urlHost } from '../start-server.js';
import { usageError, type CliIo } from './io.js';

export const DEV_USER_EMAIL = 'dev@mcsync.local';

/**
 * `mc-server start`: serve until SIGINT/SIGTERM, then close gracefully and exit 0.
 * `MC_SERVER_ACCESS_LOG=FILE` appends one `METHOD PATH STATUS BYTES_IN` line per request (for tests that count requests and bytes).
 */
export async function runStart(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      profile: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      log: { type: 'boolean' },
      'changes-retention': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const faults = values.faults;
  if (faults !== undefined) checkFaults(faults);
  const seed = parseSeed(values.seed);
  const profile = values.profile ?? DEFAULT_PROFILE;
  if (!isProfile(profile)) throw usageError(`unknown profile ${profile} (expected one of: ${PROFILES.join(', ')})`);
  const port = parsePort(values.port);
  const retention = values['changes-retention'];
  if (retention !== undefined && !/^[1-9]\d{0,14}$/.test(retention)) {
    throw usageError(`--changes-retention must be a whole number of changes of at least 1, not ${retention}`);
  }
  const host = values.host ?? DEFAULT_HOST;

  const temporary = values.data === undefined;
  const dataDir = temporary ? await mkdtemp(join(tmpdir(), 'mc-server-')) : resolve(values.data!);
  const shutdown = io.shutdownSignal();
  let server;
  try {
    const accessLog = io.env.MC_SERVER_ACCESS_LOG;
    server = await startServer({
      dataDir,
      host,
      port,
      profile,
      logRequests: values.log ?? false,
      ...(accessLog && { accessLog }),
      ...(faults !== undefined && { faults }),
      ...(seed !== undefined && { seed }),
      ...(retention !== undefined && { changesRetention: Number(retention) }),
    });
  } catch (error) {
    if (temporary) await rm(dataDir, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} on ${host} is already in use; choose another with --port (0 = any free port)`);
    }
    throw error;
  }
  try {
    if (temporary) {
      // Printed before the ready line, so whoever waits for that line already has the token.
      const dev = await server.createUser({ email: DEV_USER_EMAIL, name: 'Dev User', password: randomBytes(18).toString('base64url') });
      io.stdout.write(`token: ${dev.token}\n`);
    }
    io.stdout.write(`mc-server listening on http://${urlHost(host)}:${server.port}/api (profile ${profile}, data ${dataDir})\n`);
    await shutdown;
  } finally {
    await server.close();
    if (temporary) await rm(dataDir, { recursive: true, force: true });
  }
  return 0;
}

/** A bad fault SPEC is a usage error (exit 2) naming the rule, before anything starts. */
function checkFaults(spec: string): void {
  try {
    parseFaultSpec(spec);
  } catch (error) {
    if (error instanceof FaultSpecError) throw usageError(`--faults: ${error.message}`);
    throw error;
  }
}

function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,10}$/.test(text) || Number(text) > 0xffffffff) throw usageError(`--seed must be a whole number from 0 to 4294967295, not ${text}`);
  return Number(text);
}

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw usageError(`--port must be a number from 0 to 65535, not ${text}`);
  return port;
}
