import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const TOKEN_LENGTH = 60;

/** A production-shaped API token: 60 characters from [A-Za-z0-9], uniformly drawn. */
export function generateToken(): string {
  let token = '';
  while (token.length < TOKEN_LENGTH) {
    for (const byte of randomBytes(TOKEN_LENGTH)) {
      // 248 = 4 * 62: rejecting the top bytes keeps every character equally likely.
      if (byte < 248 && token.length < TOKEN_LENGTH) token += ALPHABET[byte % 62];
    }
  }
  return token;
}

/**
 * What the database looks a token up by: its SHA-256 (hex). An index lookup compares the stored key
 * byte by byte, so it must compare a digest, never the token itself, or its timing would tell an
 * attacker how much of a guess is right.
 */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison, so a lookup hit is confirmed without leaking where strings differ. */
export function tokensEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
