// Packaging cannot run here (electron-builder downloads Electron and its target tools), so the
// configuration is validated instead: the polkit policy is well-formed and names the launcher at
// the path the package installs it to, the install scripts and desktop entry hold together, the
// icons are real PNGs, and every file the package takes from the built tree exists after a build.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTALLED_LAUNCHER } from '../../src/main/app-paths.js';
import { TRAY_ICON_STATES } from '../../src/main/tray-model.js';
import { gate } from '../support/gate.js';
import { childrenNamed, parseXml } from './support/xml.js';

interface ExtraResource {
  from: string;
  to: string;
  filter?: string[];
}

interface BuilderConfig {
  productName: string;
  executableName: string;
  files: string[];
  asarUnpack: string[];
  npmRebuild: boolean;
  extraResources: ExtraResource[];
  linux: { target: string[]; icon: string; desktop: { entry: Record<string, string> } };
  deb: { depends: string[]; afterInstall: string; afterRemove: string };
  rpm: { depends: string[]; afterInstall: string; afterRemove: string };
}

const config = JSON.parse(readFileSync('electron-builder.json', 'utf8')) as BuilderConfig;
const installDir = `/opt/${config.productName}`;
const policyFile = 'resources/polkit/org.snitchmap.helper.policy';

function resourceTarget(from: string): string {
  const entry = config.extraResources.find((resource) => resource.from === from);
  if (!entry) throw new Error(`no extraResources entry from ${from}`);
  return `${installDir}/resources/${entry.to}`;
}

function desktopEntries(text: string): Record<string, string> {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
  expect(lines[0]).toBe('[Desktop Entry]');
  return Object.fromEntries(lines.slice(1).map((line) => {
    const at = line.indexOf('=');
    expect(at, `'${line}' is not key=value`).toBeGreaterThan(0);
    return [line.slice(0, at), line.slice(at + 1)];
  }));
}

function pngSize(path: string): [number, number] {
  const bytes = readFileSync(path);
  expect(bytes.subarray(0, 8).toString('hex'), path).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii'), path).toBe('IHDR');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('polkit policy', () => {
  const policy = parseXml(readFileSync(policyFile, 'utf8'));
  const [action, ...others] = childrenNamed(policy, 'action');

  it('is well-formed and declares exactly one action, org.snitchmap.helper', () => {
    expect(policy.name).toBe('policyconfig');
    expect(others).toEqual([]);
    expect(action?.attributes.id).toBe('org.snitchmap.helper');
    expect(() => parseXml('<a><b></a></b>')).toThrow(); // the checker itself rejects bad nesting
    expect(() => parseXml('<a x="1" x="2"/>')).toThrow(/duplicate/);
  });

  it('asks for admin authentication every time and does not keep the GUI environment', () => {
    const defaults = action ? childrenNamed(action, 'defaults')[0] : undefined;
    const values = Object.fromEntries((defaults?.children ?? []).map((child) => [child.name, child.text.trim()]));
    expect(values).toEqual({ allow_any: 'auth_admin', allow_inactive: 'auth_admin', allow_active: 'auth_admin' });
    const annotations = Object.fromEntries((action ? childrenNamed(action, 'annotate') : []).map((a) => [a.attributes.key, a.text.trim()]));
    expect(annotations).not.toHaveProperty('org.freedesktop.policykit.exec.allow_gui');
    expect(Object.keys(annotations)).toEqual(['org.freedesktop.policykit.exec.path']);
  });

  it('names the launcher where the package installs it, which is where the app runs it from', () => {
    const annotate = action ? childrenNamed(action, 'annotate')[0] : undefined;
    const execPath = annotate?.text.trim();
    expect(execPath).toBe(`${resourceTarget('resources/helper')}/snitchmap-helper-launcher`);
    expect(execPath).toBe(INSTALLED_LAUNCHER);
    expect(existsSync(join('resources/helper', 'snitchmap-helper-launcher'))).toBe(true);
  });
});

describe('electron-builder configuration', () => {
  it('builds AppImage, deb and rpm; unpacks native code from the asar; rebuilds better-sqlite3 for Electron, takes the addon as built', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb', 'rpm']);
    expect(config.asarUnpack).toContain('**/*.node');
    // npmRebuild rebuilds the native modules in node_modules (better-sqlite3, loaded by the main
    // process: Electron's ABI, not Node's); the eBPF addon is no npm module and ships from native/build.
    expect(config.npmRebuild).toBe(true);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('better-sqlite3');
    expect(config.extraResources.some((resource) => resource.from === 'native/build/Release' && resource.filter?.includes('snitchmap.node'))).toBe(true);
    expect(config.files).toContain('out/**');
  });

  it('data the bundled engine finds by path lands where it looks', () => {
    // The engine walks up from its module (app.asar/out/main) to a folder holding build/data, and
    // resolves the DB-IP databases through node_modules: unpacked, they stay real files on disk.
    expect(resourceTarget('build/data')).toBe(`${installDir}/resources/build/data`);
    expect(config.asarUnpack).toContain('node_modules/@ip-location-db/**');
  });

  it('the launcher finds Electron and the helper at the packaged paths', () => {
    const launcher = readFileSync('resources/helper/snitchmap-helper-launcher', 'utf8');
    expect(launcher).toContain(`electron="$app_dir/${config.executableName}"`);
    expect(launcher).toContain('script="$resources/snitchmap/dist/src/helper/main.js"');
    expect(resourceTarget('dist')).toBe(`${installDir}/resources/snitchmap/dist`);
    expect(resourceTarget('native/build/Release')).toBe(`${installDir}/resources/snitchmap/native/build/Release`);
    expect(statSync('resources/helper/snitchmap-helper-launcher').mode & 0o777).toBe(0o755);
  });

  it('the helper manifest the build writes lands next to the launcher, where it reads it', () => {
    const launcher = readFileSync('resources/helper/snitchmap-helper-launcher', 'utf8');
    expect(launcher).toContain('manifest="$helper_dir/snitchmap-helper-files"');
    expect(readFileSync('scripts/build.sh', 'utf8')).toContain('node scripts/build-helper-manifest.mjs build/helper/snitchmap-helper-files');
    expect(resourceTarget('build/helper')).toBe(resourceTarget('resources/helper'));
  });

  it('deb/rpm scripts install the policy and are valid shell; the deb pulls in pkexec and an agent', () => {
    for (const script of new Set([config.deb.afterInstall, config.deb.afterRemove, config.rpm.afterInstall, config.rpm.afterRemove])) {
      expect(spawnSync('sh', ['-n', script]).status, script).toBe(0);
    }
    const install = readFileSync(config.deb.afterInstall, 'utf8');
    expect(install).toContain(`${resourceTarget('resources/polkit')}/org.snitchmap.helper.policy`);
    expect(install).toContain('/usr/share/polkit-1/actions/org.snitchmap.helper.policy');
    expect(readFileSync(config.deb.afterRemove, 'utf8')).toContain('/usr/share/polkit-1/actions/org.snitchmap.helper.policy');
    expect(config.deb.depends.some((dep) => dep.split(' | ').includes('pkexec'))).toBe(true);
    expect(config.deb.depends.some((dep) => dep.includes('polkit-1-auth-agent'))).toBe(true);
    expect(config.rpm.depends).toContain('polkit');
  });

  it('desktop entry: the checked-in file and the packaged one agree and have the required keys', () => {
    const file = desktopEntries(readFileSync('resources/linux/snitchmap.desktop', 'utf8'));
    for (const key of ['Type', 'Name', 'Exec', 'Icon', 'Categories']) expect(file[key], key).toBeTruthy();
    expect(file.Type).toBe('Application');
    expect(file.Exec?.split(' ')[0]).toBe(config.executableName);
    expect(file.Icon).toBe(config.executableName);
    expect(file.Categories?.endsWith(';')).toBe(true);
    for (const [key, value] of Object.entries(config.linux.desktop.entry)) expect(file[key], key).toBe(value);
  });

  it('icons: app icon at the usual sizes and one tray icon (+@2x) per state, all real PNGs', () => {
    for (const size of [16, 32, 48, 64, 128, 256]) {
      expect(pngSize(join(config.linux.icon, `${size}x${size}.png`))).toEqual([size, size]);
    }
    for (const state of TRAY_ICON_STATES) {
      expect(pngSize(`resources/icons/tray/${state}.png`)).toEqual([22, 22]);
      expect(pngSize(`resources/icons/tray/${state}@2x.png`)).toEqual([44, 44]);
    }
  });
});

// The built tree exists only after `npm run build` (addon, ASN data, tsc, electron-vite). In CI
// that always ran first, so a missing file fails (gate.ts); elsewhere the block is skipped.
const built = gate('built-tree packaging checks',
  ['out/main/index.js', 'dist/src/cli/main.js'].some((file) => !existsSync(file)) ? 'run `npm run build` first' : null);

describe.skipIf(built.skip)('packaged files exist in the built tree', () => {
  it('every extraResources source and the entry points the app loads', () => {
    for (const resource of config.extraResources) expect(existsSync(resource.from), resource.from).toBe(true);
    for (const file of [
      'out/main/index.js',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'dist/src/helper/main.js',
      'native/build/Release/snitchmap.node',
    ]) {
      expect(existsSync(file), file).toBe(true);
    }
  });

  it('the preload is one CommonJS file that requires nothing but electron (sandboxed preloads cannot)', () => {
    const preload = readFileSync('out/preload/index.cjs', 'utf8');
    const required = [...preload.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*(import|export)\s/m);
    expect(preload).toContain('exposeInMainWorld("snitchmap"');
  });
});
