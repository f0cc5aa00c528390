import { mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Args, Flags } from '@oclif/core';
import { McError } from '@mcsync/core';
import { emptyProjectConfig, findProjectRoot, writeProjectConfig } from '@mcsync/store';
import { getProject } from '@mcsync/transport';
import { McCommand } from '../base-command';
import { connect, resolveAccount } from '../session';

export default class Clone extends McCommand {
  static override summary = 'Set up a new folder for an existing project (downloads nothing)';
  static override description = 'DIR (default ./<project name>) must be missing or empty. Then run `mc down -r .` inside it.';
  static override examples = ['<%= config.bin %> clone 77', '<%= config.bin %> clone 77 ~/projects/perovskites'];

  static override args = {
    id: Args.integer({ description: 'project id (see `mc proj`)', required: true }),
    dir: Args.string({ description: 'folder to set up (default: ./<project name>)' }),
  };

  static override flags = {
    remote: Flags.string({ description: 'account to use instead of the default', multiple: true, helpValue: 'EMAIL URL' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Clone);
    const cli = this.cli(flags.debug);
    const account = resolveAccount(cli, null, flags.remote);
    const client = connect(cli, account);
    try {
      const project = await getProject(client, args.id).catch((err) => {
        if (err instanceof McError && err.code === 'NOT_FOUND') {
          throw new McError('NOT_FOUND', `no project ${args.id} at ${account.url} that ${account.email} may read`, { hint: 'list your projects with `mc proj`' });
        }
        throw err;
      });
      if (project.name.startsWith(`${project.uuid}-`)) {
        throw new McError('NOT_FOUND', `project ${args.id} was deleted`, { hint: 'list your projects with `mc proj`' });
      }
      const dir = resolve(cli.cwd, args.dir ?? project.name.replace(/[/\0]/g, '_'));
      checkTarget(dir);
      mkdirSync(dir, { recursive: true });
      writeProjectConfig(dir, {
        ...emptyProjectConfig(),
        remote: { mcurl: account.url, email: account.email },
        project_id: project.id,
        project_uuid: project.uuid,
      });
      this.out(`cloned project "${project.name}" (id ${project.id}) into ${dir}`);
      this.out(`download its files with: cd ${JSON.stringify(dir)} && mc down -r .`);
    } finally {
      await client.close();
    }
  }
}

function checkTarget(dir: string): void {
  let entries: string[] | null = null;
  try {
    entries = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') throw new McError('USAGE', `${dir} is a file`, { hint: 'give a folder that is missing or empty' });
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (entries && entries.length > 0) throw new McError('USAGE', `${dir} is not empty`, { hint: 'give a folder that is missing or empty' });
  const enclosing = findProjectRoot(resolve(dir, '..'));
  if (enclosing) throw new McError('USAGE', `${dir} would be inside the project folder ${enclosing}`, { hint: 'clone somewhere outside it' });
}
