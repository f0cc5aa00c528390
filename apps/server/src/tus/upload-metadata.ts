import { invalidMetadata } from './tus-errors.js';

/**
 * `Upload-Metadata`: comma-separated `key base64(value)` pairs (mc-api.md §4.3, tus 1.0.0). Keys are
 * ASCII without spaces or commas and unique; the value may be missing (an empty string). Values are
 * standard base64 with padding over UTF-8; anything else is refused rather than guessed at.
 */
export function parseUploadMetadata(header: string | undefined): Map<string, string> {
  const pairs = new Map<string, string>();
  if (header === undefined || header.trim() === '') return pairs;
  for (const item of header.split(',')) {
    const [key = '', encoded, ...extra] = item.trim().split(/ +/);
    if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(key) || extra.length > 0) throw invalidMetadata(`malformed Upload-Metadata pair "${item.trim()}"`);
    if (pairs.has(key)) throw invalidMetadata(`duplicate Upload-Metadata key ${key}`);
    pairs.set(key, encoded === undefined ? '' : decodeBase64(key, encoded));
  }
  return pairs;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeBase64(key: string, encoded: string): string {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(encoded)) {
    throw invalidMetadata(`Upload-Metadata value of ${key} is not base64`);
  }
  try {
    return utf8.decode(Buffer.from(encoded, 'base64'));
  } catch {
    throw invalidMetadata(`Upload-Metadata value of ${key} is not UTF-8`);
  }
}

/** The header for `pairs`, as a client writes it. */
export function formatUploadMetadata(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key} ${Buffer.from(value, 'utf8').toString('base64')}`)
    .join(',');
}
