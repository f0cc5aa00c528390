/**
 * Characters that must not reach a terminal raw from a file name or a server's message: C0 and C1
 * controls (a newline would forge a line of output, an escape sequence would drive the terminal),
 * DEL, and the bidirectional marks and overrides that make a line read as something else.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `text` as one line that shows every unsafe character as an escape (`\n`, `\u{1b}`). */
export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
