import { mkdirSync, rmSync } from 'node:fs';
import { measure } from './measure';
import type { Sample } from './report-types';

const q = (p: string): string => `'${p.replace(/'/g, `'\\''`)}'`;

function sample(seconds: number, bytesSent: number | null = null): Sample {
  return { seconds, peakRssMiB: null, requests: null, bytesSent };
}

async function shell(script: string, what: string): Promise<number> {
  const r = await measure(script, [], { shell: true });
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.slice(-1000)}`);
  return r.seconds;
}

/** Local I/O floor: `tar -cf - | tar -xf -` of the tree into a new folder (removed afterwards). */
export async function tarCopy(src: string, dst: string): Promise<Sample> {
  mkdirSync(dst, { recursive: true });
  const s = await shell(`tar -C ${q(src)} -cf - . | tar -C ${q(dst)} -xf -`, 'tar copy');
  rmSync(dst, { recursive: true, force: true });
  return sample(s);
}

/** Hashing floor: `md5sum` of every file of the tree, one process after another as xargs feeds it. */
export async function md5sumTree(src: string): Promise<Sample> {
  return sample(await shell(`cd ${q(src)} && find . -type f -print0 | xargs -0 md5sum > /dev/null`, 'md5sum'));
}

/** Stat-walk floor: `rsync -an` between the tree and an identical copy (nothing to do). */
export async function rsyncNoop(src: string, copy: string): Promise<Sample> {
  return sample(await shell(`rsync -an ${q(`${src}/`)} ${q(`${copy}/`)}`, 'rsync -an'));
}

export interface CurlUpload {
  path: string;
  /** tus endpoint (`…/files/`) and the Upload-Metadata header value for this file. */
  endpoint: string;
  metadata: string;
  size: number;
}

/**
 * Network floor, up: one tus creation and one PATCH with the whole file per file, by `curl`, one
 * file after another (a single stream). The token goes in a header file, never on a command line.
 */
export async function curlUpload(files: readonly CurlUpload[], headerFile: string): Promise<Sample> {
  const lines = ['set -euo pipefail'];
  for (const f of files) {
    const origin = new URL(f.endpoint).origin;
    lines.push(
      `loc=$(curl -sS -f -o /dev/null -D - -X POST -H @${q(headerFile)} -H 'Tus-Resumable: 1.0.0' -H 'Upload-Length: ${f.size}' -H ${q(`Upload-Metadata: ${f.metadata}`)} ${q(f.endpoint)} | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')`,
      `case "$loc" in /*) loc=${q(origin)}"$loc";; esac`,
      `curl -sS -f -o /dev/null -X PATCH -H @${q(headerFile)} -H 'Expect:' -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' -H 'Content-Type: application/offset+octet-stream' -T ${q(f.path)} "$loc"`,
    );
  }
  return sample(await shell(lines.join('\n'), 'curl upload'), files.reduce((n, f) => n + f.size, 0));
}

/** Network floor, down: one `curl` GET per file into `dst`, one after another. */
export async function curlDownload(files: ReadonlyArray<{ url: string; name: string; size: number }>, headerFile: string, dst: string): Promise<Sample> {
  mkdirSync(dst, { recursive: true });
  const script = ['set -euo pipefail', ...files.map((f) => `curl -sS -f -H @${q(headerFile)} -o ${q(`${dst}/${f.name}`)} ${q(f.url)}`)].join('\n');
  const s = await shell(script, 'curl download');
  rmSync(dst, { recursive: true, force: true });
  return sample(s, files.reduce((n, f) => n + f.size, 0));
}
