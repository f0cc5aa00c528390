import { basename } from 'node:path';
import { Flags } from '@oclif/core';
import { McError } from '@mcsync/core';
import { MAX_PROJECT_NAME_LENGTH } from '@mcsync/protocol';
import { emptyProjectConfig, writeProjectConfig } from '@mcsync/store';
import { createProject, listProjects } from '@mcsync/transport';
import { McCommand } from '../base-command';
import { connect, findProject, resolveAccount } from '../session';

export default class Init extends McCommand {
  static override summary = 'Create a project for this folder and link them (uploads nothing)';
  static override description =
    'The project is named after the folder unless --name is given. Refuses inside an existing project folder, and refuses a name you already have a project for unless --use-existing.';
  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --name "Perovskite screening" --desc "DFT runs"', '<%= config.bin %> init --use-existing'];

  static override flags = {
    name: Flags.string({ description: 'project name (default: the folder name; at most 80 characters)' }),
    desc: Flags.string({ description: 'project description' }),
    remote: Flags.string({ description: 'account to use instead of the default', multiple: true, helpValue: 'EMAIL URL' }),
    'use-existing': Flags.boolean({ description: 'link to your existing project of that name instead of refusing' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const cli = this.cli(flags.debug);
    const existing = findProject(cli);
    if (existing) {
      throw new McError('USAGE', `${cli.cwd} is already inside the project folder ${existing.root}`, {
        hint: 'run mc commands there, or choose a folder outside it',
      });
    }
    const name = (flags.name ?? basename(cli.cwd)).trim();
    if (!name) throw new McError('USAGE', 'the project name is empty', { hint: 'give one with --name' });
    if (name.length > MAX_PROJECT_NAME_LENGTH) {
      throw new McError('USAGE', `project names are at most ${MAX_PROJECT_NAME_LENGTH} characters; "${name.slice(0, 40)}…" has ${name.length}`, {
        hint: 'choose a shorter one with --name',
      });
    }
    const account = resolveAccount(cli, null, flags.remote);
    const client = connect(cli, account);
    try {
      const mine = (await listProjects(client)).find((p) => p.name === name);
      let project = mine;
      if (mine && !flags['use-existing']) {
        throw new McError('USAGE', `you already have a project named "${name}" (id ${mine.id})`, {
          hint: 'link this folder to it with `mc init --use-existing`, or choose another name with --name',
        });
      }
      if (!project) project = (await createProject(client, { name, ...(flags.desc ? { description: flags.desc } : {}) })).project;
      writeProjectConfig(cli.cwd, {
        ...emptyProjectConfig(),
        remote: { mcurl: account.url, email: account.email },
        project_id: project.id,
        project_uuid: project.uuid,
      });
      this.out(`${mine ? 'linked' : 'created'} project "${project.name}" (id ${project.id}) at ${account.url} in ${cli.cwd}`);
      this.notice('upload its files with `mc up -r .`');
    } finally {
      await client.close();
    }
  }
}
