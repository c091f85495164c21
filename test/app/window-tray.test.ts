// Window and tray behaviour with fake Electron objects: close-to-tray only when a tray host
// exists, the tray's icon/tooltip/menu for each state, second launches, tray host detection.

import { describe, expect, it } from 'vitest';
import type { AppStatus, Snapshot } from '../../src/shared/api.js';
import { appPaths, INSTALLED_LAUNCHER } from '../../src/main/app-paths.js';
import { setupSingleInstance } from '../../src/main/single-instance.js';
import { detectTrayHost, type CommandRunner } from '../../src/main/tray-host.js';
import { trayIconState, trayView } from '../../src/main/tray-model.js';
import { createWindowController, type WindowLike } from '../../src/main/window-controller.js';

function fakeWindow(): WindowLike & { log: string[]; visible: boolean; minimized: boolean } {
  const window = {
    log: [] as string[],
    visible: true,
    minimized: false,
    show: () => void (window.log.push('show'), (window.visible = true)),
    hide: () => void (window.log.push('hide'), (window.visible = false)),
    focus: () => void window.log.push('focus'),
    restore: () => void (window.log.push('restore'), (window.minimized = false)),
    isVisible: () => window.visible,
    isMinimized: () => window.minimized,
  };
  return window;
}

const stats: Snapshot['stats'] = { type: 'stats', ts: 0, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 12 };
const status = (overrides: Partial<AppStatus> = {}): AppStatus => ({ paused: false, capture: 'ebpf', banner: null, ...overrides });

describe('window controller', () => {
  it('with a tray host, closing hides the window and keeps the app; quit lets it close', () => {
    const window = fakeWindow();
    const controller = createWindowController(window, () => true);
    expect(controller.onCloseRequested()).toBe(false);
    expect(window.visible).toBe(false);
    controller.markQuitting();
    expect(controller.onCloseRequested()).toBe(true);
  });

  it('without a tray host, closing closes (and the app quits with its last window)', () => {
    const window = fakeWindow();
    const controller = createWindowController(window, () => false);
    expect(controller.onCloseRequested()).toBe(true);
    expect(window.log).toEqual([]);
  });

  it('toggle hides a visible window and restores, shows and focuses a hidden or minimised one', () => {
    const window = fakeWindow();
    const controller = createWindowController(window, () => true);
    controller.toggle();
    expect(window.visible).toBe(false);
    window.minimized = true;
    controller.toggle();
    expect(window.log).toEqual(['hide', 'restore', 'show', 'focus']);
  });
});

describe('single instance', () => {
  function fakeApp(gotLock: boolean) {
    const app = {
      quitCalled: false,
      listeners: new Map<string, () => void>(),
      requestSingleInstanceLock: () => gotLock,
      on: (event: 'second-instance', listener: () => void) => app.listeners.set(event, listener),
      quit: () => void (app.quitCalled = true),
    };
    return app;
  }

  it('the first instance keeps running and a second launch reveals its window', () => {
    const app = fakeApp(true);
    const window = fakeWindow();
    window.visible = false;
    const controller = createWindowController(window, () => true);
    expect(setupSingleInstance(app, controller.reveal)).toBe(true);
    app.listeners.get('second-instance')?.();
    expect(window.log).toEqual(['show', 'focus']);
    expect(app.quitCalled).toBe(false);
  });

  it('a second instance quits without registering anything', () => {
    const app = fakeApp(false);
    expect(setupSingleInstance(app, () => undefined)).toBe(false);
    expect(app.quitCalled).toBe(true);
    expect(app.listeners.size).toBe(0);
  });
});

describe('tray model', () => {
  it('maps states to the four icons', () => {
    expect(trayIconState(status())).toBe('live');
    expect(trayIconState(status({ paused: true }))).toBe('paused');
    expect(trayIconState(status({ capture: 'proc', banner: { kind: 'warning', message: 'm', canRetry: true } }))).toBe('degraded');
    expect(trayIconState(status({ capture: 'ebpf', banner: { kind: 'error', message: 'helper died', canRetry: true } }))).toBe('error');
    expect(trayIconState(status({ capture: 'none' }))).toBe('error');
  });

  it('tooltip carries mode and counts; menu offers show/hide, pause/resume, retry when useful, quit', () => {
    const live = trayView(status(), { ...stats, eventsLost: 3 }, true);
    expect(live.tooltip).toBe('snitchmap — eBPF capture\n12 connections\n3 events lost or evicted');
    expect(live.menu.map((entry) => entry.action)).toEqual(['toggle-window', 'toggle-pause', 'quit']);
    expect(live.menu[0]?.label).toBe('Hide window');

    const degraded = trayView(status({ capture: 'proc', paused: true, banner: { kind: 'warning', message: 'Authentication was cancelled. more', canRetry: true } }), stats, false);
    expect(degraded.icon).toBe('paused');
    expect(degraded.tooltip).toContain('/proc mode (limited), paused');
    expect(degraded.tooltip).toContain('Authentication was cancelled');
    expect(degraded.menu.map((entry) => entry.label)).toEqual(['Show window', 'Resume capture', 'Retry full capture…', 'Quit snitchmap']);
  });
});

describe('app paths', () => {
  it('packaged deb/rpm use their own launcher; a checkout or an AppImage can only use the installed one', () => {
    expect(appPaths('/opt/snitchmap/resources/app.asar', '/opt/snitchmap/resources', true, undefined)).toEqual({
      preload: '/opt/snitchmap/resources/app.asar/out/preload/index.cjs',
      renderer: '/opt/snitchmap/resources/app.asar/out/renderer',
      icons: '/opt/snitchmap/resources/icons',
      launcher: INSTALLED_LAUNCHER,
    });
    expect(appPaths('/tmp/.mount_x/resources/app.asar', '/tmp/.mount_x/resources', true, '/home/a/snitchmap.AppImage').launcher).toBe(INSTALLED_LAUNCHER);
    expect(appPaths('/home/a/snitchmap', '/usr/lib/electron/resources', false, undefined)).toMatchObject({
      icons: '/home/a/snitchmap/resources/icons',
      launcher: INSTALLED_LAUNCHER,
    });
  });
});

describe('tray host detection', () => {
  const env = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus' };
  const reply = (stdout: string, status = 0): CommandRunner => async () => ({ status, stdout });

  it('asks the session bus whether a StatusNotifierWatcher exists', async () => {
    let asked: string[] = [];
    const run: CommandRunner = async (_command, args) => {
      asked = args;
      return { status: 0, stdout: 'method return time=1 sender=org.freedesktop.DBus\n   boolean true\n' };
    };
    expect(await detectTrayHost(env, run)).toBe(true);
    expect(asked).toContain('string:org.kde.StatusNotifierWatcher');
    expect(await detectTrayHost(env, reply('   boolean false\n'))).toBe(false);
    expect(await detectTrayHost(env, reply('', 1))).toBe(false);
  });

  it('no session bus or no dbus-send → no tray (closing quits); SNITCHMAP_TRAY overrides', async () => {
    expect(await detectTrayHost({}, reply('boolean true'))).toBe(false);
    const missing: CommandRunner = async () => {
      throw Object.assign(new Error('spawn dbus-send ENOENT'), { code: 'ENOENT' });
    };
    expect(await detectTrayHost(env, missing)).toBe(false);
    expect(await detectTrayHost({ SNITCHMAP_TRAY: 'on' }, missing)).toBe(true);
    expect(await detectTrayHost({ ...env, SNITCHMAP_TRAY: 'off' }, reply('boolean true'))).toBe(false);
  });
});
