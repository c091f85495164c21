// Writes a generated file only when its content changed, so tsc, editors and `git status` see no
// change when a build regenerates the same text.
import { readFileSync, writeFileSync } from 'node:fs';

export function writeIfChanged(path, text) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // first generation
  }
  if (current !== text) writeFileSync(path, text);
}
