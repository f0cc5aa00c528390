import { SCENARIOS, type Scenario } from './scenarios';

export interface BenchArgs {
  scenarios: Scenario[];
  size: 'smoke' | 'full';
  runs: number;
  net: 'loopback' | 'wan';
  out: string | null;
  /** Contenders left out, by the start of their name (e.g. "rclone"). */
  without: string[];
  help: boolean;
}

export const USAGE = `usage: pnpm bench [SCENARIO...] [--size smoke|full] [--runs N] [--net loopback|wan] [--out DIR]

Scenarios (numbers or names; default all):
${SCENARIOS.map((s) => `  ${s.id}  ${s.key.padEnd(13)} ${s.title}`).join('\n')}

  --size   smoke: a small generated tree and one 80 MiB file (a minute or two);
           full: the real tree and the real large files (default)
  --runs   runs per contender, alternating (default 3 for full, 1 for smoke)
  --net    loopback (default) or wan: every request answered 20 ms late
  --out    folder for the Markdown and JSON results (default bench-results/ in the checkout)
  --without NAME[,NAME]  leave out contenders whose name starts with NAME (e.g. rclone: its
           WebDAV upload of the real tree takes about 15 minutes)`;

/** Parses `pnpm bench` arguments; throws an Error whose message says what is wrong. */
export function parseArgs(argv: readonly string[]): BenchArgs {
  const picked: Scenario[] = [];
  let size: BenchArgs['size'] = 'full';
  let runs: number | null = null;
  let net: BenchArgs['net'] = 'loopback';
  let out: string | null = null;
  const without: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === '--') continue;
    else if (flag === '-h' || flag === '--help') help = true;
    else if (flag === '--size') {
      const v = value();
      if (v !== 'smoke' && v !== 'full') throw new Error(`--size must be smoke or full, not ${v}`);
      size = v;
    } else if (flag === '--net') {
      const v = value();
      if (v !== 'loopback' && v !== 'wan') throw new Error(`--net must be loopback or wan, not ${v}`);
      net = v;
    } else if (flag === '--runs') {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`--runs must be a whole number ≥ 1, not ${v}`);
      runs = Number(v);
    } else if (flag === '--out') out = value();
    else if (flag === '--without') without.push(...value().split(',').map((n) => n.trim()).filter(Boolean));
    else if (flag.startsWith('-')) throw new Error(`unknown option ${flag}`);
    else {
      const s = SCENARIOS.find((x) => x.id === a || x.key === a);
      if (!s) throw new Error(`unknown scenario ${a} (one of ${SCENARIOS.map((x) => `${x.id}/${x.key}`).join(', ')})`);
      if (!picked.includes(s)) picked.push(s);
    }
  }
  const scenarios = picked.length ? SCENARIOS.filter((s) => picked.includes(s)) : [...SCENARIOS];
  return { scenarios, size, runs: runs ?? (size === 'full' ? 3 : 1), net, out, without, help };
}
