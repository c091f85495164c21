// One NDJSON line. JSON.stringify leaves U+2028, U+2029 (JavaScript line terminators before ES2019)
// and U+0085 (NEL, a line break to Python's str.splitlines and Unicode-aware readers) raw inside
// strings; a DNS name or command line carrying one would split the line for such readers, and what
// follows could pass for a message of its own. Escaped, they are the same JSON value.

const LINE_SPLITTERS = /[\u0085\u2028\u2029]/g;

export function jsonLine(value: unknown): string {
  const escape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
  return `${JSON.stringify(value).replace(LINE_SPLITTERS, escape)}\n`;
}
