import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { helperCommand } from '../../../src/core/capture/helper-command.js';
import { HelperFailure, HelperSource } from '../../../src/core/capture/helper-source.js';
import { RecordingSink, until } from './recording-sink.js';

const fixture = fileURLToPath(new URL('./fixtures/fake-helper.mjs', import.meta.url));

function source(mode: string, warnings: string[] = []): HelperSource {
  return new HelperSource({ command: [process.execPath, fixture, mode], onWarning: (w) => warnings.push(w), helloTimeoutMs: 5000 });
}

describe('HelperSource', () => {
  it('resolves start with the hello and forwards batches to the sink', async () => {
    const sink = new RecordingSink();
    const helper = source('good');
    const hello = await helper.start(sink);
    expect(hello).toEqual({ capture: 'ebpf', probes: expect.objectContaining({ tc: 'tcx', accept: null }), limitations: ['no accept'], kernel: 'k' });
    await until(() => sink.statsSeen.length > 0);
    expect(sink.flowBatches[0]?.[0]).toMatchObject({ remoteIp: '10.0.0.2', txBytes: 1 });
    await helper.pause();
    await helper.resume();
    await helper.stop();
    expect(sink.failures).toEqual([]);
  });

  it('counts junk, unknown message types and malformed batches instead of failing', async () => {
    const sink = new RecordingSink();
    const warnings: string[] = [];
    const helper = source('noisy', warnings);
    await helper.start(sink);
    await until(() => sink.statsSeen.length > 0);
    expect(helper.protocolErrors).toBe(3);
    expect(sink.statsSeen[0]?.parseErrors).toBe(3);
    expect(warnings.join('\n')).toMatch(/unknown helper message 'telemetry'/);
    await helper.stop();
  });

  it('rejects start with a typed failure: exit status and stderr when elevation is refused', async () => {
    const error = await source('refused').start(new RecordingSink()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HelperFailure);
    expect(error).toMatchObject({ code: 'exited', exitCode: 126 });
    expect((error as HelperFailure).stderr).toMatch(/Request dismissed/);
  });

  it("rejects start with the helper's fatal error code and message", async () => {
    const error = await source('fatal').start(new RecordingSink()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'no-privilege', exitCode: 1 });
    expect((error as Error).message).toMatch(/missing CAP_BPF/);
  });

  it('rejects start when the command does not exist, with the spawn errno', async () => {
    const helper = new HelperSource({ command: ['/nonexistent/snitchmap-helper'] });
    const error = await helper.start(new RecordingSink()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'spawn-failed', errno: 'ENOENT' });
    expect((error as Error).message).toMatch(/cannot start the capture helper/);
  });

  it('reports a helper that dies after hello through sink.failed, with its code', async () => {
    const sink = new RecordingSink();
    await source('dies').start(sink);
    await until(() => sink.failures.length > 0);
    expect(sink.failures[0]).toMatchObject({ code: 'exited', exitCode: 3 });
    expect(sink.failures[0]?.message).toMatch(/exited with code 3/);
  });

  it('can be spawned before its sink exists and delivers what the helper said meanwhile', async () => {
    const helper = source('good');
    helper.spawn();
    // The helper says hello and sends records before anyone reads them.
    await until(() => helper.ready);
    const sink = new RecordingSink();
    const hello = await helper.start(sink);
    expect(hello.capture).toBe('ebpf');
    await until(() => sink.flowBatches.length > 0);
    await helper.stop();
  });

  it('kills a helper that ignores shutdown, and stop() is idempotent', async () => {
    const sink = new RecordingSink();
    const helper = source('stubborn');
    await helper.start(sink);
    const started = Date.now();
    await helper.stop();
    await helper.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sink.failures).toEqual([]);
  }, 10_000);

  it('builds the helper command for root, sudo and non-interactive sudo', () => {
    expect(helperCommand('none', '/h.js', '/node')).toEqual(['/node', '/h.js']);
    expect(helperCommand('sudo-noninteractive', '/h.js', '/node')).toEqual(['sudo', '-n', '--', '/node', '/h.js']);
    expect(helperCommand('sudo', '/h.js', '/node')).toEqual(['sudo', '--', '/node', '/h.js']);
    // Electron as Node (the installed CLI): sudo drops ELECTRON_RUN_AS_NODE, so it is set again.
    expect(helperCommand('sudo', '/h.js', '/opt/snitchmap/snitchmap', true))
      .toEqual(['sudo', '--', '/usr/bin/env', 'ELECTRON_RUN_AS_NODE=1', '/opt/snitchmap/snitchmap', '/h.js']);
    expect(helperCommand('none', '/h.js', '/opt/snitchmap/snitchmap', true)).toEqual(['/opt/snitchmap/snitchmap', '/h.js']);
  });
});
