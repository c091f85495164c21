import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WatchOptions } from '../../../src/cli/args.js';
import { formatEvent } from '../../../src/cli/text-format.js';
import { runWatch } from '../../../src/cli/watch.js';
import type { EngineOptions } from '../../../src/core/engine-types.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import type { CaptureSource } from '../../../src/core/capture/source.js';
import { DyingSource, FakeEngine, HELLO, connection } from './fake-engine.js';
import { waitFor } from '../../support/wait-for.js';
import { capturedStream } from './captured-stream.js';

function harness(options: Partial<WatchOptions>, configure: (engine: FakeEngine) => void = () => undefined, source: CaptureSource = new ProcSource()) {
  const out = capturedStream();
  const err = capturedStream();
  const signals = new EventEmitter();
  let engine: FakeEngine | null = null;
  const run = runWatch(
    { json: true, sudo: false, ...options },
    {
      createEngine: (engineOptions: EngineOptions) => {
        engine = new FakeEngine(engineOptions);
        configure(engine);
        return engine;
      },
      createSource: () => source,
      stdout: out.stream,
      stderr: err.stream,
      signals: signals as unknown as { on: () => void; off: () => void },
    },
  );
  const lines = () => out.text().split('\n').filter(Boolean);
  // The hello is printed (stdout with --json, stderr without) once the engine and source started and
  // the signal handlers are in place: from then on the run takes events and signals.
  const started = () => waitFor(() => (options.json === false ? err : out).text().length > 0, { what: 'watch to print the hello' });
  return { run, signals, lines, started, err: err.text, engine: () => engine as unknown as FakeEngine };
}

describe('snitchmap watch', () => {
  it('prints hello first, then events, and exits 0 after --count connection events, stopping the engine', async () => {
    const h = harness({ count: 2, locations: 'loc.json', home: { lat: 5, lon: 6 } });
    await h.started();
    const engine = h.engine();
    expect(engine.options).toMatchObject({ locationsPath: 'loc.json', home: { lat: 5, lon: 6 } });
    engine.emit({ type: 'stats', ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 0 });
    engine.emit(connection({ id: 'a' }));
    engine.emit(connection({ id: 'b' }));
    engine.emit(connection({ id: 'c' }));
    await expect(h.run).resolves.toBe(0);
    const parsed = h.lines().map((l) => JSON.parse(l) as { type: string; id?: string });
    expect(parsed.map((m) => m.id ?? m.type)).toEqual(['hello', 'stats', 'a', 'b']);
    expect(parsed[0]).toEqual(HELLO);
    expect(engine.stopped).toBe(1);
  });

  it('holds events that arrive before the hello until the hello is printed', async () => {
    const h = harness({ count: 2 }, (engine) => {
      // Emits an event before any hello; the hello only comes back from start().
      engine.emitHelloOnStart = false;
      engine.emitOnStart = [connection({ id: 'early' })];
    });
    await h.started();
    h.engine().emit(connection({ id: 'late' }));
    await expect(h.run).resolves.toBe(0);
    expect(h.lines().map((l) => (JSON.parse(l) as { id?: string; type: string }).id ?? 'hello')).toEqual(['hello', 'early', 'late']);
  });

  it('exits 0 on SIGINT and SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM']) {
      const h = harness({});
      await h.started();
      h.signals.emit(signal);
      await expect(h.run).resolves.toBe(0);
      expect(h.engine().stopped).toBe(1);
    }
  });

  it('exits 1 when the capture dies (helper gone), saying why', async () => {
    const source = new DyingSource();
    const h = harness({}, () => undefined, source);
    await h.started();
    source.sink?.failed(new Error('the capture helper exited with code 3'));
    await expect(h.run).resolves.toBe(1);
    expect(h.err()).toMatch(/exiting: capture stopped \(the capture helper exited with code 3\)/);
    expect(h.engine().stopped).toBe(1);
  });

  it('exits 0 at the end of --duration', async () => {
    const started = Date.now();
    const h = harness({ duration: 0.1 });
    await expect(h.run).resolves.toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('exits 1 with a clear message when capture cannot start', async () => {
    const err = capturedStream();
    const code = await runWatch(
      { json: true, sudo: false },
      {
        createEngine: () => Object.assign(new FakeEngine(), { startError: new Error('no /proc') }),
        createSource: () => new ProcSource(),
        stdout: new PassThrough(),
        stderr: err.stream,
        signals: new EventEmitter() as unknown as { on: () => void; off: () => void },
      },
    );
    expect(code).toBe(1);
    expect(err.text()).toMatch(/cannot start capture: no \/proc/);
  });

  it('prints human lines without --json, the hello on stderr, with hostile names defanged', async () => {
    const h = harness({ json: false, count: 1 });
    await h.started();
    const stats = { type: 'stats' as const, ts: 1, eventsLost: 0, flowsEvicted: 0, unattributed: 0, connections: 3 };
    h.engine().emit(stats);
    h.engine().emit({ ...stats, unattributed: 2 });
    h.engine().emit({ ...stats, unattributed: 2 });
    h.engine().emit(connection({ remote: { ...connection().remote, host: 'evil\u001b[2J.example' } }));
    await h.run;
    expect(h.err()).toMatch(/capture \/proc \(not root\)/);
    expect(h.lines()).toHaveLength(2);
    expect(h.lines()[0]).toMatch(/stats +3 connections, 0 events lost, 0 flows evicted, 2 unattributed/);
    expect(h.lines()[1]).toMatch(/open +tcp curl\[42\] 10\.0\.0\.1:40000 -> 10\.0\.0\.2:443 evil\?\[2J\.example \(Lab, FR\)/);
    expect(h.lines()[1]).not.toContain('\u001b');
  });

  it('escapes U+2028, U+2029 and U+0085 in --json lines: line splitters see one message per event', async () => {
    const h = harness({ json: true, count: 1 });
    await h.started();
    const host = 'a\u2028{"type":"connection","forged":true}\u2029b\u0085c.example';
    h.engine().emit(connection({ remote: { ...connection().remote, host }, process: { ...connection().process!, cmdline: 'x\u2028y' } }));
    await h.run;
    const out = h.lines().join('\n');
    expect(out).not.toMatch(/[\u0085\u2028\u2029]/);
    // Split as Python's str.splitlines() and ES5-era readers would, besides on \n.
    const pieces = out.split(/[\n\u0085\u2028\u2029]/);
    expect(pieces).toHaveLength(2);
    const event = JSON.parse(pieces[1] ?? '') as { remote: { host: string }; process: { cmdline: string } };
    expect(event.remote.host).toBe(host);
    expect(event.process.cmdline).toBe('x\u2028y');
  });

  it('replaces bidi controls in text mode (a right-to-left override would reorder the line)', () => {
    const hostile = '\u202emoc.knab\u2066\u2069\u200e\u200f\u061c';
    const line = formatEvent(connection({ remote: { ...connection().remote, host: hostile }, process: { ...connection().process!, name: hostile } }));
    expect(line).not.toMatch(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(line).toContain('?moc.knab?????');
  });

  it('names the app after the process in text mode when it says more than the process name', () => {
    const process = connection().process!;
    const container = formatEvent(connection({ process: { ...process, name: 'curl', pid: 9, app: { kind: 'container', id: 'a3f9c2e1b4d5', runtime: 'docker' } } }));
    expect(container).toContain(' curl[9] <container a3f9c2e1b4d5> ');
    const named = formatEvent(connection({ process: { ...process, name: 'firefox-bin', pid: 9, app: { kind: 'flatpak', id: 'org.mozilla.firefox', name: 'Firefox\u202e Web' } } }));
    expect(named).toContain(' firefox-bin[9] <Firefox? Web> ');
    const same = formatEvent(connection({ process: { ...process, name: 'curl', pid: 9, app: { kind: 'executable', id: 'curl' } } }));
    expect(same).toContain(' curl[9] 10.');
  });

  it('formats IPv6 endpoints and counters in text mode', () => {
    const line = formatEvent(connection({ event: 'update', family: 6, local: { ip: 'fd00::1', port: 1 }, remote: { ...connection().remote, ip: 'fd00::2', geo: null }, txBytes: 1500, rxBytes: 12 }));
    expect(line).toMatch(/\[fd00::1\]:1 -> \[fd00::2\]:443 example\.org \(lan\) {2}up 1\.5 kB down 12 B/);
  });
});
