/**
 * Stable error codes. The CLI maps each code to an exit code in one place; messages say what
 * happened, hints say what to do.
 */
export type McErrorCode =
  | 'USAGE' // bad flags or arguments
  | 'CONFIG' // missing or broken configuration (no remote, no project)
  | 'AUTH' // token rejected or missing
  | 'NOT_FOUND' // the remote object does not exist (or is not ours)
  | 'CONFLICT' // both sides changed
  | 'LOCKED' // another mc run holds the project lock
  | 'NETWORK' // connection refused, reset, timed out
  | 'SERVER' // 5xx, or an answer that does not follow the contract
  | 'REJECTED' // the server refused this one item (4xx other than auth)
  | 'VERIFY' // bytes did not match the expected checksum or size
  | 'LOCAL_IO' // reading or writing a local file failed
  | 'NO_SPACE' // not enough free disk space for a download (nothing was written)
  | 'CHANGED' // a local file changed while it was being read
  | 'UNCONFIRMED' // the server took the bytes but never showed the result (tus on production confirms asynchronously)
  | 'UNSAFE_PATH' // a remote path that would escape the project folder
  | 'NAME' // a name the server cannot store, or a collision on the server's fold key
  | 'ABORTED' // interrupted by the user
  | 'INTERNAL';

export class McError extends Error {
  readonly code: McErrorCode;
  readonly hint: string | undefined;
  /** HTTP status when the error came from a response. */
  readonly status: number | undefined;

  constructor(code: McErrorCode, message: string, opts: { hint?: string; status?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'McError';
    this.code = code;
    this.hint = opts.hint;
    this.status = opts.status;
  }
}

/** Wraps anything thrown into an McError, keeping McErrors as they are. */
export function toMcError(err: unknown, fallback: McErrorCode = 'INTERNAL'): McError {
  if (err instanceof McError) return err;
  if (err && typeof err === 'object' && 'code' in err && typeof (err as NodeJS.ErrnoException).code === 'string') {
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError' || e.code === 'ABORT_ERR') return new McError('ABORTED', 'interrupted', { cause: err });
    if (e.syscall) return new McError('LOCAL_IO', e.message, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new McError(fallback, message, { cause: err });
}
