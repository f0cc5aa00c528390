import { defineConfig } from 'tsup';

// src/index.ts stays an entry so the commands land in dist/commands/ (oclif's pattern strategy).
export default defineConfig({
  entry: ['src/index.ts', 'src/commands/**/*.ts', 'src/hooks/*.ts'],
  format: ['esm'],
  splitting: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  dts: false,
});
