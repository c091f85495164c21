// Finds the snitchmap checkout/install this module runs from (dist/src/cli/ when built, src/cli/
// under the test runner): the version for --version and out/renderer/ for serve.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  root: string;
  version: string;
}

export function findPackage(start = dirname(fileURLToPath(import.meta.url))): PackageInfo | null {
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const json: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof json === 'object' && json !== null && (json as { name?: unknown }).name === 'snitchmap') {
        const version = (json as { version?: unknown }).version;
        return { root: dir, version: typeof version === 'string' ? version : 'unknown' };
      }
    } catch {
      /* no package.json here: keep walking up */
    }
    if (dirname(dir) === dir) return null;
  }
}
