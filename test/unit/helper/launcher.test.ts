// The root helper launcher (resources/helper/snitchmap-helper-launcher) run against an installed
// tree in a temp dir, each test changing one thing a local user could have done to it. The launcher
// finds everything from its own path, so the copy checks the copy. "Electron" is a script that
// records the arguments and environment it was started with: when it did not run, nothing did.
// Needs root: the launcher accepts only root-owned files, and files a test creates are its user's.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAppTree, helperManifest, type AppTree } from '../../support/fake-app-tree.js';
import { gate, notRootReason } from '../../support/gate.js';

const root = gate('launcher tests', notRootReason('the launcher accepts only root-owned files'));

// Written next to itself: the launcher's scrubbed environment names no other place to write.
const RECORDING_ELECTRON = `#!${process.execPath}
require('node:fs').writeFileSync(require('node:path').join(__dirname, 'record.json'),
  JSON.stringify({ argv: process.argv.slice(2), env: process.env }));
`;

const manifest = helperManifest();
let tree: AppTree;

beforeEach(() => {
  tree = buildAppTree(manifest, RECORDING_ELECTRON, (path) => ({ text: `// ${path}\n` }));
});
afterEach(() => rmSync(tree.root, { recursive: true, force: true }));

function launch(args: string[] = [], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(tree.launcher, args, { encoding: 'utf8', env });
}

function ran(): boolean {
  return existsSync(join(tree.app, 'record.json'));
}

function expectRefused(result: ReturnType<typeof launch>, status: number, message: string): void {
  expect(result.stderr).toContain(message);
  expect(result.stderr).toMatch(/^snitchmap-helper-launcher: /);
  expect(result.status).toBe(status);
  expect(ran()).toBe(false);
}

describe.skipIf(root.skip)('helper launcher checks before running anything as root', () => {
  it('runs Electron on the helper with exactly the fixed environment when the tree is intact', () => {
    const hostile = { ...process.env, NODE_OPTIONS: '--require=/tmp/evil.js', LD_LIBRARY_PATH: '/tmp/evil', ELECTRON_RUN_AS_NODE: '0' };
    const result = launch([], hostile);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const seen = JSON.parse(readFileSync(join(tree.app, 'record.json'), 'utf8')) as { argv: string[]; env: Record<string, string> };
    expect(seen.argv).toEqual([tree.script]);
    expect(seen.env).toEqual({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', ELECTRON_RUN_AS_NODE: '1' });
  });

  it('lists the helper modules, its package.json and the addon in the manifest', () => {
    expect(tree.listed).toContain('resources/snitchmap/dist/src/helper/main.js');
    expect(tree.listed).toContain('resources/snitchmap/dist/native/index.js');
    expect(tree.listed).toContain('resources/snitchmap/package.json');
    expect(tree.listed).toContain('resources/snitchmap/native/build/Release/snitchmap.node');
  });

  it('refuses arguments (pkexec passes them unvalidated)', () => {
    expectRefused(launch(['--inspect=0.0.0.0:9229']), 64, 'takes no arguments');
  });

  it('refuses a group-writable helper module', () => {
    const file = join(tree.app, 'resources/snitchmap/dist/src/shared/helper-protocol.js');
    chmodSync(file, 0o664);
    expectRefused(launch(), 77, `${file} is not root-owned or is writable by group or others`);
  });

  it('refuses an other-writable addon', () => {
    const file = join(tree.app, 'resources/snitchmap/native/build/Release/snitchmap.node');
    chmodSync(file, 0o646);
    expectRefused(launch(), 77, `${file} is not root-owned`);
  });

  it('refuses a file owned by someone else, even one the manifest does not list (Electron loads its own libraries)', () => {
    const file = join(tree.app, 'libffmpeg.so');
    writeFileSync(file, '');
    chmodSync(file, 0o644);
    chownSync(file, 65534, 65534);
    expectRefused(launch(), 77, `${file} is not root-owned`);
  });

  it('refuses a writable directory on the way to a module (anyone could swap the file)', () => {
    const dir = join(tree.app, 'resources/snitchmap/dist/native');
    chmodSync(dir, 0o777);
    expectRefused(launch(), 77, `${dir} is not root-owned`);
  });

  it('refuses a writable app dir, and a writable helper dir', () => {
    chmodSync(tree.app, 0o775);
    expectRefused(launch(), 77, `${tree.app} is not root-owned`);
    chmodSync(tree.app, 0o755);
    chmodSync(join(tree.app, 'resources/helper'), 0o757);
    expectRefused(launch(), 77, `${join(tree.app, 'resources/helper')} is not root-owned`);
  });

  it('refuses a writable Electron binary', () => {
    chmodSync(tree.electron, 0o775);
    expectRefused(launch(), 77, `${tree.electron} is not root-owned`);
  });

  it('refuses a link leading out of the app dir, and accepts one that stays inside', () => {
    const shared = join(tree.app, 'resources/snitchmap/dist/src/shared');
    renameSync(shared, join(tree.app, 'resources/snitchmap/dist/src/shared-real'));
    symlinkSync('shared-real', shared);
    expect(launch().status).toBe(0);
    rmSync(join(tree.app, 'record.json'));

    const outside = join(tree.root, 'elsewhere');
    renameSync(join(tree.app, 'resources/snitchmap/dist/src/shared-real'), outside);
    rmSync(shared);
    symlinkSync(outside, shared);
    expectRefused(launch(), 77, `${shared} points outside ${tree.app}`);
  });

  it('refuses when a listed file is missing', () => {
    const file = join(tree.app, 'resources/snitchmap/dist/native/flows.js');
    rmSync(file);
    expectRefused(launch(), 66, `${file} is missing`);
  });

  it('refuses when the helper script or Electron is missing, whatever the manifest says', () => {
    writeFileSync(tree.manifest, 'resources/snitchmap/package.json\n');
    rmSync(tree.script);
    expectRefused(launch(), 66, `${tree.script} is missing`);
  });

  it('refuses a manifest others could have edited, a missing one and an empty one', () => {
    chmodSync(tree.manifest, 0o666);
    expectRefused(launch(), 77, `${tree.manifest} is not root-owned`);
    chmodSync(tree.manifest, 0o644);
    writeFileSync(tree.manifest, '# nothing\n');
    expectRefused(launch(), 65, `${tree.manifest} lists no files`);
    rmSync(tree.manifest);
    expectRefused(launch(), 66, `${tree.manifest} is missing`);
  });

  it('refuses manifest entries that leave the app dir or need quoting', () => {
    for (const entry of ['/etc/passwd', '../../../etc/passwd', 'resources/../../x', 'resources/snitchmap/*.js', 'a b']) {
      writeFileSync(tree.manifest, `resources/snitchmap/package.json\n${entry}\n`);
      expectRefused(launch(), 65, `lists an unusable path: ${entry}`);
    }
  });

  it('uses its own PATH: a caller cannot hand it a find that sees nothing', () => {
    const bin = join(tree.root, 'bin');
    mkdirSync(bin);
    for (const tool of ['find', 'readlink', 'grep']) writeFileSync(join(bin, tool), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    chmodSync(join(tree.app, 'resources/snitchmap/dist/src/helper/commands.js'), 0o666);
    expectRefused(launch([], { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` }), 77, 'commands.js is not root-owned');
  });

  it('the manifest is complete: the real helper runs from a tree holding only the listed files', () => {
    // Built modules copied in; the addon is a text file, so loading it fails before anything could
    // reach the kernel — after every module has been imported. "Electron" is this Node.
    const real = buildAppTree(manifest, `#!/bin/sh\nexec ${process.execPath} "$@"\n`, (path) =>
      path.endsWith('.node') ? { text: 'not an addon\n' } : { copy: path.slice('resources/snitchmap/'.length) },
    );
    try {
      const result = spawnSync(real.launcher, [], { encoding: 'utf8', input: '' });
      const messages = result.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { t: string; message?: string });
      expect(messages[0]?.t).toBe('error');
      expect(messages[0]?.message).toMatch(/^cannot open the probe: .*snitchmap\.node/);
      expect(result.stdout + result.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find module/);
    } finally {
      rmSync(real.root, { recursive: true, force: true });
    }
  });
});
