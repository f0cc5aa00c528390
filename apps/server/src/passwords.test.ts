import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';
import { generateToken, tokensEqual } from './tokens.js';

describe('passwords', () => {
  it('are stored salted and verify only with the right password', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
    expect(await verifyPassword('correct horse', a)).toBe(true);
    expect(await verifyPassword('wrong', a)).toBe(false);
    expect(await verifyPassword('x', 'not-a-hash')).toBe(false);
  });
});

describe('tokens', () => {
  it('are 60 characters of [A-Za-z0-9] and unique', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateToken));
    expect(tokens.size).toBe(200);
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9]{60}$/);
  });

  it('compare equal only when identical', () => {
    const token = generateToken();
    expect(tokensEqual(token, token)).toBe(true);
    expect(tokensEqual(token, `${token.slice(0, 59)}x`)).toBe(token.endsWith('x'));
    expect(tokensEqual(token, token.slice(1))).toBe(false);
  });
});
