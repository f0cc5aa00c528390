import { defineProject } from 'vitest/config';

/** The vitest settings every workspace package shares; `name` shows in the summary. */
export function packageProject(name: string, testTimeout = 30_000) {
  return defineProject({
    test: {
      name,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout,
      hookTimeout: testTimeout,
    },
  });
}
