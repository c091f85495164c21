import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseCaptureSource } from '../../../src/core/capture/choose-source.js';
import { FallbackSource } from '../../../src/core/capture/fallback-source.js';
import { HelperSource } from '../../../src/core/capture/helper-source.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { RecordingSink } from './recording-sink.js';

const fixture = fileURLToPath(new URL('./fixtures/fake-helper.mjs', import.meta.url));

describe('capture source choice', () => {
  it('falls back to /proc when the helper is refused, and says why first in limitations', async () => {
    const reasons: string[] = [];
    const source = new FallbackSource(
      new HelperSource({ command: [process.execPath, fixture, 'refused'] }),
      new ProcSource({ intervalMs: 1000 }),
      (reason) => reasons.push(reason),
    );
    const hello = await source.start(new RecordingSink());
    await source.stop();
    expect(hello.capture).toBe('proc');
    expect(source.kind).toBe('proc');
    expect(hello.limitations[0]).toMatch(/^eBPF capture unavailable: .*126/);
    expect(reasons).toHaveLength(1);
  });

  it('keeps the helper when it starts', async () => {
    const source = new FallbackSource(new HelperSource({ command: [process.execPath, fixture, 'good'] }), new ProcSource());
    const hello = await source.start(new RecordingSink());
    await source.stop();
    expect(hello.capture).toBe('ebpf');
    expect(source.kind).toBe('ebpf');
  });

  it('uses /proc for a user who did not ask for sudo, the helper otherwise', () => {
    expect(chooseCaptureSource({ isRoot: false, sudo: false })).toBeInstanceOf(ProcSource);
    expect(chooseCaptureSource({ isRoot: true, sudo: false })).toBeInstanceOf(FallbackSource);
    expect(chooseCaptureSource({ isRoot: false, sudo: true })).toBeInstanceOf(FallbackSource);
  });
});
