import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseUploadChecksum } from './upload-checksum.js';

describe('Upload-Checksum', () => {
  const md5 = createHash('md5').update('x').digest('base64');
  const sha1 = createHash('sha1').update('x').digest('base64');

  it('reads md5 and sha1 (algorithm case-insensitive); absent is undefined', () => {
    expect(parseUploadChecksum(`md5 ${md5}`)).toEqual({ algorithm: 'md5', digest: Buffer.from(md5, 'base64') });
    expect(parseUploadChecksum(`SHA1 ${sha1}`)?.algorithm).toBe('sha1');
    expect(parseUploadChecksum(undefined)).toBeUndefined();
  });

  it.each([
    ['md5', 'ERR_INVALID_CHECKSUM'],
    [`md5 ${sha1}`, 'ERR_INVALID_CHECKSUM'],
    [`crc32 ${md5}`, 'ERR_UNSUPPORTED_CHECKSUM_ALGORITHM'],
    [`md5 ${md5} extra`, 'ERR_INVALID_CHECKSUM'],
  ])('refuses %j', (header, code) => {
    expect(() => parseUploadChecksum(header)).toThrow(expect.objectContaining({ code, status: 400 }));
  });
});
