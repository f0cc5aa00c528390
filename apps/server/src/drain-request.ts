import type { IncomingMessage } from 'node:http';

/** Request bytes read away, at most, before an answer is sent anyway on a connection that then closes. */
export const DRAIN_MAX_BYTES = 256 * 1024 * 1024;

/**
 * Reads the rest of a request body away so that the client, which is still sending, gets the
 * answer instead of a broken pipe. Resolves true once the body has ended, false when it was
 * larger than `maxBytes` or the connection went away (the caller then closes the connection).
 */
export function drainRequest(req: IncomingMessage, maxBytes = DRAIN_MAX_BYTES): Promise<boolean> {
  if (req.complete) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let seen = 0;
    const done = (ended: boolean) => {
      req.off('data', count).off('end', onEnd).off('close', onClose).off('error', onClose);
      resolve(ended);
    };
    const count = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done(false);
    };
    const onEnd = () => done(true);
    const onClose = () => done(req.complete);
    req.on('data', count).on('end', onEnd).on('close', onClose).on('error', onClose);
    req.unpipe();
    // A reader that gave up (an abandoned async iterator) leaves its 'readable' listener, which
    // would keep resume() from doing anything.
    req.removeAllListeners('readable');
    req.resume();
  });
}
