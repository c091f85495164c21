// `snitchmap` on the PATH of the deb/rpm runs every verb, not only the desktop app. electron-builder
// cannot build a package here (it downloads Electron and fpm), so this checks what produces the
// installed layout — the builder config, after-install.sh, the wrapper resources/linux/bin/snitchmap
// — and then runs the real wrapper in that layout built in a temp dir: /usr/bin/snitchmap → the
// wrapper, the built CLI at resources/snitchmap/dist, its packages through the node_modules link
// after-install.sh makes, and as "Electron" a script that is Node when ELECTRON_RUN_AS_NODE=1 (as
// the real one is) and otherwise says that the desktop app was started.

import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gate } from '../support/gate.js';

interface BuilderConfig {
  productName: string;
  executableName: string;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  deb: { afterInstall: string; afterRemove: string };
  rpm: { afterInstall: string; afterRemove: string };
}

const config = JSON.parse(readFileSync('electron-builder.json', 'utf8')) as BuilderConfig;
const APP = `/opt/${config.productName}`;
const WRAPPER = 'resources/linux/bin/snitchmap';

function installedPath(from: string, file: string): string {
  const entry = config.extraResources.find((resource) => resource.from === from);
  if (!entry) throw new Error(`no extraResources entry from ${from}`);
  return `${APP}/resources/${entry.to}/${file}`;
}

/** Bare package names the built JS imports (node: builtins and relative paths left out). */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.js')) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    // `from`/`import` as a word of its own, and a specifier without spaces: 'window.from'); … ' in
    // ordinary code is not an import.
    for (const match of text.matchAll(/(?:^|[\s;}])(?:from|import)\s*\(?\s*'([^'./\s][^'\s]*)'/gm)) {
      const specifier = match[1]!;
      if (specifier.startsWith('node:')) continue;
      const parts = specifier.split('/');
      names.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  return names;
}

/** The packages and everything they depend on, from package-lock.json. */
function withDependencies(names: Iterable<string>): Set<string> {
  const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`${name} is not in package-lock.json`);
    seen.add(name);
    for (const dependency of Object.keys(entry.dependencies ?? {})) visit(dependency);
  };
  for (const name of names) visit(name);
  return seen;
}

describe('the installed `snitchmap` command (configuration)', () => {
  it('after-install links /usr/bin/snitchmap to the wrapper the package installs, not to Electron', () => {
    const install = readFileSync(config.deb.afterInstall, 'utf8');
    expect(config.rpm.afterInstall).toBe(config.deb.afterInstall);
    expect(install).toContain(`ln -sf "$app/resources/bin/snitchmap" /usr/bin/snitchmap`);
    expect(installedPath('resources/linux/bin', 'snitchmap')).toBe(`${APP}/resources/bin/snitchmap`);
    expect(install).toContain('ln -sfn ../app.asar.unpacked/node_modules "$app/resources/snitchmap/node_modules"');
    expect(statSync(WRAPPER).mode & 0o777).toBe(0o755);
    expect(spawnSync('sh', ['-n', WRAPPER]).status).toBe(0);
  });

  it('the wrapper runs the packaged Electron as Node on the packaged CLI', () => {
    const wrapper = readFileSync(WRAPPER, 'utf8');
    expect(wrapper).toContain(`electron="$(dirname "$resources")/${config.executableName}"`);
    expect(wrapper).toContain('cli="$resources/snitchmap/dist/src/cli/main.js"');
    expect(installedPath('dist', 'src/cli/main.js')).toBe(`${APP}/resources/snitchmap/dist/src/cli/main.js`);
    expect(wrapper).toMatch(/ELECTRON_RUN_AS_NODE=1\nexport ELECTRON_RUN_AS_NODE\nexec "\$electron" "\$cli" "\$@"\n$/);
  });

  it('after-remove takes the links back on removal only, never on an upgrade', () => {
    const remove = readFileSync(config.deb.afterRemove, 'utf8');
    expect(config.rpm.afterRemove).toBe(config.deb.afterRemove);
    for (const [argument, removes] of [['remove', true], ['purge', true], ['0', true], ['upgrade', false], ['1', false]] as const) {
      // Run with every path it touches renamed into a temp dir: proves which branch it takes.
      const dir = mkdtempSync(join(tmpdir(), 'snitchmap-postrm-'));
      try {
        const script = remove.replaceAll('/usr/share/polkit-1/actions/', `${dir}/actions/`).replaceAll('/usr/bin/snitchmap', `${dir}/snitchmap`)
          .replaceAll('/opt/snitchmap/resources/snitchmap/node_modules', `${dir}/node_modules`);
        mkdirSync(join(dir, 'actions'));
        writeFileSync(join(dir, 'actions', 'org.snitchmap.helper.policy'), '');
        symlinkSync(`${APP}/resources/bin/snitchmap`, join(dir, 'snitchmap'));
        symlinkSync('../app.asar.unpacked/node_modules', join(dir, 'node_modules'));
        expect(spawnSync('sh', ['-c', script, 'postrm', argument]).status, argument).toBe(0);
        for (const left of ['actions/org.snitchmap.helper.policy', 'snitchmap', 'node_modules']) {
          expect(readdirSync(dirname(join(dir, left))).includes(left.split('/').pop()!), `${argument}: ${left}`).toBe(!removes);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});

const built = gate('installed-CLI checks', existsSync('dist/src/cli/main.js') ? null : 'run `npm run build` first');

describe.skipIf(built.skip)('the installed `snitchmap` command (run in the installed layout)', () => {
  const root = mkdtempSync(join(tmpdir(), 'snitchmap-installed-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('every package the CLI imports (and their dependencies) is unpacked from the asar', () => {
    const needed = withDependencies(importedPackages('dist'));
    expect(needed.size).toBeGreaterThan(0);
    for (const name of needed) {
      if (name === 'node-addon-api') continue; // C++ headers for the addon's build, never imported
      expect(config.asarUnpack, name).toContain(`node_modules/${name}/**`);
    }
  });

  // /opt/snitchmap as the package lays it out, with the links after-install.sh makes.
  const app = join(root, 'opt', 'snitchmap');
  const resources = join(app, 'resources');
  const usrBin = join(root, 'usr', 'bin', 'snitchmap');
  function install(): void {
    if (existsSync(usrBin)) return;
    mkdirSync(join(resources, 'bin'), { recursive: true });
    cpSync(WRAPPER, join(resources, 'bin', 'snitchmap'));
    cpSync('dist', join(resources, 'snitchmap', 'dist'), { recursive: true, filter: (path) => statSync(path).isDirectory() || path.endsWith('.js') });
    cpSync('package.json', join(resources, 'snitchmap', 'package.json'));
    cpSync('native/build/Release/snitchmap.node', join(resources, 'snitchmap', 'native', 'build', 'Release', 'snitchmap.node'), { recursive: true });
    mkdirSync(join(resources, 'build'));
    if (existsSync('build/data')) symlinkSync(resolve('build/data'), join(resources, 'build', 'data'), 'dir');
    const unpacked = join(resources, 'app.asar.unpacked', 'node_modules');
    for (const name of withDependencies(importedPackages('dist'))) {
      mkdirSync(dirname(join(unpacked, name)), { recursive: true });
      symlinkSync(resolve('node_modules', name), join(unpacked, name), 'dir');
    }
    symlinkSync('../app.asar.unpacked/node_modules', join(resources, 'snitchmap', 'node_modules'));
    writeFileSync(join(app, config.executableName), `#!/bin/sh
if [ "$ELECTRON_RUN_AS_NODE" = 1 ]; then exec ${process.execPath} "$@"; fi
printf 'desktop app started with %d arguments\n' $#
`, { mode: 0o755 });
    mkdirSync(dirname(usrBin), { recursive: true });
    symlinkSync(join(resources, 'bin', 'snitchmap'), usrBin);
    chmodSync(root, 0o755); // readable by nobody, for the run without root below
  }

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => {
    install();
    return spawnSync(usrBin, args, { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env }, timeout: 30_000 });
  };

  it('forwards verbs and options to the CLI: --version, watch --help, serve --help', () => {
    const version = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
    expect(run(['--version'])).toMatchObject({ status: 0, stdout: `snitchmap ${version}\n` });
    expect(run(['watch', '--help']).stdout).toMatch(/^Usage: snitchmap watch/m);
    const serve = run(['serve', '--help']);
    expect(serve.stdout).toMatch(/^Usage: snitchmap serve/m);
    expect(serve.stdout).not.toContain('desktop app started');
  });

  it('forwards a verb it does not know of to the CLI too (history, when it lands), which answers', () => {
    const result = run(['no-such-verb']);
    expect(result.stderr).toContain("snitchmap: unknown command 'no-such-verb'");
    expect(result.status).toBe(2);
    expect(result.stdout).not.toContain('desktop app started');
  });

  it('without arguments, as a user with a display: starts the desktop app (Electron, not as Node)', () => {
    install();
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    const result = spawnSync(asUser[0] ?? usrBin, [...asUser.slice(1), ...(asUser.length > 0 ? [usrBin] : [])],
      { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', DISPLAY: ':99', ELECTRON_RUN_AS_NODE: '1' }, timeout: 30_000 });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toBe('desktop app started with 0 arguments\n');
  });
});
