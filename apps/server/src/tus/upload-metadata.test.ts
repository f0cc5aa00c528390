import { describe, expect, it } from 'vitest';
import { TusError } from './tus-errors.js';
import { formatUploadMetadata, parseUploadMetadata } from './upload-metadata.js';

describe('Upload-Metadata', () => {
  it('reads key/base64 pairs, UTF-8 values, and keys without a value', () => {
    const header = `${formatUploadMetadata({ project_id: '7', filename: 'résumé, final.txt' })},is_confidential`;
    expect(Object.fromEntries(parseUploadMetadata(header))).toEqual({ project_id: '7', filename: 'résumé, final.txt', is_confidential: '' });
    expect(parseUploadMetadata(undefined).size).toBe(0);
    expect(parseUploadMetadata('').size).toBe(0);
  });

  it.each(['a !!!', 'a YQ', 'a YQ==,a Yg==', 'a YQ== extra', 'k\u00e9y YQ==', 'a /w=='])('refuses %j with ERR_INVALID_METADATA', (header) => {
    expect(() => parseUploadMetadata(header)).toThrow(TusError);
    try {
      parseUploadMetadata(header);
    } catch (error) {
      expect((error as TusError).code).toBe('ERR_INVALID_METADATA');
    }
  });
});
