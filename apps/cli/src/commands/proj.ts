import { Flags } from '@oclif/core';
import { listProjects } from '@mcsync/transport';
import { McCommand } from '../base-command';
import { connect, findProject, resolveAccount } from '../session';

export default class Proj extends McCommand {
  static override summary = "List your projects, marking this folder's";
  static override examples = ['<%= config.bin %> proj', '<%= config.bin %> proj --json'];

  static override flags = {
    json: Flags.boolean({ description: 'print one JSON document on stdout' }),
    remote: Flags.string({ description: 'account to use instead of the default', multiple: true, helpValue: 'EMAIL URL' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Proj);
    this.jsonOutput = flags.json;
    const cli = this.cli(flags.debug);
    const here = findProject(cli);
    const account = resolveAccount(cli, flags.remote?.length ? null : (here?.config ?? null), flags.remote);
    const client = connect(cli, account);
    try {
      const projects = await listProjects(client);
      const current = here?.config.project_id ?? null;
      const rows = projects.map((p) => ({
        name: p.name,
        id: p.id,
        owner: p.owner?.email ?? p.owner?.name ?? String(p.owner_id),
        updated: p.updated_at,
        current: p.id === current,
      }));
      if (flags.json) {
        this.printJson({ command: 'proj', remote: account.url, projects: rows });
        return;
      }
      if (rows.length === 0) {
        this.notice(`no projects yet at ${account.url}; create one with \`mc init\``);
        return;
      }
      const width = Math.min(50, Math.max(4, ...rows.map((r) => r.name.length)));
      this.out(`  ${'NAME'.padEnd(width)}  ${'ID'.padStart(6)}  ${'OWNER'.padEnd(24)}  UPDATED`);
      for (const r of rows) {
        this.out(`${r.current ? '*' : ' '} ${r.name.padEnd(width)}  ${String(r.id).padStart(6)}  ${r.owner.padEnd(24)}  ${r.updated.slice(0, 19).replace('T', ' ')}`);
      }
    } finally {
      await client.close();
    }
  }
}
