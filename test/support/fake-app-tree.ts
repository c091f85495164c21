// An installed app tree (/opt/snitchmap as the deb lays it out) in a temp dir, for running the
// real helper launcher against: the launcher, its manifest, every file the manifest lists, and an
// "Electron" of the caller's choosing. Built as the deb's after-install leaves it — every entry
// owned by the current user (root, for the launcher to accept it) and writable by it alone — so a
// test changes one thing and sees what the launcher makes of it.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface AppTree {
  /** The temp dir holding everything; remove it when done. */
  root: string;
  /** The app dir (root/opt/snitchmap). */
  app: string;
  launcher: string;
  manifest: string;
  /** The files the manifest lists, relative to `app`. */
  listed: string[];
  electron: string;
  script: string;
}

/** Runs the build step that writes the manifest (from dist/, which must be built); returns its text. */
export function helperManifest(): string {
  const dir = mkdtempSync(join(tmpdir(), 'snitchmap-manifest-'));
  try {
    const output = join(dir, 'snitchmap-helper-files');
    const run = spawnSync(process.execPath, ['scripts/build-helper-manifest.mjs', output], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`build-helper-manifest failed: ${run.stderr}`);
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function manifestEntries(text: string): string[] {
  return text.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * `manifest` is the manifest's text (helperManifest's output); `electron` the executable's text (a
 * script: `#!` line first); `content(path)` gives each listed file's text, or a file to copy.
 */
export function buildAppTree(manifestText: string, electron: string, content: (path: string) => { text: string } | { copy: string }): AppTree {
  const root = mkdtempSync(join(tmpdir(), 'snitchmap-app-'));
  const app = join(root, 'opt', 'snitchmap');
  const helperDir = join(app, 'resources', 'helper');
  const manifest = join(helperDir, 'snitchmap-helper-files');
  mkdirSync(helperDir, { recursive: true, mode: 0o755 });
  writeFileSync(manifest, manifestText);
  const listed = manifestEntries(manifestText);
  for (const path of listed) {
    const target = join(app, path);
    mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
    const source = content(path);
    if ('copy' in source) copyFileSync(source.copy, target);
    else writeFileSync(target, source.text);
    chmodSync(target, 0o644);
  }
  const launcher = join(helperDir, 'snitchmap-helper-launcher');
  copyFileSync('resources/helper/snitchmap-helper-launcher', launcher);
  chmodSync(launcher, 0o755);
  chmodSync(manifest, 0o644);
  const electronPath = join(app, 'snitchmap');
  writeFileSync(electronPath, electron);
  chmodSync(electronPath, 0o755);
  // Whatever the umask was: directories as after-install leaves them (chmod -R go-w).
  for (let dir = dirname(manifest); dir.startsWith(app); dir = dirname(dir)) chmodSync(dir, 0o755);
  for (const path of listed) {
    for (let dir = dirname(join(app, path)); dir.startsWith(app); dir = dirname(dir)) chmodSync(dir, 0o755);
  }
  return { root, app, launcher, manifest, listed, electron: electronPath, script: join(app, 'resources/snitchmap/dist/src/helper/main.js') };
}
