// `snitchmap` with no arguments: Electron when a display, the binary and the built app are there
// and we are not root; otherwise serve (which prints the URL) with the reason on stderr.

import { describe, expect, it } from 'vitest';
import { desktopUnavailableReason, findElectron, launchDesktop, type DesktopLaunchDeps } from '../../src/cli/desktop.js';

function deps(overrides: Partial<DesktopLaunchDeps> & { files?: Record<string, string> } = {}) {
  const files: Record<string, string> = overrides.files ?? {
    '/app/node_modules/electron/path.txt': 'electron',
    '/app/node_modules/electron/dist/electron': '',
    '/app/out/main/index.js': '',
  };
  const calls: string[] = [];
  const d: DesktopLaunchDeps & { calls: string[] } = {
    calls,
    env: { DISPLAY: ':0', ELECTRON_RUN_AS_NODE: '1', HOME: '/home/a' },
    uid: 1000,
    appRoot: '/app',
    exists: (path) => path in files,
    readFile: (path) => files[path] ?? '',
    runElectron: async (binary, args, env) => {
      calls.push(`electron ${binary} ${args.join(' ')} ${JSON.stringify(env)}`);
      return 0;
    },
    serve: async () => {
      calls.push('serve');
      return 0;
    },
    stderr: (line) => calls.push(`stderr ${line}`),
    ...overrides,
  };
  return d;
}

describe('desktop launcher', () => {
  it('starts Electron on the app, without a leaked ELECTRON_RUN_AS_NODE', async () => {
    const d = deps();
    expect(await launchDesktop(d)).toBe(0);
    expect(d.calls).toEqual(['electron /app/node_modules/electron/dist/electron /app {"DISPLAY":":0","HOME":"/home/a"}']);
  });

  it('falls back to serve, saying why, without a display / Electron / build, or as root', async () => {
    const cases: Array<[Partial<DesktopLaunchDeps> & { files?: Record<string, string> }, RegExp]> = [
      [{ env: {} }, /no display/],
      [{ files: { '/app/out/main/index.js': '' } }, /no Electron binary/],
      [{ files: { '/app/node_modules/electron/path.txt': 'electron', '/app/out/main/index.js': '' } }, /no Electron binary/],
      [{ files: { '/app/node_modules/electron/path.txt': 'electron', '/app/node_modules/electron/dist/electron': '' } }, /not built/],
      [{ uid: 0 }, /never runs as root/],
    ];
    for (const [overrides, reason] of cases) {
      const d = deps(overrides);
      expect(await launchDesktop(d)).toBe(0);
      expect(d.calls.at(-1)).toBe('serve');
      expect(d.calls[0]).toMatch(reason);
      expect(d.calls[0]).toMatch(/serving the UI in your browser instead/);
    }
  });

  it('Wayland alone is a display; ELECTRON_OVERRIDE_DIST_PATH is honoured', () => {
    expect(desktopUnavailableReason(deps({ env: { WAYLAND_DISPLAY: 'wayland-0' } }))).toBeNull();
    const d = deps({ env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' }, files: { '/opt/electron/electron': '' } });
    expect(findElectron(d)).toBe('/opt/electron/electron');
  });
});
