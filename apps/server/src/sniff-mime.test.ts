import { describe, expect, it } from 'vitest';
import { sniffMime } from './sniff-mime.js';

const sniff = (bytes: Buffer | string) => {
  const buffer = Buffer.from(bytes);
  return sniffMime(buffer, buffer.length);
};

describe('sniffMime', () => {
  it('calls empty content application/x-empty, as production does', () => {
    expect(sniffMime(Buffer.alloc(0), 0)).toBe('application/x-empty');
  });

  it.each([
    [Buffer.from('89504e470d0a1a0a0000', 'hex'), 'image/png'],
    [Buffer.from('ffd8ffe000104a464946', 'hex'), 'image/jpeg'],
    [Buffer.from('%PDF-1.7\n'), 'application/pdf'],
    [Buffer.from('504b030414000000', 'hex'), 'application/zip'],
    [Buffer.from('1f8b0800', 'hex'), 'application/gzip'],
  ])('recognizes magic numbers (%#)', (bytes, mime) => {
    expect(sniff(bytes)).toBe(mime);
  });

  it('calls UTF-8 text text/plain and binary application/octet-stream', () => {
    expect(sniff('x,y\n1,2\n')).toBe('text/plain');
    expect(sniff('résumé — データ\n')).toBe('text/plain');
    expect(sniff(Buffer.from([0x00, 0x01, 0x02, 0xff]))).toBe('application/octet-stream');
    expect(sniff(Buffer.from([0xc3, 0x28, 0x41]))).toBe('application/octet-stream');
  });

  it('tolerates a multi-byte character cut at the end of the sniffed head', () => {
    const head = Buffer.from('aé').subarray(0, 2);
    expect(sniffMime(head, 1000)).toBe('text/plain');
  });
});
