import { ServerError } from './errors.js';

/** Production's column sizes: longer values make the insert fail, which clients see as a 500 (Q17). */
export const MAX_STORED_NAME_LENGTH = 150;
export const MAX_STORED_PATH_LENGTH = 700;

export function assertStorable(name: string, path: string | null): void {
  if ([...name].length > MAX_STORED_NAME_LENGTH) {
    throw new ServerError(`name longer than ${MAX_STORED_NAME_LENGTH} characters`);
  }
  if (path !== null && [...path].length > MAX_STORED_PATH_LENGTH) {
    throw new ServerError(`path longer than ${MAX_STORED_PATH_LENGTH} characters`);
  }
}
