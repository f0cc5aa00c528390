import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/args';

describe('pnpm bench arguments', () => {
  it('defaults to every scenario, full size, 3 runs, loopback', () => {
    const a = parseArgs([]);
    expect(a.scenarios.map((s) => s.id)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect([a.size, a.runs, a.net, a.out]).toEqual(['full', 3, 'loopback', null]);
  });

  it('picks scenarios by number or name, in the canonical order, once each', () => {
    expect(parseArgs(['noop-up', '1', '2']).scenarios.map((s) => s.key)).toEqual(['tree-up', 'noop-up']);
  });

  it('smoke runs once unless --runs says otherwise; --flag=value works', () => {
    expect(parseArgs(['--size', 'smoke']).runs).toBe(1);
    expect(parseArgs(['--size=smoke', '--runs=4', '--net=wan']).runs).toBe(4);
    expect(parseArgs(['--net', 'wan']).net).toBe('wan');
  });

  it.each([
    [['--size', 'huge'], /--size must be smoke or full/],
    [['--runs', '0'], /--runs must be a whole number/],
    [['--net'], /--net needs a value/],
    [['9'], /unknown scenario 9/],
    [['--fast'], /unknown option --fast/],
  ])('refuses %j with a message that says what is wrong', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(message);
  });
});

describe('--without', () => {
  it('collects names from repeated and comma-separated flags', () => {
    expect(parseArgs(['--without', 'rclone', '--without=curl, md5sum']).without).toEqual(['rclone', 'curl', 'md5sum']);
    expect(parseArgs([]).without).toEqual([]);
  });
});
