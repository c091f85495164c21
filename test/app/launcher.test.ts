// The root entry point, run the way the app runs it — `pkexec --disable-internal-agent <launcher>`
// — with a fake pkexec on PATH (a script in a temp dir that, like the real one, runs the program
// with a reduced environment; this one also leaks hostile variables the launcher must drop) and a
// fake Electron binary that records the argv and environment it was given.

import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { pkexecCommand } from '../../src/core/app/pkexec-elevation.js';
import { findPkexec, STANDARD_PKEXEC_DIRS } from '../../src/core/app/find-pkexec.js';
import { buildAppTree, helperManifest } from '../support/fake-app-tree.js';

// The installed tree (launcher, manifest, every file it lists) as test/unit/helper/launcher.test.ts
// builds it; that file covers each check the launcher makes, this one the way the app starts it.
const tree = buildAppTree(
  helperManifest(),
  `#!${process.execPath}
require('node:fs').writeFileSync(require('node:path').join(__dirname, 'record.json'),
  JSON.stringify({ argv: process.argv.slice(2), env: process.env, uid: process.getuid() }));
`,
  (path) => ({ text: `// ${path}\n` }),
);
afterAll(() => rmSync(tree.root, { recursive: true, force: true }));

const { launcher, script: helperScript, app } = tree;
const record = join(app, 'record.json');
const fakeBin = join(tree.root, 'bin');

mkdirSync(fakeBin);
writeFileSync(
  join(fakeBin, 'pkexec'),
  `#!/bin/sh
[ "$1" = --disable-internal-agent ] || { echo "fake pkexec: expected --disable-internal-agent" >&2; exit 127; }
shift
case "$1" in /*) ;; *) echo "fake pkexec: program must be an absolute path" >&2; exit 127 ;; esac
prog=$1; shift
exec env -i PATH=/usr/bin:/bin PKEXEC_UID=1000 HOME=/root USER=root LOGNAME=root SHELL=/bin/sh \\
  NODE_OPTIONS=--require=/tmp/evil.js LD_LIBRARY_PATH=/tmp/evil ELECTRON_RUN_AS_NODE=0 DISPLAY=:0 \\
  "$prog" "$@"
`,
  { mode: 0o755 },
);

function runAsTheAppDoes(extra: string[] = []) {
  const pkexec = findPkexec(`${fakeBin}:${process.env.PATH ?? ''}`);
  const [command, ...args] = pkexecCommand(pkexec ?? 'pkexec', launcher);
  return spawnSync(command ?? 'pkexec', [...args, ...extra], { encoding: 'utf8', env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH ?? ''}` } });
}

describe('helper launcher under (fake) pkexec', () => {
  beforeEach(() => {
    rmSync(record, { force: true });
    chmodSync(helperScript, 0o644);
  });

  it('finds the pkexec on PATH', () => {
    expect(findPkexec(`${fakeBin}:/usr/bin`, [])).toBe(join(fakeBin, 'pkexec'));
    // Relative PATH entries are ignored; the standard dirs (injected here) are looked in after PATH.
    expect(findPkexec('relative/dir', [])).toBeNull();
    expect(findPkexec('relative/dir', [fakeBin])).toBe(join(fakeBin, 'pkexec'));
    expect(findPkexec(undefined, [join(fakeBin, 'absent'), fakeBin])).toBe(join(fakeBin, 'pkexec'));
    expect(STANDARD_PKEXEC_DIRS).toEqual(['/usr/bin', '/bin']);
  });

  it('runs Electron as Node on the helper script, with exactly the fixed environment', () => {
    const result = runAsTheAppDoes();
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const seen = JSON.parse(readFileSync(record, 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv).toEqual([helperScript]);
    expect(seen.env).toEqual({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ELECTRON_RUN_AS_NODE: '1' });
  });

  it('refuses extra arguments (pkexec passes them unvalidated) and runs nothing', () => {
    const result = runAsTheAppDoes(['--inspect=0.0.0.0:9229']);
    expect(result.status).toBe(64);
    expect(result.stderr).toMatch(/takes no arguments/);
    expect(existsSync(record)).toBe(false);
    const direct = spawnSync(launcher, [''], { encoding: 'utf8' });
    expect(direct.status).toBe(64);
  });

  it('refuses to run a helper script that others could have modified', () => {
    chmodSync(helperScript, 0o666);
    const result = runAsTheAppDoes();
    expect(result.status).toBe(77);
    expect(result.stderr).toContain(`refusing to start the helper: ${helperScript} is not root-owned or is writable by group or others`);
    expect(existsSync(record)).toBe(false);
  });
});
