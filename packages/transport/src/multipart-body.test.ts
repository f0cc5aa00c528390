import { describe, expect, it } from 'vitest';
import { sendJson, startStub } from '../test/stub-server';
import { HttpClient } from './http-client';
import { isMultipartSafeName, multipartBody } from './multipart-body';

async function collect(content: AsyncIterable<Uint8Array> | Uint8Array): Promise<Buffer> {
  if (content instanceof Uint8Array) return Buffer.from(content);
  const chunks: Buffer[] = [];
  for await (const c of content) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

function bytesPart(filename: string, text: string) {
  const data = Buffer.from(text);
  return {
    fieldName: 'files[]',
    filename,
    size: data.length,
    content: async function* () {
      yield data.subarray(0, 2);
      yield data.subarray(2);
    },
  };
}

describe('multipartBody', () => {
  it('frames each part exactly, and Content-Length equals the bytes produced', async () => {
    const body = multipartBody([bytesPart('a.txt', 'hello'), bytesPart('b c.cif', '')], 'BOUNDARY');
    const bytes = await collect(body.content);
    expect(bytes.toString('latin1')).toBe(
      '--BOUNDARY\r\nContent-Disposition: form-data; name="files[]"; filename="a.txt"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n' +
        '--BOUNDARY\r\nContent-Disposition: form-data; name="files[]"; filename="b c.cif"\r\nContent-Type: application/octet-stream\r\n\r\n\r\n' +
        '--BOUNDARY--\r\n',
    );
    expect(body.contentLength).toBe(bytes.length);
    expect(body.contentType).toBe('multipart/form-data; boundary=BOUNDARY');
  });

  it('frames a field part without a filename, with its Content-Type when given', async () => {
    const body = multipartBody([{ fieldName: 'manifest', value: '[{"path":"/é"}]', contentType: 'application/json' }, { fieldName: 'if_current_id', value: '0' }, bytesPart('a', 'x')], 'B');
    const bytes = await collect(body.content);
    expect(bytes.toString('utf8')).toBe(
      '--B\r\nContent-Disposition: form-data; name="manifest"\r\nContent-Type: application/json\r\n\r\n[{"path":"/é"}]\r\n' +
        '--B\r\nContent-Disposition: form-data; name="if_current_id"\r\n\r\n0\r\n' +
        '--B\r\nContent-Disposition: form-data; name="files[]"; filename="a"\r\nContent-Type: application/octet-stream\r\n\r\nx\r\n' +
        '--B--\r\n',
    );
    expect(body.contentLength).toBe(bytes.length);
  });

  it('sends exactly Content-Length bytes over HTTP', async () => {
    const stub = await startStub((_req, res) => sendJson(res, 200, { data: [] }));
    const client = new HttpClient({ baseUrl: stub.baseUrl, token: 't' });
    try {
      const parts = [bytesPart('x.bin', 'x'.repeat(100_000)), bytesPart('y.bin', 'yy')];
      let announced = 0;
      await client.json({
        method: 'POST',
        path: '/up',
        body: () => {
          const b = multipartBody(parts);
          announced = b.contentLength;
          return b;
        },
      });
      const req = stub.requests[0]!;
      expect(Number(req.headers['content-length'])).toBe(announced);
      expect(req.body.length).toBe(announced);
      expect(req.headers['content-type']).toMatch(/^multipart\/form-data; boundary=----mcsync-[0-9a-f]{32}$/);
    } finally {
      await client.close();
      await stub.close();
    }
  });

  it('fails the body when a part yields fewer bytes than announced', async () => {
    const part = { ...bytesPart('a', 'abc'), size: 5 };
    await expect(collect(multipartBody([part]).content)).rejects.toThrow(/3 bytes, 5 announced/);
  });

  it('refuses names that are not safe in a filename parameter', () => {
    expect(() => multipartBody([bytesPart('a"b', 'x')])).toThrow();
  });
});

describe('isMultipartSafeName', () => {
  it.each(['a.txt', 'a b(1).tar.gz', 'a+b@c#1', "it's;[x]~&,", '.hidden', 'trailing.'])('sends %j in the multipart header', (n) =>
    expect(isMultipartSafeName(n)).toBe(true),
  );
  it.each(['café', '日本語.cif', 'Привет', 'a"b', 'a\\b', '100%.txt', 'a\r\nb', 'tab\there', ''])('routes %j through the named upload', (n) =>
    expect(isMultipartSafeName(n)).toBe(false),
  );
});
