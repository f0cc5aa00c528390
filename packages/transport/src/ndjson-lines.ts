import { McError } from '@mcsync/core';

/** A longer line is refused: a tree line is a few hundred bytes (paths ≤ 700 chars, §5.6). */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Splits a byte stream into lines (LF, an optional CR before it dropped), decoding each line as
 * UTF-8 only once it is whole, so a character split across chunks survives. Memory stays at one
 * chunk plus one line. Blank lines are skipped. Hand-written rather than `node:readline` for the
 * line-length bound (a server that never sends a newline must not fill memory) and because errors
 * of the source then surface exactly where the caller iterates.
 */
export async function* ndjsonLines(source: AsyncIterable<Uint8Array>, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<string> {
  let carry: Buffer[] = [];
  let carryBytes = 0;
  for await (const chunk of source) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      const piece = buf.subarray(start, nl);
      start = nl + 1;
      const line = carryBytes === 0 ? piece : Buffer.concat([...carry, piece], carryBytes + piece.length);
      carry = [];
      carryBytes = 0;
      if (line.length > maxLineBytes) throw tooLong(maxLineBytes);
      const text = decodeLine(line);
      if (text !== '') yield text;
    }
    if (start < buf.length) {
      const rest = buf.subarray(start);
      carry.push(rest);
      carryBytes += rest.length;
      if (carryBytes > maxLineBytes) throw tooLong(maxLineBytes);
    }
  }
  if (carryBytes > 0) {
    const text = decodeLine(Buffer.concat(carry, carryBytes));
    if (text !== '') yield text;
  }
}

function decodeLine(line: Buffer): string {
  const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
  return line.toString('utf8', 0, end).trim();
}

function tooLong(max: number): McError {
  return new McError('SERVER', `the server sent a line longer than ${max} bytes in a listing`);
}
