import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { mc, startMcServer, tempDir } from './binaries';
import { buildSampleTree } from './sample-tree';
import { digestTree } from './tree-digest';

/**
 * `pnpm demo`: a throwaway mc-server, a generated project-shaped tree uploaded with `mc up`,
 * cloned and downloaded with `mc down` into a fresh folder, every byte verified, timings printed.
 */
async function main(): Promise<number> {
  const work = tempDir('demo');
  const home = join(work, 'home');
  const src = join(work, 'sample-project');
  const dst = join(work, 'downloaded');
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const timings: Array<[string, number]> = [];
  const server = await startMcServer([]);
  try {
    say(`mc-server (enhanced profile, the default) at ${server.url}`);
    const stats = buildSampleTree(src);
    say(`sample tree: ${stats.files} files, ${stats.folders} folders, ${(stats.bytes / 2 ** 20).toFixed(1)} MiB, ${stats.symlinks} symlinks in ${src}`);
    const env = { MC_API_URL: server.url, MC_API_KEY: server.token, MC_API_EMAIL: 'demo@mcsync.local' };
    const step = async (label: string, args: string[], cwd: string): Promise<void> => {
      say(`\n$ mc ${args.join(' ')}`);
      const r = await mc(args, { home, cwd, env, inheritStderr: true });
      process.stdout.write(r.stdout.split('\n').filter((l) => !l.startsWith('skipped ')).join('\n'));
      if (r.code !== 0) throw new Error(`mc ${args.join(' ')} exited with ${r.code}`);
      timings.push([label, r.seconds]);
    };
    await step('init', ['init', '--name', 'mcsync demo'], src);
    await step('upload', ['up', '-r', '.'], src);
    const id = /\(id (\d+)\)/.exec((await mc(['proj'], { home, cwd: src, env })).stdout.split('\n').find((l) => l.startsWith('*')) ?? '');
    const projectId = id ? id[1]! : '1';
    await step('clone', ['clone', projectId, dst], work);
    await step('download', ['down', '-r', '.'], dst);
    await step('no-op upload', ['up', '-r', '.'], src);

    say('\nverifying every byte (MD5 of both trees)…');
    const [a, b] = await Promise.all([digestTree(src), digestTree(dst)]);
    const bad = [...a].filter(([p, sum]) => b.get(p) !== sum).map(([p]) => p);
    const extra = [...b.keys()].filter((p) => !a.has(p));
    say('\n step            seconds');
    for (const [label, s] of timings) say(` ${label.padEnd(15)} ${s.toFixed(2).padStart(7)}`);
    if (bad.length || extra.length) {
      say(`\nMISMATCH: ${bad.length} files differ or are missing, ${extra.length} unexpected: ${[...bad, ...extra].slice(0, 10).join(', ')}`);
      return 1;
    }
    say(`\nround trip verified: ${a.size} files identical (symlinks reported and skipped, as intended)`);
    return 0;
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
