// src/main/index.ts run against fake Electron objects: the window is locked down, the renderer is
// served from app:// with the CSP, IPC answers only the app's own frame, the tray drives the window
// and capture, closing hides to the tray, quitting stops capture first, a second launch focuses
// the first, and the app refuses to run as root. (No Electron binary exists on build machines.)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { API_METHODS } from '../../src/shared/api.js';
import { DELTA_CHANNEL, invokeChannel } from '../../src/shared/ipc.js';
import { createCaptureSupervisor, type CaptureSupervisor } from '../../src/core/app/capture-supervisor.js';
import { failureOf } from '../../src/core/app/elevation.js';
import type { CaptureSource } from '../../src/core/capture/source.js';
import { connection } from './fakes/fake-backend.js';
import { createFakeElectron, FakeEvent, type FakeElectron } from './fakes/fake-electron.js';
import { fakeSession, type FakeSession } from './fakes/fake-session.js';

const holder = vi.hoisted(() => ({ fake: null as unknown, supervisor: null as unknown, trayHost: true }));
// The mock registry outlives vi.resetModules(): every property reads the current test's fake.
vi.mock('electron', () => {
  const names = ['app', 'BrowserWindow', 'Tray', 'Menu', 'nativeImage', 'Notification', 'ipcMain', 'protocol', 'net', 'session', 'shell'];
  const current = () => (holder.fake as FakeElectron).electron as Record<string, unknown>;
  return Object.defineProperties({}, Object.fromEntries(names.map((name) => [name, { enumerable: true, get: () => current()[name] }])));
});
vi.mock('../../src/main/desktop-capture.js', () => ({ createDesktopCapture: () => holder.supervisor }));
vi.mock('../../src/main/tray-host.js', () => ({ detectTrayHost: async () => holder.trayHost }));

const configHome = mkdtempSync(join(tmpdir(), 'snitchmap-main-'));
const savedXdg = process.env.XDG_CONFIG_HOME;
const savedState = process.env.XDG_STATE_HOME;
beforeAll(() => {
  process.env.XDG_CONFIG_HOME = configHome;
  // The app opens its history there (src/main/desktop-history.ts), not in the real home.
  process.env.XDG_STATE_HOME = configHome;
});
afterAll(() => {
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedXdg;
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
  rmSync(configHome, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

interface Started {
  fake: FakeElectron;
  sessions: FakeSession[];
  supervisor: CaptureSupervisor;
}

async function startMain(options: { uid?: number; trayHost?: boolean; gotLock?: boolean } = {}): Promise<Started> {
  vi.resetModules();
  const fake = createFakeElectron();
  fake.state.gotLock = options.gotLock ?? true;
  const sessions: FakeSession[] = [];
  const helper: CaptureSource = {
    kind: 'ebpf',
    start: async () => ({ capture: 'ebpf', probes: {} as never, limitations: [], kernel: null }),
    pause: async () => undefined,
    resume: async () => undefined,
    stop: async () => undefined,
  };
  const supervisor = createCaptureSupervisor({
    elevation: { waiting: null, procMode: '', preflight: () => null, helperSource: () => helper, classify: failureOf },
    procSource: () => ({ ...helper, kind: 'proc' }),
    startSession: async (source) => {
      await source.start({ flows() {}, flowEnds() {}, owners() {}, dns() {}, stats() {}, failed() {} });
      const session = fakeSession(source.kind);
      if (source.kind === 'ebpf') sessions.push(session);
      return session;
    },
  });
  holder.fake = fake;
  holder.supervisor = supervisor;
  holder.trayHost = options.trayHost ?? true;
  vi.spyOn(process, 'getuid').mockReturnValue(options.uid ?? 1000);
  await import('../../src/main/index.js');
  fake.ready();
  return { fake, sessions, supervisor };
}

const until = (check: () => boolean, what: string): Promise<boolean> => waitFor(check, { what, timeout: 5000, interval: 5 });

async function running(options: { trayHost?: boolean } = {}): Promise<Started> {
  const started = await startMain(options);
  await until(() => started.supervisor.state().session?.mode === 'ebpf', 'the eBPF session');
  await until(() => (started.fake.state.trays[0]?.menu.length ?? 0) > 0, 'the tray menu');
  return started;
}

const appFrame = { senderFrame: { url: 'app://snitchmap/index.html', parent: null } };

describe('Electron main process', () => {
  it('refuses to run as root and sets nothing up', async () => {
    const { fake } = await startMain({ uid: 0 });
    expect(fake.state.exitCode).toBe(1);
    expect(fake.state.privilegedSchemes).toEqual([]);
    expect(fake.state.windows).toEqual([]);
  });

  it('a second instance quits at once; the first shows its window on a second launch', async () => {
    const second = await startMain({ gotLock: false });
    await until(() => second.fake.state.quitCalls > 0, 'the second instance to quit');
    expect(second.fake.state.quitCalls).toBe(1);
    expect(second.fake.state.windows).toEqual([]);

    const { fake } = await running();
    const window = fake.state.windows[0];
    window?.hide();
    fake.electron.app.emit('second-instance');
    expect(window?.isVisible()).toBe(true);
  });

  it('opens one locked-down window on app://snitchmap and denies every permission', async () => {
    const { fake } = await running();
    expect(fake.state.windows).toHaveLength(1);
    const window = fake.state.windows[0];
    expect(window?.options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(window?.loaded).toBe('app://snitchmap/index.html');
    expect(fake.state.privilegedSchemes).toMatchObject([{ scheme: 'app', privileges: { standard: true, secure: true } }]);

    const decisions: boolean[] = [];
    fake.state.permissionRequestHandler?.(null, 'geolocation', (allowed: boolean) => decisions.push(allowed));
    expect(decisions).toEqual([false]);
    expect(fake.state.permissionCheckHandler?.(null, 'notifications')).toBe(false);
  });

  it('blocks navigation away from the app, new windows and webviews', async () => {
    const { fake } = await running();
    const contents = fake.state.windows[0]?.webContents;
    const away = new FakeEvent();
    contents?.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const inside = new FakeEvent();
    contents?.emit('will-navigate', inside, 'app://snitchmap/index.html');
    expect(inside.defaultPrevented).toBe(false);
    const webview = new FakeEvent();
    contents?.emit('will-attach-webview', webview);
    expect(webview.defaultPrevented).toBe(true);
    expect(contents?.windowOpenHandler?.({ url: 'https://db-ip.com' })).toEqual({ action: 'deny' });
    expect(contents?.windowOpenHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(fake.state.opened).toEqual(['https://db-ip.com']);
  });

  it('serves the renderer from app:// with the CSP header and nothing outside its folder', async () => {
    const { fake } = await running();
    const handler = fake.state.protocolHandlers.get('app');
    const page = await handler?.({ url: 'app://snitchmap/index.html' });
    expect(page?.status).toBe(200);
    expect(page?.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page?.headers.get('content-type')).toBe('text/html');
    expect(fake.state.fetched).toEqual(['file:///app/out/renderer/index.html']);
    expect((await handler?.({ url: 'app://snitchmap/%2e%2e/%2e%2e/etc/passwd' }))?.status).toBe(404);
    expect(fake.state.fetched).toHaveLength(1);
  });

  it('answers every API method over IPC for the app frame only, and streams deltas to the page', async () => {
    const { fake, sessions } = await running();
    expect([...fake.state.handlers.keys()].sort()).toEqual(API_METHODS.map(invokeChannel).sort());
    const getSnapshot = fake.state.handlers.get(invokeChannel('getSnapshot'));
    await expect(getSnapshot?.(appFrame)).resolves.toMatchObject({ status: { capture: 'ebpf', paused: false, banner: null } });
    expect(() => getSnapshot?.({ senderFrame: { url: 'https://evil.example/', parent: null } })).toThrow(/refused/);

    sessions[0]?.emit({ events: [connection('live-1')] });
    const sent = fake.state.windows[0]?.webContents.sent.filter(([channel]) => channel === DELTA_CHANNEL) ?? [];
    expect(sent.some(([, delta]) => (delta as { events: Array<{ id: string }> }).events[0]?.id === 'live-1')).toBe(true);
  });

  it('tray: live icon and counts; Hide/Show and Pause/Resume work from its menu', async () => {
    const { fake, sessions } = await running();
    const tray = fake.state.trays[0];
    const window = fake.state.windows[0];
    window?.show();
    expect(tray?.image).toEqual({ path: '/app/resources/icons/tray/live.png' });
    expect(tray?.tooltip).toMatch(/eBPF capture/);
    const click = (label: RegExp) => tray?.menu.find((entry) => label.test(entry.label))?.click();
    click(/Hide window/);
    expect(window?.isVisible()).toBe(false);
    click(/Show window/);
    expect(window?.isVisible()).toBe(true);
    click(/Pause capture/);
    await expect.poll(() => tray?.image).toEqual({ path: '/app/resources/icons/tray/paused.png' });
    expect(sessions[0]?.log).toContain('engine.pause');
    click(/Resume capture/);
    await expect.poll(() => sessions[0]?.log.includes('engine.resume')).toBe(true);
  });

  it('with a tray host, closing the window hides it; Quit stops capture and then quits', async () => {
    const { fake, sessions } = await running({ trayHost: true });
    const window = fake.state.windows[0];
    window?.show();
    expect(window?.close()).toBe(false);
    expect(window?.isVisible()).toBe(false);
    expect(fake.state.quitCalls).toBe(0);

    fake.state.trays[0]?.menu.find((entry) => entry.label === 'Quit snitchmap')?.click();
    expect(window?.isDestroyed()).toBe(true);
    await expect.poll(() => fake.state.quitCalls).toBe(2); // held once for the helper to stop
    expect(sessions[0]?.stopped).toBe(true);
    expect(fake.state.trays[0]?.destroyed).toBe(true);
  });

  it('without a tray host, closing the window closes it and the app quits', async () => {
    const { fake, sessions } = await running({ trayHost: false });
    const window = fake.state.windows[0];
    expect(window?.close()).toBe(true);
    fake.electron.app.emit('window-all-closed');
    await expect.poll(() => sessions[0]?.stopped).toBe(true);
    expect(fake.state.quitCalls).toBeGreaterThanOrEqual(1);
  });
});
