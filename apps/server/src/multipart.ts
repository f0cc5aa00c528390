import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { BlobStore, StagedBlob } from './blobs.js';
import { Refusal } from './errors.js';
import type { FormFields } from './request-input.js';
import type { BodyFaults } from './faults/fault-plan.js';

/** One file part, staged in the temp folder. */
export interface ReceivedFile {
  fieldname: string;
  /** The part's filename, already reduced to its basename by the parser (as PHP does). */
  filename: string;
  blob: StagedBlob;
}

export interface ReceivedForm {
  fields: FormFields;
  files: ReceivedFile[];
}

export interface ReadFormOptions {
  /** Which file parts to keep; other file parts are read and dropped. */
  keep(fieldname: string): boolean;
  /**
   * File parts (of any name) beyond this count are read and dropped without error, like PHP's
   * `max_file_uploads` (Q16).
   */
  maxFiles: number;
  /** Test-only storage faults of this request (`enospc`), passed to the blob store. */
  faults?: Pick<BodyFaults, 'enospc'>;
  /**
   * Runs once, with the fields read so far: before the first file part is stored, or at the end when
   * there is none. The place to authenticate and authorize, so that nobody fills the disk before being
   * checked. Throwing stops the read.
   */
  checkAccess(fields: FormFields): void;
}

/**
 * Reads a multipart body part by part, streaming each kept file into the blob store's temp folder.
 * Fields may come before or after files. On any failure the staged files are deleted and the rest of
 * the body is drained, so the client still gets the error response.
 */
export async function readForm(req: FastifyRequest, blobs: BlobStore, options: ReadFormOptions): Promise<ReceivedForm> {
  const fields: FormFields = new Map();
  const files: ReceivedFile[] = [];
  let fileParts = 0;
  try {
    for await (const part of req.parts()) {
      const addField = (value: string) => fields.set(part.fieldname, [...(fields.get(part.fieldname) ?? []), value]);
      if (part.type === 'field') {
        addField(typeof part.value === 'string' ? part.value : String(part.value));
        continue;
      }
      if (part.filename === '') {
        // A file input sent without a file: PHP reports no upload, so it counts as an empty field.
        await drain(part.file);
        addField('');
        continue;
      }
      if (fileParts++ === 0) options.checkAccess(fields);
      if (fileParts > options.maxFiles || !options.keep(part.fieldname)) {
        await drain(part.file);
        continue;
      }
      const blob = await blobs.stage(part.file, options.faults);
      if (part.file.truncated) {
        await blobs.discard(blob);
        throw new Refusal(413, 'The uploaded file is larger than this server accepts.');
      }
      files.push({ fieldname: part.fieldname, filename: part.filename, blob });
    }
  } catch (error) {
    await Promise.all(files.map((file) => blobs.discard(file.blob)));
    req.raw.unpipe();
    req.raw.resume();
    throw error;
  }
  if (fileParts === 0) options.checkAccess(fields);
  return { fields, files };
}

/** Reads a part to its end without keeping it. */
function drain(file: Readable): Promise<void> {
  return new Promise((resolve) => {
    file.once('end', resolve).once('close', resolve);
    file.resume();
  });
}
