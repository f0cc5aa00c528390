import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without types
import { checkPackage } from '../../lint/dependency-rule.mjs';

const repo = resolve(import.meta.dirname, '../../..');

function fakePackage(name: string, files: Record<string, string>, deps: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcsync-deprule-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, dependencies: deps }));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

describe('workspace dependency rule', () => {
  it.each(['packages/protocol', 'packages/core', 'packages/store', 'packages/transport', 'apps/cli', 'apps/server'])(
    '%s follows it',
    (dir) => expect(checkPackage(join(repo, dir))).toEqual([]),
  );

  it('flags core importing transport, in code and in package.json', () => {
    const dir = fakePackage('@mcsync/core', { 'src/a.ts': "import { x } from '@mcsync/transport';\n" }, { '@mcsync/store': 'workspace:*' });
    const v = checkPackage(dir) as string[];
    expect(v.some((s) => s.includes('imports @mcsync/transport'))).toBe(true);
    expect(v.some((s) => s.includes('depends on @mcsync/store'))).toBe(true);
  });

  it('flags server importing core, and anything importing cli', () => {
    expect(checkPackage(fakePackage('@mcsync/server', { 'src/a.ts': "export * from '@mcsync/core';\n" }))).toHaveLength(1);
    expect(checkPackage(fakePackage('@mcsync/transport', { 'src/a.ts': "const m = await import('@mcsync/cli');\n" }))).toHaveLength(1);
  });

  it('lets tests use the reference server as a fixture', () => {
    expect(checkPackage(fakePackage('@mcsync/transport', { 'src/a.test.ts': "import { startServer } from '@mcsync/server';\n" }))).toEqual([]);
  });
});
