import { describe, expect, it } from 'vitest';
import { closestCommand } from './closest-command';

const commands = ['clone', 'down', 'init', 'ls', 'proj', 'remote', 'status', 'up'];

describe('closestCommand', () => {
  it.each([
    ['upp', 'up'],
    ['donw', 'down'],
    ['stauts', 'status'],
    ['remotes', 'remote'],
    ['clon', 'clone'],
  ])('suggests %j for %j', (typed, expected) => expect(closestCommand(typed, commands)).toBe(expected));
  it('suggests nothing for something unrelated', () => expect(closestCommand('frobnicate', commands)).toBeNull());
});
