// The shared backend (src/core/app/backend.ts) over supervisor sessions, and the desktop's optional notifications.

import { describe, expect, it } from 'vitest';
import type { Delta, Settings } from '../../src/shared/api.js';
import type { CaptureSupervisor, SupervisorState } from '../../src/core/app/capture-supervisor.js';
import { createAppBackend as createDesktopBackend } from '../../src/core/app/backend.js';
import type { SettingsStore } from '../../src/core/app/settings-store.js';
import { createNotifier, escapeNotificationMarkup, type Notice } from '../../src/main/notifier.js';
import { DEFAULT_SETTINGS } from '../../src/shared/settings.js';
import { connection, snapshot } from './fakes/fake-backend.js';
import { fakeSession } from './fakes/fake-session.js';

function fakeSupervisor() {
  const listeners = new Set<(state: SupervisorState) => void>();
  let state: SupervisorState = { session: null, banner: { kind: 'info', message: 'Waiting for authentication (polkit)…', canRetry: false } };
  const supervisor: CaptureSupervisor & { set(next: SupervisorState): void; starts: number } = {
    starts: 0,
    state: () => state,
    start: async () => void supervisor.starts++,
    stop: async () => undefined,
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(next) {
      state = next;
      for (const listener of listeners) listener(state);
    },
  };
  return supervisor;
}

function memorySettings(): SettingsStore {
  let current: Settings = DEFAULT_SETTINGS;
  return { get: () => current, update: async (patch) => (current = { ...current, ...(patch as Partial<Settings>) }) };
}

describe('desktop backend', () => {
  it('answers with an idle snapshot while no capture runs', async () => {
    const backend = createDesktopBackend(fakeSupervisor(), memorySettings(), { now: () => 42 });
    const snapshot = await backend.getSnapshot();
    expect(snapshot.connections).toEqual([]);
    expect(snapshot.status).toEqual({ paused: false, capture: 'none', banner: expect.objectContaining({ kind: 'info' }) });
    expect(snapshot.hello.limitations).toEqual(['no capture is running']);
    expect(snapshot.stats.ts).toBe(42);
  });

  it('follows session changes: announces the new hello, forwards its deltas, drops the old one', async () => {
    const supervisor = fakeSupervisor();
    const backend = createDesktopBackend(supervisor, memorySettings());
    const deltas: Delta[] = [];
    backend.onDelta((delta) => deltas.push(delta));
    const proc = fakeSession('proc');
    supervisor.set({ session: proc, banner: { kind: 'warning', message: 'cancelled', canRetry: true } });
    expect(deltas.at(-1)).toMatchObject({ hello: { capture: 'proc' }, status: { capture: 'proc', banner: { message: 'cancelled' } } });
    expect(proc.status).toMatchObject({ capture: 'proc' });
    proc.emit({ events: [connection('p1')] });
    expect(deltas.at(-1)?.events[0]?.id).toBe('p1');

    supervisor.set({ session: proc, banner: null });
    expect(deltas.at(-1)).toEqual({ events: [], status: { paused: false, capture: 'proc', banner: null } });

    const ebpf = fakeSession('ebpf');
    supervisor.set({ session: ebpf, banner: null });
    const count = deltas.length;
    proc.emit({ events: [connection('stale')] });
    expect(deltas.length).toBe(count);
    expect((await backend.getSnapshot()).status).toEqual({ paused: false, capture: 'ebpf', banner: null });
  });

  it('pause survives a session change; clear and retry reach engine and supervisor', async () => {
    const supervisor = fakeSupervisor();
    const backend = createDesktopBackend(supervisor, memorySettings());
    const first = fakeSession('ebpf');
    supervisor.set({ session: first, banner: null });
    await backend.pause();
    expect(first.log).toContain('engine.pause');
    expect(backend.status().paused).toBe(true);
    const second = fakeSession('proc');
    supervisor.set({ session: second, banner: null });
    expect(second.log).toContain('engine.pause');
    await backend.clear();
    expect(second.log).toContain('engine.clear');
    await backend.resume();
    expect(second.log).toContain('engine.resume');
    await backend.retryCapture();
    expect(supervisor.starts).toBe(1);
  });
});

describe('notifications', () => {
  const open = (id: string, name: string, country: string) =>
    connection(id, { process: { pid: 1, name, exe: `/usr/bin/${name}`, cmdline: null, uid: 1000, user: null }, remote: { ...connection(id).remote, geo: { country, city: null, lat: 0, lon: 0 } } });

  it('escape the body markup Linux notification servers would render', () => {
    expect(escapeNotificationMarkup('<a href="https://x">evil</a> & <b>co</b>')).toBe('&lt;a href="https://x"&gt;evil&lt;/a&gt; &amp; &lt;b&gt;co&lt;/b&gt;');
  });

  it('are off by default', () => {
    const shown: Notice[] = [];
    const notifier = createNotifier(() => DEFAULT_SETTINGS, (notice) => shown.push(notice));
    notifier.observe({ events: [open('a', 'curl', 'FR')] });
    expect(shown).toEqual([]);
  });

  it('announce a first-time process and a new country once each, not for the start-up snapshot', () => {
    const shown: Notice[] = [];
    const settings: Settings = { ...DEFAULT_SETTINGS, notifications: { newProcess: true, newCountry: true } };
    const notifier = createNotifier(() => settings, (notice) => shown.push(notice), () => 0);
    notifier.seed([open('s', 'firefox', 'DE')]);
    notifier.observe({ events: [open('a', 'firefox', 'DE'), open('b', 'curl', 'DE'), open('c', 'curl', 'JP'), { ...open('d', 'wget', 'US'), event: 'update' }] });
    expect(shown.map((notice) => notice.title)).toEqual(['curl connects', 'New country: JP']);
  });

  it('stay quiet for a few seconds after a capture (re)starts: existing connections are not news', () => {
    const shown: Notice[] = [];
    let clock = 1_000;
    const settings: Settings = { ...DEFAULT_SETTINGS, notifications: { newProcess: true, newCountry: true } };
    const notifier = createNotifier(() => settings, (notice) => shown.push(notice), () => clock);
    notifier.observe({ events: [open('a', 'sshd', 'NL')], hello: snapshot().hello });
    clock += 1_000;
    notifier.observe({ events: [open('b', 'chrome', 'US')] });
    expect(shown).toEqual([]);
    clock += 5_000;
    notifier.observe({ events: [open('c', 'chrome', 'US'), open('d', 'curl', 'NL')] });
    expect(shown.map((notice) => notice.title)).toEqual(['curl connects']);
  });

  it('limit a burst and say how many were held back', () => {
    const shown: Notice[] = [];
    let clock = 0;
    const settings: Settings = { ...DEFAULT_SETTINGS, notifications: { newProcess: true, newCountry: false } };
    const notifier = createNotifier(() => settings, (notice) => shown.push(notice), () => clock, 2);
    notifier.observe({ events: ['a', 'b', 'c', 'd'].map((name) => open(name, name, 'FR')) });
    expect(shown).toHaveLength(2);
    clock = 61_000;
    notifier.observe({ events: [open('e', 'e', 'FR')] });
    expect(shown.map((notice) => notice.body)).toContain('2 more notifications were not shown');
    expect(shown.at(-1)?.title).toBe('e connects');
  });
});
