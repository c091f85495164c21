// The helper manifest (scripts/build-helper-manifest.mjs) against the helper as built: the launcher
// refuses to start unless every listed file is present, so the list must be exactly what root
// loads. The import graph is walked here a second way (plain patterns over tsc's output rather than
// TypeScript's scanner), and the loads no import statement shows (the addon) are checked against
// the code that performs them. Needs dist/ (npx tsc -p tsconfig.build.json).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { helperManifest, manifestEntries } from '../../support/fake-app-tree.js';

const PACKAGE_DIR = 'resources/snitchmap/';
const listed = manifestEntries(helperManifest());
const scratch = mkdtempSync(join(tmpdir(), 'snitchmap-manifest-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Module specifiers in emitted JS: `from '…'`, `import '…'` and `import('…')`. */
function specifiers(source: string): string[] {
  return [...source.matchAll(/\bfrom\s*['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g)].map((match) => match[1] ?? match[2] ?? '');
}

/** Every file reachable from dist/src/helper/main.js, relative to the repo. */
function importGraph(): string[] {
  const seen = new Set<string>();
  const pending = [resolve('dist/src/helper/main.js')];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('node:')) pending.push(resolve(dirname(file), specifier));
    }
  }
  return [...seen].map((file) => relative('.', file));
}

const graph = importGraph();

describe('helper manifest', () => {
  it('lists exactly the import graph of the built helper, plus package.json and the addon', () => {
    const expected = [...graph, 'package.json', 'native/build/Release/snitchmap.node'].map((path) => PACKAGE_DIR + path);
    expect([...listed].sort()).toEqual(expected.sort());
    // The lazy import('../../native/index.js') is followed, and type-only imports (native/api) are not.
    expect(graph).toContain('dist/native/index.js');
    expect(graph).toContain('dist/native/owners.js');
    expect(graph).not.toContain('dist/native/api.js');
    expect(graph.length).toBeGreaterThan(25);
  });

  it('every module the helper loads comes from its own tree: relative or node: specifiers, literal dynamic imports', () => {
    for (const file of graph) {
      const source = readFileSync(file, 'utf8');
      for (const specifier of specifiers(source)) {
        expect(/^(node:|\.\.?\/)/.test(specifier), `${file} imports '${specifier}'`).toBe(true);
      }
      // A computed import() or a require() would load something the walk above cannot see.
      expect(source.match(/\bimport\s*\(\s*[^'"\s]/g), file).toBeNull();
      if (file !== 'dist/native/addon.js') expect(source, file).not.toMatch(/\brequire\b|createRequire/);
    }
  });

  it('the addon is loaded from the listed path, or from a folder inside the checked tree', async () => {
    const addon = (await import(pathToFileURL(resolve('dist/native/addon.js')).href)) as { addonCandidates(): string[] };
    const candidates = addon.addonCandidates().map((path) => relative('.', path));
    expect(candidates).toContain('native/build/Release/snitchmap.node');
    for (const candidate of candidates) expect(candidate.startsWith('native/') || candidate.startsWith('dist/'), candidate).toBe(true);
  });

  it('the build step refuses a helper that imports a package (Node would search node_modules up to /)', () => {
    const project = join(scratch, 'bare');
    mkdirSync(join(project, 'dist/src/helper'), { recursive: true });
    writeFileSync(join(project, 'dist/src/helper/main.js'), "import './other.js';\n");
    writeFileSync(join(project, 'dist/src/helper/other.js'), "import { WebSocket } from 'ws';\n");
    const run = spawnSync(process.execPath, ['scripts/build-helper-manifest.mjs', join(project, 'out'), project], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("dist/src/helper/other.js imports 'ws': the root helper may load only its own files");
  });

  it('the build step refuses a helper importing a file that was not built', () => {
    const project = join(scratch, 'missing');
    mkdirSync(join(project, 'dist/src/helper'), { recursive: true });
    writeFileSync(join(project, 'dist/src/helper/main.js'), "const lazy = () => import('../shared/gone.js');\n");
    const run = spawnSync(process.execPath, ['scripts/build-helper-manifest.mjs', join(project, 'out'), project], { encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('dist/src/shared/gone.js is imported but was not built');
  });
});
