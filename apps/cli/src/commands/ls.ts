import { Flags } from '@oclif/core';
import type { SideBySide } from '@mcsync/core';
import { McCommand } from '../base-command';
import { formatBytes } from '../output/format';
import { compareSides } from '../status-command';

const STATE_LABEL: Record<SideBySide['state'], string> = {
  same: 'same',
  differs: 'differs',
  'local-only': 'local only',
  'remote-only': 'remote only',
  unknown: 'size matches',
};

export default class Ls extends McCommand {
  static override summary = 'List local and remote side by side';
  static override description = 'For each PATH (default .): a file itself, or the entries directly inside a folder, with their local and remote sizes.';
  static override strict = false;
  static override examples = ['<%= config.bin %> ls', '<%= config.bin %> ls dft/vasp --json'];
  static override usage = 'ls [PATH...] [--json]';

  static override flags = {
    json: Flags.boolean({ description: 'print one JSON document on stdout' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parse(Ls);
    this.jsonOutput = flags.json;
    const { session, report, prefixes } = await compareSides(this.cli(flags.debug), 'mc ls', argv as string[], true);
    const depth = (p: string) => (p === '' ? 0 : p.split('/').length);
    const isFile = (e: SideBySide) => (e.local ?? e.remote)!.kind === 'file';
    const shown = report.entries.filter((e) =>
      prefixes.some(
        (prefix) => (e.path === prefix && isFile(e)) || (depth(e.path) === depth(prefix) + 1 && (prefix === '' || e.path.startsWith(`${prefix}/`))),
      ),
    );
    if (flags.json) {
      this.printJson({
        command: 'ls',
        project_id: session.projectId,
        entries: shown.map((e) => ({
          path: e.path,
          kind: (e.local ?? e.remote)!.kind,
          local: e.local ? { size: e.local.size, md5: e.local.md5 } : null,
          remote: e.remote ? { id: e.remote.id, size: e.remote.size, md5: e.remote.md5 } : null,
          state: e.state,
        })),
      });
      return;
    }
    const size = (n: number | undefined, kind: string | undefined) => (n === undefined ? '-' : kind === 'directory' ? 'dir' : formatBytes(n));
    this.out(`${'LOCAL'.padStart(10)}  ${'REMOTE'.padStart(10)}  ${'STATE'.padEnd(12)}  PATH`);
    for (const e of shown) {
      const kind = (e.local ?? e.remote)!.kind;
      this.out(
        `${size(e.local?.size, e.local?.kind).padStart(10)}  ${size(e.remote?.size, e.remote?.kind).padStart(10)}  ${STATE_LABEL[e.state].padEnd(12)}  ${e.path}${kind === 'directory' ? '/' : ''}`,
      );
    }
  }
}
