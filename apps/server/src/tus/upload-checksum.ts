import { TUS_CHECKSUM_ALGORITHMS, type TusChecksumAlgorithm } from './tus-protocol.js';
import { invalidChecksum, TusError } from './tus-errors.js';

export interface UploadChecksum {
  algorithm: TusChecksumAlgorithm;
  /** The digest the client computed over the chunk. */
  digest: Buffer;
}

const DIGEST_BYTES: Record<TusChecksumAlgorithm, number> = { md5: 16, sha1: 20 };

/** `Upload-Checksum: <algorithm> <base64 digest>` (tus checksum extension); undefined when absent. */
export function parseUploadChecksum(header: string | undefined): UploadChecksum | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(\S+) +([A-Za-z0-9+/]+={0,2})\s*$/.exec(header);
  if (!match) throw invalidChecksum('Upload-Checksum must be "<algorithm> <base64 digest>"');
  const algorithm = match[1]!.toLowerCase();
  if (!(TUS_CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new TusError(400, 'ERR_UNSUPPORTED_CHECKSUM_ALGORITHM', `unsupported checksum algorithm ${algorithm} (supported: ${TUS_CHECKSUM_ALGORITHMS.join(',')})`);
  }
  const digest = Buffer.from(match[2]!, 'base64');
  if (digest.length !== DIGEST_BYTES[algorithm as TusChecksumAlgorithm]) throw invalidChecksum(`not a ${algorithm} digest`);
  return { algorithm: algorithm as TusChecksumAlgorithm, digest };
}
