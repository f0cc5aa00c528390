/**
 * Every refusal the server makes is one of these classes. `code` is stable (tests and logs key on it);
 * `status` and `body()` are what production sends for that case (mc-api.md §1.6), so the error renderer
 * never has to know which route raised it.
 */
export class HttpError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    private readonly json: Record<string, unknown> = { message },
  ) {
    super(message);
  }

  /** The JSON body production sends with `Accept: application/json`. */
  body(): Record<string, unknown> {
    return this.json;
  }
}

/** Missing or unknown token. */
export class Unauthenticated extends HttpError {
  constructor() {
    super('unauthenticated', 401, 'Unauthenticated.');
  }
}

/** The caller is neither member nor admin of the project (production never says 403 here). */
export class NoSuchProject extends HttpError {
  constructor() {
    super('no-such-project', 404, 'No such project');
  }
}

/** An object id that exists but belongs to another project (or, for body ids, does not exist). */
export class NoSuchFile extends HttpError {
  constructor() {
    super('no-such-file', 404, 'No such file');
  }
}

/** A path id that no row of its model has: production's route-model binding answers with key `data`. */
export class ResourceNotFound extends HttpError {
  constructor() {
    super('resource-not-found', 404, 'Resource not found', { data: 'Resource not found' });
  }
}

/** A path that matches no route, worded like Laravel's router. */
export class RouteNotFound extends HttpError {
  constructor(path: string) {
    super('route-not-found', 404, `The route ${path} could not be found.`);
  }
}

/** An explicit refusal with production's wording (400/403/404/409/413/416). */
export class Refusal extends HttpError {
  constructor(status: number, message: string) {
    super('refusal', status, message);
  }
}

/** Laravel-style validation failure: first message plus a count, and every message per field. */
export class ValidationFailed extends HttpError {
  constructor(readonly errors: Record<string, string[]>) {
    const message = summarize(errors);
    super('validation-failed', 422, message, { message, errors });
  }
}

/**
 * Production's 500, raised on purpose where production fails (Q2, Q3, Q4, over-long names and paths).
 * `reason` is for our own logs and tests; clients only ever see "Server Error".
 */
/** The server's disk is full (ENOSPC while storing a request's bytes): 507, nothing of it kept. */
export class StorageFull extends HttpError {
  constructor() {
    super('storage-full', 507, 'The server is out of storage space.');
  }
}

/** A failure to store bytes because the disk or the quota is full, as the refusal the client gets. */
export function storageFullOf(error: unknown): StorageFull | null {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? new StorageFull() : null;
}

export class ServerError extends HttpError {
  constructor(readonly reason: string) {
    super('server-error', 500, reason, { message: 'Server Error' });
  }
}

function summarize(errors: Record<string, string[]>): string {
  const all = Object.values(errors).flat();
  const first = all[0] ?? 'The given data was invalid.';
  const more = all.length - 1;
  if (more <= 0) return first;
  return `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})`;
}

/**
 * An `if_current_id` precondition that no longer holds (sync-api.md `preconditions`): the current
 * version at that path is not the one the client last saw. Nothing was changed.
 */
export class PreconditionFailed extends HttpError {
  constructor(
    readonly path: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      'precondition-failed',
      409,
      `The current version of ${path} is ${actual === 0 ? 'none' : actual}, not ${expected === 0 ? 'none' : expected}: it changed since you last looked.`,
    );
  }
}
