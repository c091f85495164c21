// Line numbers of the elements of a top-level JSON array, so that a bad entry in a hand-written
// locations file is reported where the user can find it. JSON.parse itself validates the text;
// this scanner only needs to track strings and nesting depth.
export function arrayElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\n') line++;
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (depth === 1 && expectElement && char !== undefined && !/[\s,\]]/.test(char)) {
      lines.push(line);
      expectElement = false;
    }
    if (char === '"') inString = true;
    else if (char === '[' || char === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (char === ']' || char === '}') depth--;
    else if (char === ',' && depth === 1) expectElement = true;
  }
  return lines;
}

/**
 * The entries of a hand-written JSON array file that pass `check` (which returns the entry or the
 * problem with it); each bad one is reported with its line and skipped.
 */
export function checkedEntries<T>(
  entries: unknown[],
  text: string,
  source: string,
  check: (entry: unknown) => string | T,
  warn: (message: string) => void,
): T[] {
  const lines = arrayElementLines(text);
  const result: T[] = [];
  entries.forEach((entry, index) => {
    const checked = check(entry);
    if (typeof checked === 'string') warn(`${source}:${lines[index] ?? '?'}: entry ${index + 1} skipped: ${checked}`);
    else result.push(checked);
  });
  return result;
}
