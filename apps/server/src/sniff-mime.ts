/** How many leading bytes the sniffer looks at. */
export const SNIFF_BYTES = 4096;

const SIGNATURES: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
  ['image/tiff', [0x49, 0x49, 0x2a, 0x00]],
  ['image/tiff', [0x4d, 0x4d, 0x00, 0x2a]],
  ['application/pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['application/zip', [0x50, 0x4b, 0x03, 0x04]],
  ['application/gzip', [0x1f, 0x8b]],
  ['application/x-bzip2', [0x42, 0x5a, 0x68]],
  ['application/x-xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['application/x-7z-compressed', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['application/x-hdf5', [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]],
];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A MIME type from the first bytes, in the spirit of PHP's finfo that production uses: a handful of
 * magic numbers, `text/plain` for UTF-8 text, `application/x-empty` for empty files, else
 * `application/octet-stream`. Clients must not treat it as a change signal (mc-api.md §2.1).
 */
export function sniffMime(head: Buffer, totalSize: number): string {
  if (totalSize === 0) return 'application/x-empty';
  for (const [mime, magic] of SIGNATURES) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return mime;
  }
  return looksLikeText(head, totalSize > head.length) ? 'text/plain' : 'application/octet-stream';
}

function looksLikeText(head: Buffer, truncated: boolean): boolean {
  if (head.includes(0)) return false;
  // A prefix may end inside a multi-byte character: drop up to three bytes of it before decoding.
  for (let cut = 0; cut <= (truncated ? 3 : 0); cut++) {
    try {
      const text = utf8.decode(head.subarray(0, head.length - cut));
      return !/[\x01-\x08\x0e-\x1a\x1c-\x1f\x7f]/.test(text);
    } catch {
      // not valid UTF-8 at this cut
    }
  }
  return false;
}
