import { describe, expect, it } from 'vitest';
import { passesNameRule } from './name-rule.js';

describe("production's name rule for POST /directories and renames", () => {
  it.each(['data', 'Raw Data', '.hidden', 'v1.2', 'a_(b)-c', 'x'.repeat(80), '2024 (final) - copy.tar.gz'])('accepts %j', (name) => {
    expect(passesNameRule(name)).toBe(true);
  });

  it.each(['café', 'a+b', 'a,b', 'a@b', 'a#b', 'a[b]', "it's", 'a&b', 'a~b', '100%', 'a..b', 'trailing.', '..', '.', '', 'a/b', 'x'.repeat(81), 'データ'])(
    'refuses %j',
    (name) => {
      expect(passesNameRule(name)).toBe(false);
    },
  );
});
