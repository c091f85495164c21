import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createEngine } from '../../../src/core/engine.js';
import { createPublisher } from '../../../src/core/publisher.js';
import type { Delta } from '../../../src/shared/api.js';
import { join } from 'node:path';
import type { EngineTuning } from '../../../src/core/engine.js';
import { DesktopNames } from '../../../src/core/apps/desktop-names.js';
import { FakeSource } from './fakes/fake-source.js';
import { flow, flowEnd, owner } from './fakes/records.js';

beforeEach(() => {
  vi.useFakeTimers({ now: 5_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

const XDG_FIXTURE = join(import.meta.dirname, 'fixtures', 'xdg-data');

function setup(intervalMs = 250, apps: EngineTuning['apps'] = null) {
  const source = new FakeSource();
  const engine = createEngine(
    { source, configDir: '/nonexistent-snitchmap-test' },
    {
      geolocator: () => ({ info: null, lookup: () => null }),
      asnTablePath: null,
      guessHome: () => ({ lat: 0, lon: 0, label: 'Test' }),
      userOf: () => null,
      tickMs: 50,
      statsIntervalMs: 10_000,
      tracker: { endGraceMs: 0 },
      apps,
    },
  );
  const publisher = createPublisher(engine, { intervalMs });
  const deltas: Delta[] = [];
  publisher.onDelta((delta) => deltas.push(delta));
  return { source, engine, publisher, deltas };
}

describe('publisher', () => {
  it('has a snapshot before the capture started, then sends the hello as a delta', async () => {
    const { engine, publisher, deltas } = setup();
    expect(publisher.snapshot()).toMatchObject({ hello: { capture: 'ebpf', probes: { tc: null } }, connections: [], status: { capture: 'none', paused: false, banner: null } });
    await engine.start();
    vi.advanceTimersByTime(250);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]).toMatchObject({ events: [], hello: { probes: { tc: 'tcx' } }, status: { capture: 'ebpf' } });
    expect(publisher.snapshot().hello.probes.tc).toBe('tcx');
    publisher.dispose();
    await engine.stop();
  });

  it('batches a burst into few deltas (at most 4 per second), one event per connection', async () => {
    const { engine, source, publisher, deltas } = setup(50);
    await engine.start();
    vi.advanceTimersByTime(250);
    deltas.length = 0;
    source.feed.owners(Array.from({ length: 500 }, (_, i) => owner({ localPort: 10_000 + i })));
    for (let round = 1; round <= 20; round++) {
      source.feed.flows(Array.from({ length: 500 }, (_, i) => flow({ localPort: 10_000 + i, txBytes: 60 * round })), Date.now());
      vi.advanceTimersByTime(50);
    }
    vi.advanceTimersByTime(1_000);
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThanOrEqual(8);
    for (const delta of deltas) expect(new Set(delta.events.map((event) => event.id)).size).toBe(delta.events.length);
    const first = deltas[0];
    expect(first?.events).toHaveLength(500);
    expect(first?.events.every((event) => event.event === 'open')).toBe(true);
    expect(publisher.snapshot().connections).toHaveLength(500);
    expect(publisher.snapshot().connections.every((event) => event.txBytes === 1_200)).toBe(true);
    publisher.dispose();
    await engine.stop();
  });

  it('merges open+update into open and anything+close into close within one batch', async () => {
    const { engine, source, publisher, deltas } = setup();
    await engine.start();
    vi.advanceTimersByTime(250);
    deltas.length = 0;
    source.feed.owners([owner(), owner({ localPort: 40001 })]);
    const closing = flow({ localPort: 40001 });
    source.feed.flows([flow(), closing], Date.now());
    source.feed.flowEnds([flowEnd(closing)]);
    vi.advanceTimersByTime(250);
    expect(deltas).toHaveLength(1);
    expect(deltas[0]?.events.map((event) => [event.local.port, event.event])).toEqual([[40000, 'open'], [40001, 'close']]);
    publisher.dispose();
    await engine.stop();
  });

  it('sends cleared after clear(), dropping events queued before it; live flows reopen counted from zero', async () => {
    const { engine, source, publisher, deltas } = setup();
    await engine.start();
    vi.advanceTimersByTime(250);
    deltas.length = 0;
    source.feed.owners([owner()]);
    source.feed.flows([flow()], Date.now());
    engine.clear();
    publisher.setStatus({ paused: true, banner: { kind: 'warning', message: 'paused by user', canRetry: false } });
    const before = publisher.snapshot().connections;
    expect(before).toEqual([]);
    vi.advanceTimersByTime(250);
    // The first change after a quiet interval flushes at once (clear and status with it, the events
    // before the clear dropped); the reopen at the next tick follows one interval later.
    expect(deltas).toHaveLength(2);
    expect(deltas[0]).toMatchObject({ cleared: true, events: [], status: { paused: true, capture: 'ebpf', banner: { kind: 'warning', message: 'paused by user', canRetry: false } } });
    expect(deltas[1]?.events.map((event) => [event.event, event.txBytes])).toEqual([['open', 0]]);
    expect(publisher.snapshot().connections).toHaveLength(1);
    expect(publisher.snapshot().status.paused).toBe(true);
    publisher.dispose();
    await engine.stop();
  });

  it('sends nothing when nothing happened, and nothing after dispose', async () => {
    const { engine, publisher, deltas } = setup();
    await engine.start();
    vi.advanceTimersByTime(250);
    deltas.length = 0;
    vi.advanceTimersByTime(5_000);
    expect(deltas).toEqual([]);
    publisher.dispose();
    publisher.setStatus({ paused: true });
    vi.advanceTimersByTime(1_000);
    expect(deltas).toEqual([]);
    await engine.stop();
  });

  it('sends an app icon once, with the first connection naming its desktop entry, and keeps it in the snapshot', async () => {
    const apps = new DesktopNames({ env: { XDG_DATA_DIRS: XDG_FIXTURE, XDG_DATA_HOME: join(XDG_FIXTURE, 'home-share') }, home: '/nonexistent' });
    const { engine, source, publisher, deltas } = setup(250, apps);
    await engine.start();
    vi.advanceTimersByTime(250);
    deltas.length = 0;
    const cgroup = '/user.slice/user-1000.slice/user@1000.service/app.slice/app-flatpak-org.mozilla.firefox-77.scope';
    source.feed.owners([
      owner({ localPort: 1, pid: 10, comm: 'firefox-bin', exe: '/app/lib/firefox/firefox-bin', cgroup, parents: [{ pid: 9, name: 'bwrap' }] }),
      owner({ localPort: 2, pid: 11, comm: 'curl', exe: '/usr/bin/curl', cgroup: '/user.slice/user-1000.slice/session-2.scope' }),
    ]);
    source.feed.flows([flow({ localPort: 1, txBytes: 10 }), flow({ localPort: 2, txBytes: 10 })], Date.now());
    vi.advanceTimersByTime(250);
    const opened = deltas.flatMap((delta) => delta.events);
    expect(opened.find((event) => event.local.port === 1)?.process).toMatchObject({
      parents: [{ pid: 9, name: 'bwrap' }],
      cgroup,
      app: { kind: 'flatpak', id: 'org.mozilla.firefox', name: 'Firefox Web Browser', desktop: 'org.mozilla.firefox' },
    });
    expect(opened.find((event) => event.local.port === 2)?.process?.app).toEqual({ kind: 'executable', id: 'curl', name: 'Transfer Tool', desktop: 'transfer' });
    const icons = Object.assign({}, ...deltas.map((delta) => delta.appIcons ?? {})) as Record<string, string>;
    expect(Object.keys(icons).sort()).toEqual(['org.mozilla.firefox', 'transfer']);
    expect(icons['org.mozilla.firefox']).toMatch(/^data:image\/svg\+xml;base64,/);
    deltas.length = 0;
    source.feed.owners([owner({ localPort: 3, pid: 12, comm: 'firefox-bin', exe: '/app/lib/firefox/firefox-bin', cgroup })]);
    source.feed.flows([flow({ localPort: 3, txBytes: 10 })], Date.now());
    vi.advanceTimersByTime(250);
    expect(deltas.flatMap((delta) => delta.events).length).toBeGreaterThan(0);
    expect(deltas.every((delta) => delta.appIcons === undefined)).toBe(true);
    expect(Object.keys(publisher.snapshot().appIcons ?? {}).sort()).toEqual(['org.mozilla.firefox', 'transfer']);
    publisher.dispose();
    await engine.stop();
  });
});
