// watch --metrics / --otlp wiring: the endpoint is up before capture starts, its URL goes to
// stderr, it serves the engine's events, it is gone after exit; an address in use is exit 1.

import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WatchOptions } from '../../../src/cli/args.js';
import { runWatch } from '../../../src/cli/watch.js';
import type { EngineOptions } from '../../../src/core/engine-types.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { FakeEngine, connection } from './fake-engine.js';
import { capturedStream } from './captured-stream.js';

function harness(options: Partial<WatchOptions>) {
  const err = capturedStream();
  const signals = new EventEmitter();
  let engine: FakeEngine | null = null;
  const run = runWatch(
    { json: true, sudo: false, ...options },
    {
      createEngine: (engineOptions: EngineOptions) => (engine = new FakeEngine(engineOptions)),
      createSource: () => new ProcSource(),
      stdout: new PassThrough(),
      stderr: err.stream,
      signals: signals as unknown as { on: () => void; off: () => void },
    },
  );
  return { run, signals, err: err.text, engine: () => engine as unknown as FakeEngine };
}

async function until<T>(what: () => T | undefined): Promise<T> {
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    await new Promise((r) => setImmediate(r));
  }
}

describe('watch exporters', () => {
  it('serves --metrics while running and stops it at exit', async () => {
    const h = harness({ metrics: { host: '127.0.0.1', port: 0 }, otlp: 'http://127.0.0.1:9/v1/logs' });
    const url = await until(() => /metrics on (\S+)/.exec(h.err())?.[1]);
    await until(() => (h.err().includes('OTLP log records to http://127.0.0.1:9/v1/logs') ? true : undefined));
    h.engine().emit(connection({ id: 'a', txBytes: 12 }));
    expect(await (await fetch(url)).text()).toContain('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="FR",scope="lan"} 12');
    h.signals.emit('SIGINT');
    expect(await h.run).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('exits 1 without starting capture when the metrics address is taken', async () => {
    const first = harness({ metrics: { host: '127.0.0.1', port: 0 } });
    const url = await until(() => /metrics on (\S+)/.exec(first.err())?.[1]);
    const second = harness({ metrics: { host: '127.0.0.1', port: Number(new URL(url).port) } });
    expect(await second.run).toBe(1);
    expect(second.err()).toMatch(/cannot export: .*EADDRINUSE/);
    expect(second.engine().started).toBe(0);
    first.signals.emit('SIGINT');
    await first.run;
  });
});
