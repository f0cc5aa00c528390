#!/usr/bin/env node
// The workspace dependency rule (design.md): core imports no other workspace package; store and
// transport import core and protocol; cli wires them all; server imports only protocol; nothing
// imports cli or server. Test files may use @mcsync/server as a fixture.
// Usage: node dependency-rule.mjs [PACKAGE_DIR...]   (default: every package). Exit 1 on a violation.
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ALLOWED = {
  '@mcsync/protocol': [],
  '@mcsync/core': [],
  '@mcsync/store': ['@mcsync/core', '@mcsync/protocol'],
  '@mcsync/transport': ['@mcsync/core', '@mcsync/protocol'],
  '@mcsync/cli': ['@mcsync/core', '@mcsync/protocol', '@mcsync/store', '@mcsync/transport'],
  '@mcsync/server': ['@mcsync/protocol'],
};
const TEST_ONLY = ['@mcsync/server'];

const IMPORT = /(?:^|\s|;)(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const isTestFile = (file) => /\.test\.[mc]?[jt]s$/.test(file) || /[/\\](test|tests)[/\\]/.test(file);

/** Violations of one package folder, as strings. */
export function checkPackage(pkgDir) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  const allowed = ALLOWED[pkg.name];
  if (!allowed) return []; // private tooling packages (e2e, bench) may use anything
  const violations = [];
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (dep.startsWith('@mcsync/') && !allowed.includes(dep)) violations.push(`${pkg.name}: package.json depends on ${dep}`);
  }
  const srcDirs = ['src', 'test'].map((d) => join(pkgDir, d)).filter((d) => existsSync(d));
  for (const file of srcDirs.flatMap(sourceFiles)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = spec.match(/^@mcsync\/[^/]+/)?.[0];
      if (!target || target === pkg.name || allowed.includes(target)) continue;
      if (isTestFile(file) && TEST_ONLY.includes(target)) continue;
      violations.push(`${pkg.name}: ${relative(process.cwd(), file)} imports ${spec}`);
    }
  }
  return violations;
}

function allPackages(root) {
  return ['packages', 'apps', 'tooling']
    .map((d) => join(root, d))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).map((n) => join(d, n)))
    .filter((d) => existsSync(join(d, 'package.json')));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const dirs = process.argv.length > 2 ? process.argv.slice(2).map((d) => resolve(d)) : allPackages(root);
  const violations = dirs.flatMap(checkPackage);
  for (const v of violations) console.error(`dependency rule: ${v}`);
  if (violations.length) {
    console.error('See design.md "Layout": core imports no workspace package; store/transport import core and protocol; server imports only protocol.');
    process.exit(1);
  }
}
