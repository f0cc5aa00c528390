import { randomBytes } from 'node:crypto';

export type FormPart =
  | { name: string; value: string }
  | { name: string; filename: string; content: Buffer | string; contentType?: string };

/** A multipart/form-data body built by hand, so tests control part order, names and raw filenames. */
export function multipartBody(parts: readonly FormPart[]): { body: Buffer; contentType: string } {
  const boundary = `----mcsync-test-${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const name = escapeQuoted(part.name);
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${name}"`;
    if ('filename' in part) {
      head += `; filename="${escapeQuoted(part.filename)}"\r\nContent-Type: ${part.contentType ?? 'application/octet-stream'}`;
    }
    chunks.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.from('filename' in part ? part.content : part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** As browsers do (HTML spec): `"`, CR and LF percent-encoded, everything else raw UTF-8. */
function escapeQuoted(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Files for the `files[]` upload route. */
export function filesForm(files: ReadonlyArray<readonly [filename: string, content: Buffer | string]>) {
  return multipartBody(files.map(([filename, content]) => ({ name: 'files[]', filename, content })));
}
