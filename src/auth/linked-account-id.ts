/**
 * A linked account id goes into Cobalt requests (JSON bodies now, a `linked_account_id` header on
 * other routes). Cobalt documents no character set (ids like e-mails are allowed), so we accept any
 * printable text but refuse control characters: axios 1.21 silently strips CR/LF/NUL from header
 * values (older versions threw), which would turn `abc\r\nX: 1` into a different account
 * (docs/architecture.md#calling-cobalt-safely).
 */
const MAX_LENGTH = 256;
// \p{Cc}: C0/C1 controls incl. CR, LF, NUL, DEL; \p{Cs}: lone surrogates (not valid UTF-8);
// U+2028/U+2029: line separators some parsers treat as newlines.
const FORBIDDEN = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

export type LinkedAccountIdProblem = 'not-a-string' | 'empty' | 'too-long' | 'control-character' | 'blank';

export function checkLinkedAccountId(value: unknown): LinkedAccountIdProblem | undefined {
  if (typeof value !== 'string') return 'not-a-string';
  if (value.length === 0) return 'empty';
  if (codePointLength(value) > MAX_LENGTH) return 'too-long';
  if (FORBIDDEN.test(value)) return 'control-character';
  if (value.trim() === '') return 'blank';
  return undefined;
}

function codePointLength(value: string): number {
  let count = 0;
  for (const _codePoint of value) count += 1;
  return count;
}
