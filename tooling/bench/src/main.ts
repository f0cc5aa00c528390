import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { USAGE, parseArgs } from './args';
import { BenchContext } from './context';
import { cacheDir } from './data';
import { renderMarkdown, scenarioTable } from './report';
import type { BenchReport } from './report-types';
import { hasCommand } from './servers';

/** `WAN` round trip added to every request with `--net wan`. */
const WAN_DELAY_MS = 20;
const REQUIRED = [
  ['rclone', 'apt-get install rclone'],
  ['rsync', 'apt-get install rsync'],
  ['curl', 'apt-get install curl'],
  ['md5sum', 'apt-get install coreutils'],
  ['tar', 'apt-get install tar'],
] as const;

function machine(): string {
  const cpu = cpus();
  const rclone = hasCommand('rclone') ? execFileSync('rclone', ['version'], { encoding: 'utf8' }).split('\n')[0] : 'no rclone';
  return `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}, ${rclone}`;
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`pnpm bench: ${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const missing = REQUIRED.filter(([cmd]) => !hasCommand(cmd));
  if (missing.length) {
    process.stderr.write(`pnpm bench needs ${missing.map(([c]) => c).join(', ')}: ${missing.map(([, how]) => how).join('; ')}\n`);
    return 2;
  }
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  const outDir = resolve(args.out ?? join(import.meta.dirname, '../../../bench-results'));
  // The work area sits beside the data cache: copies of the trees are hard links, which need one file system.
  const work = join(cacheDir(), `bench-work-${process.pid}`);
  mkdirSync(work, { recursive: true });
  const ctx = new BenchContext(work, args.size, args.net === 'wan' ? WAN_DELAY_MS : 0, say, args.without);
  const report: BenchReport = {
    date: new Date().toISOString(),
    command: `pnpm bench ${argv.join(' ')}`.trim(),
    size: args.size,
    net: args.net,
    runs: args.runs,
    machine: machine(),
    scenarios: [],
  };
  const stem = `bench-${args.size}-${args.net}-${report.date.replace(/[:.]/g, '-')}`;
  const stop = async (): Promise<void> => {
    await ctx.stopServers();
    rmSync(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stop().finally(() => process.exit(130)));
  // Written after every scenario, so a long run that fails late keeps what it measured.
  const write = (): string => {
    mkdirSync(outDir, { recursive: true });
    const markdown = renderMarkdown(report);
    writeFileSync(join(outDir, `${stem}.md`), markdown);
    writeFileSync(join(outDir, `${stem}.json`), `${JSON.stringify(report, null, 2)}\n`);
    return markdown;
  };
  try {
    for (const s of args.scenarios) {
      say(`scenario ${s.id} (${s.key}): ${s.title}`);
      const results = await s.run(ctx, args.runs);
      report.scenarios.push(...results);
      write();
      for (const r of results) say(`\n${scenarioTable(r)}\n${r.targets.map((t) => `- target: ${t}`).join('\n')}\n`);
    }
  } finally {
    await stop();
  }
  process.stdout.write(`${write()}\nwritten: ${join(outDir, `${stem}.md`)} and .json\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`pnpm bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
