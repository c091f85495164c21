// The desktop capture path end to end, as root on this machine: the real supervisor, engine and
// HelperSource run `pkexec --disable-internal-agent <launcher>`; a fake pkexec on PATH (which, like
// the real one, runs the program with a minimal environment, or exits 126 as if the user had
// dismissed the dialog) starts the real launcher, which runs the real helper with the addon.
// Node stands in for Electron (the launcher's `$app_dir/snitchmap`), ELECTRON_RUN_AS_NODE being a
// no-op for it. Needs the built tree (helper, addon) and the capture sources of src/core/capture.

import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureSupervisor } from '../../src/core/app/capture-supervisor.js';
import { buildAppTree, helperManifest } from '../support/fake-app-tree.js';
import { kernelGate } from '../support/kernel-gate.js';

const PACKAGE_DIR = 'resources/snitchmap/';

const gate = kernelGate([
  'src/core/capture/helper-source.ts',
  'src/core/engine.ts',
  'dist/src/helper/main.js',
  'native/build/Release/snitchmap.node',
]);

// Each test installs a fresh tree: the launcher, its manifest and a copy of every file the manifest
// lists (so the helper runs with nothing else — the manifest is complete), and as "Electron" a
// script that execs this Node (a link would point out of the app dir, which the launcher refuses).
const roots: string[] = [];
let app = '';
let launcher = '';
let fakeBin = '';
const supervisors: CaptureSupervisor[] = [];

afterAll(async () => {
  for (const supervisor of supervisors) await supervisor.stop();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function installTree(pkexecBody: string): void {
  const tree = buildAppTree(helperManifest(), `#!/bin/sh\nexec ${process.execPath} "$@"\n`, (path) => ({ copy: path.slice(PACKAGE_DIR.length) }));
  roots.push(tree.root);
  ({ app, launcher } = tree);
  fakeBin = join(tree.root, 'bin');
  mkdirSync(fakeBin);
  writeFileSync(join(fakeBin, 'pkexec'), `#!/bin/sh\n${pkexecBody}\n`, { mode: 0o755 });
}

/** Processes still running the helper script from this test's tree. */
function helpersRunning(): number[] {
  const script = join(app, 'resources', 'snitchmap', 'dist', 'src', 'helper', 'main.js');
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(script);
      } catch {
        return false;
      }
    })
    .map(Number);
}

// pkexec is looked for on PATH and in `pkexecDirs` (injected: never the system's /usr/bin and /bin,
// so a pkexec installed on this machine cannot stand in for the fake one, or hide its absence).
async function supervisorFor(): Promise<CaptureSupervisor> {
  const { createDesktopCapture } = await import('../../src/main/desktop-capture.js');
  const supervisor = createDesktopCapture({
    launcher,
    configDir: join(dirname(dirname(app)), 'config'),
    env: { PATH: fakeBin },
    pkexecDirs: [],
    home: () => ({ lat: 48.85, lon: 2.35, label: 'Paris' }),
    onWarning: () => undefined,
  });
  supervisors.push(supervisor);
  return supervisor;
}

describe.skipIf(gate.skip)('desktop elevation end to end (root, real helper)', () => {
  it('pkexec succeeds: the launcher starts the helper, capture is eBPF; stop leaves no helper behind', async () => {
    installTree('[ "$1" = --disable-internal-agent ] || exit 127\nshift\nexec env -i PATH=/usr/bin:/bin PKEXEC_UID=1000 "$@"');
    const supervisor = await supervisorFor();
    await supervisor.start();
    const { session, banner } = supervisor.state();
    expect(banner).toBeNull();
    expect(session?.mode).toBe('ebpf');
    expect(session?.publisher.snapshot().hello).toMatchObject({ capture: 'ebpf', home: { lat: 48.85, lon: 2.35, label: 'Paris' } });
    expect(helpersRunning()).toHaveLength(1);
    await supervisor.stop();
    expect(helpersRunning()).toEqual([]);
  });

  it('the helper killed mid-capture: /proc mode with a banner at once; Retry brings eBPF back', async () => {
    installTree('[ "$1" = --disable-internal-agent ] || exit 127\nshift\nexec env -i PATH=/usr/bin:/bin PKEXEC_UID=1000 "$@"');
    const supervisor = await supervisorFor();
    await supervisor.start();
    const [pid] = helpersRunning();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid ?? 0, 'SIGKILL'); // the helper this test started, by its pid
    await expect.poll(() => supervisor.state().session?.mode, { timeout: 5000 }).toBe('proc');
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/capture helper stopped: .*SIGKILL/);
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('ebpf');
    expect(supervisor.state().banner).toBeNull();
    await supervisor.stop();
    expect(helpersRunning()).toEqual([]);
  });

  it('pkexec exits 126 (dialog dismissed): /proc mode with the cancelled banner, no helper', async () => {
    installTree('echo "Error executing command as another user: Request dismissed" >&2\nexit 126');
    const supervisor = await supervisorFor();
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('proc');
    expect(supervisor.state().banner).toMatchObject({ kind: 'warning', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/Authentication was cancelled/);
    expect(helpersRunning()).toEqual([]);
    await supervisor.stop();
  });

  it('no pkexec anywhere: /proc mode, the banner names the package, nothing is spawned', async () => {
    installTree('exit 0');
    rmSync(join(fakeBin, 'pkexec'));
    const supervisor = await supervisorFor();
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('proc');
    expect(supervisor.state().banner?.message).toMatch(/apt install pkexec/);
    expect(helpersRunning()).toEqual([]);
    await supervisor.stop();
  });
});
