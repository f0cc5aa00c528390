/**
 * Every refusal the server makes is one of these classes. `code` is stable (tests and logs key on it);
 * `status` and `body` are what production sends for that case (mc-api.md §1.6), so the error renderer
 * never has to know which route raised it.
 */
export abstract class HttpError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  /** The JSON body production sends with `Accept: application/json`. */
  abstract body(): Record<string, unknown>;
}

/** Missing or unknown token. */
export class Unauthenticated extends HttpError {
  readonly code = 'unauthenticated';
  readonly status = 401;
  constructor() {
    super('Unauthenticated.');
  }
  body() {
    return { message: 'Unauthenticated.' };
  }
}

/** The caller is neither member nor admin of the project (production never says 403 here). */
export class NoSuchProject extends HttpError {
  readonly code = 'no-such-project';
  readonly status = 404;
  constructor() {
    super('No such project');
  }
  body() {
    return { message: 'No such project' };
  }
}

/** An object id that exists but belongs to another project (or, for body ids, does not exist). */
export class NoSuchFile extends HttpError {
  readonly code = 'no-such-file';
  readonly status = 404;
  constructor() {
    super('No such file');
  }
  body() {
    return { message: 'No such file' };
  }
}

/** A path id that no row of its model has: production's route-model binding answers with key `data`. */
export class ResourceNotFound extends HttpError {
  readonly code = 'resource-not-found';
  readonly status = 404;
  constructor() {
    super('Resource not found');
  }
  body() {
    return { data: 'Resource not found' };
  }
}

/** A path that matches no route, worded like Laravel's router. */
export class RouteNotFound extends HttpError {
  readonly code = 'route-not-found';
  readonly status = 404;
  constructor(readonly path: string) {
    super(`The route ${path} could not be found.`);
  }
  body() {
    return { message: this.message };
  }
}

/** An explicit refusal with production's wording (400/403/404/409/413). */
export class Refusal extends HttpError {
  readonly code = 'refusal';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  body() {
    return { message: this.message };
  }
}

/** Laravel-style validation failure: first message plus a count, and every message per field. */
export class ValidationFailed extends HttpError {
  readonly code = 'validation-failed';
  readonly status = 422;
  constructor(readonly errors: Record<string, string[]>) {
    super(summarize(errors));
  }
  body() {
    return { message: this.message, errors: this.errors };
  }
}

/**
 * Production's 500, raised on purpose where production fails (Q2, Q3, Q4, over-long names and paths).
 * `reason` is for our own logs and tests; clients only ever see "Server Error".
 */
export class ServerError extends HttpError {
  readonly code = 'server-error';
  readonly status = 500;
  constructor(readonly reason: string) {
    super(reason);
  }
  body() {
    return { message: 'Server Error' };
  }
}

function summarize(errors: Record<string, string[]>): string {
  const all = Object.values(errors).flat();
  const first = all[0] ?? 'The given data was invalid.';
  const more = all.length - 1;
  if (more <= 0) return first;
  return `${first} (and ${more} more ${more === 1 ? 'error' : 'errors'})`;
}
