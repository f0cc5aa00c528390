/**
 * `Content-Disposition: attachment` as production's framework (Symfony) writes it: an ASCII fallback
 * `filename` (quoted when not a token; non-printable, non-ASCII and `%` replaced by `_`), plus
 * `filename*=utf-8''…` when the real name differs from the fallback.
 */
export function attachmentDisposition(name: string): string {
  let fallback = '';
  for (const char of name) fallback += char === '%' || !/^[\x20-\x7e]$/.test(char) ? '_' : char;
  let header = `attachment; filename=${quoteIfNeeded(fallback)}`;
  if (fallback !== name) header += `; filename*=utf-8''${rawUrlEncode(name)}`;
  return header;
}

function quoteIfNeeded(value: string): string {
  if (/^[a-z0-9!#$%&'*.^_`|~-]+$/i.test(value)) return value;
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

/** PHP's rawurlencode: everything but `A-Za-z0-9-_.~` percent-encoded. */
function rawUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
