import { rmSync } from 'node:fs';
import { measure } from './measure';
import type { Sample } from './report-types';
import type { BenchServer } from './servers';

const FLAGS = ['--use-json-log', '--stats', '1h', '--stats-log-level', 'NOTICE'];

/** Bytes rclone says it transferred (the `stats` object of its JSON log's last summary). */
function transferredBytes(stderr: string): number | null {
  let bytes: number | null = null;
  for (const line of stderr.split('\n')) {
    if (!line.includes('"stats"')) continue;
    try {
      const stats = (JSON.parse(line) as { stats?: { bytes?: number; errors?: number } }).stats;
      if (stats?.errors) throw new Error(`rclone reported ${stats.errors} errors: ${line.slice(0, 500)}`);
      if (typeof stats?.bytes === 'number') bytes = stats.bytes;
    } catch (err) {
      if (err instanceof SyntaxError) continue;
      throw err;
    }
  }
  return bytes;
}

async function copy(args: string[], server: BenchServer): Promise<Sample> {
  server.traffic();
  const r = await measure('rclone', ['copy', ...args, ...FLAGS], { env: { RCLONE_CONFIG: '/dev/null' } });
  if (r.code !== 0) throw new Error(`rclone copy exited ${r.code}: ${r.stderr.slice(-1500)}`);
  const traffic = server.traffic();
  return {
    seconds: r.seconds,
    peakRssMiB: r.peakRssMiB,
    requests: Number.isNaN(traffic.requests) ? null : traffic.requests,
    bytesSent: transferredBytes(r.stderr),
  };
}

/** `rclone copy SRC :webdav:DEST` against `rclone serve webdav` (defaults: 4 transfers, 8 checkers). */
export function rcloneUp(src: string, dest: string, server: BenchServer): Promise<Sample> {
  return copy([src, `:webdav:${dest}`, '--webdav-url', server.url], server);
}

/** `rclone copy :http: DST` from `rclone serve http`; the copy is removed afterwards. */
export async function rcloneDown(dst: string, server: BenchServer, keep = false): Promise<Sample> {
  const s = await copy([':http:', dst, '--http-url', server.url], server);
  if (!keep) rmSync(dst, { recursive: true, force: true });
  return s;
}
