// The one fallback policy (ElevatedSource) with each CLI and desktop elevation, against a fake
// helper process (HelperSource over test/unit/capture/fixtures/fake-helper.mjs).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rootElevation, sudoElevation, unprivilegedElevation } from '../../../src/core/app/cli-elevation.js';
import { ElevatedSource } from '../../../src/core/app/elevated-source.js';
import { fallbackBanner, type Elevation } from '../../../src/core/app/elevation.js';
import { classifyPkexec } from '../../../src/core/app/pkexec-elevation.js';
import { HelperFailure, HelperSource } from '../../../src/core/capture/helper-source.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { RecordingSink } from '../capture/recording-sink.js';

const fixture = fileURLToPath(new URL('../capture/fixtures/fake-helper.mjs', import.meta.url));

function fakeHelper(mode: string): HelperSource {
  return new HelperSource({ command: [process.execPath, fixture, mode], helloTimeoutMs: 5000 });
}

/** A pkexec-like elevation whose helper is the fake in `mode`. */
function fakeElevation(mode: string): Elevation {
  return { waiting: null, procMode: 'proc mode.', preflight: () => null, helperSource: () => fakeHelper(mode), classify: classifyPkexec };
}

async function startStop(source: ElevatedSource) {
  const hello = await source.start(new RecordingSink());
  await source.stop();
  return hello;
}

describe('ElevatedSource (the capture fallback policy)', () => {
  it('falls back to /proc when the helper is refused, says why (from the code) first in limitations, and warns', async () => {
    const warnings: string[] = [];
    const source = new ElevatedSource(fakeElevation('refused'), () => new ProcSource({ intervalMs: 1000 }), (w) => warnings.push(w));
    const hello = await startStop(source);
    expect(hello.capture).toBe('proc');
    expect(source.kind).toBe('proc');
    expect(source.failure).toEqual({ code: 'dismissed', detail: '' });
    expect(hello.limitations[0]).toBe('eBPF capture unavailable: Authentication was cancelled.');
    expect(warnings).toEqual(['falling back to /proc capture: Authentication was cancelled.']);
  });

  it("carries the helper's own error code to the banner", async () => {
    const source = new ElevatedSource(fakeElevation('fatal'), () => new ProcSource({ intervalMs: 1000 }));
    const hello = await startStop(source);
    expect(source.failure?.code).toBe('no-privilege');
    expect(hello.limitations[0]).toMatch(/^eBPF capture unavailable: The capture helper failed to start: it lacks the privileges .*missing CAP_BPF/);
    expect(fallbackBanner(source.failure!, { procMode: 'proc mode.' }, true)).toMatchObject({ kind: 'error', canRetry: true });
  });

  it('keeps the helper when it starts', async () => {
    const source = new ElevatedSource(fakeElevation('good'), () => new ProcSource());
    const hello = await startStop(source);
    expect(hello.capture).toBe('ebpf');
    expect(source.kind).toBe('ebpf');
    expect(source.failure).toBeNull();
  });

  it('uses /proc without a fallback note for a user who did not ask for sudo', async () => {
    const source = new ElevatedSource(unprivilegedElevation('watch'), () => new ProcSource({ intervalMs: 1000 }));
    const hello = await startStop(source);
    expect(hello.capture).toBe('proc');
    expect(hello.limitations.join(' ')).not.toMatch(/eBPF capture unavailable/);
    expect(source.failure?.code).toBe('not-root');
  });

  it('classifies by typed fields only: sudo -n refusing, pkexec 126/127/ENOENT, a helper code', () => {
    const sudo = sudoElevation('watch');
    expect(sudo.classify(new HelperFailure('the capture helper exited with code 1', 'exited', 1, 'sudo: a password is required\n'))).toEqual({
      code: 'sudo-refused',
      detail: 'sudo: a password is required',
    });
    expect(sudo.classify(new HelperFailure('x', 'no-btf', 1)).code).toBe('no-btf');
    expect(classifyPkexec(new HelperFailure('exited with code 126', 'exited', 126)).code).toBe('dismissed');
    expect(classifyPkexec(new HelperFailure('x', 'exited', 127)).code).toBe('not-authorized');
    expect(classifyPkexec(new HelperFailure('x', 'exited', 127, 'Error executing command as another user: No authentication agent found.')).code).toBe('no-agent');
    expect(classifyPkexec(new HelperFailure('spawn pkexec ENOENT', 'spawn-failed', null, '', 'ENOENT')).code).toBe('pkexec-missing');
    // A message that merely mentions a status is not a status.
    expect(classifyPkexec(new HelperFailure('the capture helper failed: exit status 126', 'attach-failed', 1)).code).toBe('attach-failed');
    expect(classifyPkexec(new Error('spawn ENOENT')).code).toBe('internal');
  });

  it('root: the pre-spawned helper serves the first start; after the drop a retry falls back to /proc with root-dropped', async () => {
    const helper = fakeHelper('good');
    helper.spawn();
    const elevation = rootElevation('serve', helper, () => false);
    const first = new ElevatedSource(elevation, () => new ProcSource({ intervalMs: 1000 }));
    expect((await startStop(first)).capture).toBe('ebpf');
    const retry = new ElevatedSource(elevation, () => new ProcSource({ intervalMs: 1000 }));
    const hello = await startStop(retry);
    expect(hello.capture).toBe('proc');
    expect(retry.failure?.code).toBe('root-dropped');
    expect(fallbackBanner(retry.failure!, elevation, true).message).toMatch(/cannot be started again: snitchmap gave up root.*sudo snitchmap serve/);
  });
});
