import { describe, expect, it } from 'vitest';
import { McRowSchema, isCurrentRow, rowChecksum } from './rows';

describe('McRowSchema', () => {
  it('drops owner (it carries a token) and unknown keys, keeps the fields sync uses', () => {
    const row = McRowSchema.parse({
      id: 7, uuid: 'u', name: 'a.cif', mime_type: 'text/plain', path: null, size: 12,
      checksum: 'ABCDEF0123456789abcdef0123456789', current: 1, directory_id: 3,
      owner: { api_token: 'secret' }, disk: 'mcfs', directory: { id: 3, name: 'd', path: '/d', owner: { api_token: 'x' } },
    });
    expect(row).not.toHaveProperty('owner');
    expect(row).not.toHaveProperty('disk');
    expect(row.directory).toEqual({ id: 3, name: 'd', path: '/d' });
    expect(JSON.stringify(row)).not.toContain('secret');
    expect(rowChecksum(row)).toBe('abcdef0123456789abcdef0123456789');
    expect(isCurrentRow(row)).toBe(true);
  });

  it('accepts a freshly created directory row that lacks optional fields', () => {
    expect(McRowSchema.parse({ id: 1, uuid: 'u', name: 'x', mime_type: 'directory' }).id).toBe(1);
  });

  it('treats an empty checksum as unknown and current 0 as not current', () => {
    expect(rowChecksum({ checksum: '' })).toBeNull();
    expect(isCurrentRow({ current: 0 })).toBe(false);
    expect(isCurrentRow({ current: false })).toBe(false);
  });

  it('rejects a row without an id', () => {
    expect(() => McRowSchema.parse({ uuid: 'u', name: 'x', mime_type: 'directory' })).toThrow();
  });
});
