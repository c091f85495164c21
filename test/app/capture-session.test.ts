// A session starts engine + publisher over a source and reports the source failing later.

import { describe, expect, it } from 'vitest';
import type { CaptureSink, CaptureSource } from '../../src/core/capture/source.js';
import type { Engine, Publisher } from '../../src/core/engine-types.js';
import { MonitoredSource } from '../../src/core/capture/monitored-source.js';
import { startSession, type SessionParts } from '../../src/core/app/capture-session.js';

function source(startError?: Error): CaptureSource & { sink: CaptureSink | null } {
  const s: CaptureSource & { sink: CaptureSink | null } = {
    kind: 'ebpf',
    sink: null,
    start: async (sink) => {
      if (startError) throw startError;
      s.sink = sink;
      return { capture: 'ebpf', probes: { tc: null, connect: null, accept: null, udp: null, close: null, exec: null, dns: null }, limitations: [], kernel: '6.18' } as never;
    },
    pause: async () => undefined,
    resume: async () => undefined,
    stop: async () => undefined,
  };
  return s;
}

function parts(log: string[]): SessionParts {
  return {
    createEngine: (src) =>
      ({
        start: async () => {
          log.push('engine.start');
          await src.start({ flows: () => undefined, flowEnds: () => undefined, owners: () => undefined, dns: () => undefined, stats: () => undefined, failed: (error) => log.push(`engine saw ${error.message}`) });
          return {} as never;
        },
        stop: async () => void log.push('engine.stop'),
      }) as unknown as Engine,
    createPublisher: () => {
      log.push('publisher');
      return { dispose: () => log.push('publisher.dispose') } as unknown as Publisher;
    },
  };
}

describe('capture session', () => {
  it('creates the publisher before starting (it must see the hello) and reports later failures to both', async () => {
    const log: string[] = [];
    const src = source();
    const failures: string[] = [];
    const session = await startSession(parts(log), src, (error) => failures.push(error.message));
    expect(log).toEqual(['publisher', 'engine.start']);
    src.sink?.failed(new Error('helper exited'));
    expect(log).toContain('engine saw helper exited');
    expect(failures).toEqual(['helper exited']);
    await session.stop();
    expect(log.slice(-2)).toEqual(['publisher.dispose', 'engine.stop']);
  });

  it('releases engine and publisher when start fails, and rethrows', async () => {
    const log: string[] = [];
    await expect(startSession(parts(log), source(new Error('126')), () => undefined)).rejects.toThrow('126');
    expect(log).toEqual(['publisher', 'engine.start', 'publisher.dispose', 'engine.stop']);
  });

  it('the failure observer (MonitoredSource) passes every sink call through unchanged', async () => {
    const seen: string[] = [];
    const inner = source();
    const wrapped = new MonitoredSource(inner, () => seen.push('observer'));
    await wrapped.start({
      flows: (_s, ts) => seen.push(`flows ${ts}`),
      flowEnds: () => seen.push('ends'),
      owners: () => seen.push('owners'),
      dns: () => seen.push('dns'),
      stats: () => seen.push('stats'),
      failed: () => seen.push('failed'),
    });
    inner.sink?.flows([], 7);
    inner.sink?.flowEnds([]);
    inner.sink?.owners([]);
    inner.sink?.dns([]);
    inner.sink?.stats({} as never);
    inner.sink?.failed(new Error('x'));
    expect(seen).toEqual(['flows 7', 'ends', 'owners', 'dns', 'stats', 'failed', 'observer']);
    expect(wrapped.kind).toBe('ebpf');
  });
});
