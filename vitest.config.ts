import { defineConfig } from 'vitest/config';

// One vitest run over every workspace package, so the totals come from one report.
// MCSYNC_TEST_JSON names a JSON report file (.ci/run reads its counts).
const json = process.env.MCSYNC_TEST_JSON;
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tooling/e2e', 'tooling/bench'],
    reporters: json ? ['default', ['json', { outputFile: json }]] : ['default'],
  },
});
