import { describe, expect, it } from 'vitest';
import { ndjsonLines } from './ndjson-lines';

async function lines(chunks: (string | Buffer)[], max?: number): Promise<string[]> {
  async function* source() {
    for (const c of chunks) yield typeof c === 'string' ? Buffer.from(c) : c;
  }
  const out: string[] = [];
  for await (const l of ndjsonLines(source(), max)) out.push(l);
  return out;
}

describe('ndjsonLines', () => {
  it('joins lines split across chunks and splits chunks holding several lines', async () => {
    expect(await lines(['{"a":', '1}\n{"b"', ':2}\n{"c":3}\n'])).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps a UTF-8 character split between two chunks intact', async () => {
    const text = Buffer.from('{"p":"/日本語"}\n');
    expect(await lines([text.subarray(0, 9), text.subarray(9)])).toEqual(['{"p":"/日本語"}']);
  });

  it('drops CR before LF, skips blank lines, and yields a last line without newline', async () => {
    expect(await lines(['a\r\n\r\n', '\nb'])).toEqual(['a', 'b']);
  });

  it('refuses a line longer than the bound instead of buffering it', async () => {
    await expect(lines(['x'.repeat(30), 'y'.repeat(30)], 50)).rejects.toMatchObject({ code: 'SERVER' });
  });
});
