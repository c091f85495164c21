import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/serve.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { createServer } from 'node:net';
import { WebSocket } from 'ws';
import type { CaptureSource } from '../../../src/core/capture/source.js';
import { HelperFailure } from '../../../src/core/capture/helper-source.js';
import type { EngineOptions } from '../../../src/core/engine-types.js';
import type { WebMessage } from '../../../src/shared/web-protocol.js';
import { unprivilegedElevation } from '../../../src/core/app/cli-elevation.js';
import { DyingSource, FakeEngine, FakePublisher, fakeElevation } from './fake-engine.js';
import { waitFor } from '../../support/wait-for.js';
import { capturedStream } from './captured-stream.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function serve(source: CaptureSource, port = 0) {
  const configDir = mkdtempSync(join(tmpdir(), 'sm-config-'));
  dirs.push(configDir);
  const out = capturedStream();
  const err = capturedStream();
  const signals = new EventEmitter();
  const publisher = new FakePublisher();
  const run = runServe(
    { port, sudo: false },
    {
      createEngine: (options: EngineOptions) => new FakeEngine(options),
      createPublisher: () => publisher,
      elevation: fakeElevation(source),
      stdout: out.stream,
      stderr: err.stream,
      signals: signals as unknown as { on: () => void; off: () => void },
      configDir,
      rendererRoot: join(configDir, 'none'),
    },
  );
  const url = async (): Promise<string> => {
    await waitFor(() => out.text().includes('\n'), { what: 'serve to print its URL' });
    return out.text().split('\n')[0] ?? '';
  };
  return { run, signals, publisher, url, err: err.text };
}

function call(url: string, method: string): Promise<WebMessage> {
  const { port, hash } = new URL(url);
  const token = new URLSearchParams(hash.slice(1)).get('token') ?? '';
  const ws = new WebSocket(`ws://127.0.0.1:${port}/api/live`, { headers: { Origin: `http://127.0.0.1:${port}` } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => ws.send(JSON.stringify({ kind: 'auth', token })));
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as WebMessage;
      if (message.kind === 'ready') return void ws.send(JSON.stringify({ id: 1, method, params: [] }));
      if (message.kind === 'delta') return; // status changes the retry itself causes
      resolve(message);
      ws.close();
    });
    ws.once('error', reject);
  });
}

describe('runServe', () => {
  it('falls back to /proc with a retryable error banner when the helper dies, and retryCapture restarts it', async () => {
    const source = new DyingSource();
    const s = serve(source);
    const url = await s.url();
    expect(s.publisher.status).toMatchObject({ capture: 'ebpf', banner: null });
    // The supervisor falls back asynchronously (stop the session, start /proc): wait for its status.
    const changed = new Promise<void>((resolve) => {
      const poll = (): void => void (s.publisher.status.capture === 'proc' ? resolve() : setImmediate(poll));
      poll();
    });
    source.sink?.failed(new HelperFailure('the capture helper exited with code 3', 'exited', 3));
    await changed;
    expect(s.publisher.status).toMatchObject({ capture: 'proc', banner: { kind: 'error', canRetry: true } });
    expect(s.publisher.status.banner?.message).toMatch(/capture helper stopped: the capture helper exited with code 3\. /);
    expect(await call(url, 'retryCapture')).toEqual({ kind: 'result', id: 1, result: null });
    expect(source.starts).toBe(2);
    expect(s.publisher.status).toMatchObject({ capture: 'ebpf', banner: null });
    s.signals.emit('SIGTERM');
    await expect(s.run).resolves.toBe(0);
  });

  it('exits 1 with a clear message when the port is taken, and stops the capture', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const source = new DyingSource();
    const s = serve(source, port);
    await expect(s.run).resolves.toBe(1);
    expect(s.err()).toMatch(/cannot serve: .*EADDRINUSE/);
    blocker.close();
  });

  it('retryCapture while the capture runs starts a fresh session over the same elevation', async () => {
    const source = new DyingSource();
    const s = serve(source);
    const reply = await call(await s.url(), 'retryCapture');
    expect(reply).toEqual({ kind: 'result', id: 1, result: null });
    expect(source.starts).toBe(2);
    s.signals.emit('SIGINT');
    await expect(s.run).resolves.toBe(0);
  });

  it('prints the URL as the first line, reports proc mode in the status, and shuts down on SIGINT', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'sm-config-'));
    dirs.push(configDir);
    const out = capturedStream();
    const err = capturedStream();
    const signals = new EventEmitter();
    let engine = new FakeEngine();
    const publisher = new FakePublisher();
    const run = runServe(
      { port: 0, sudo: false, home: { lat: 10, lon: 20 } },
      {
        createEngine: (options: EngineOptions) => (engine = new FakeEngine(options)),
        createPublisher: () => publisher,
        elevation: unprivilegedElevation('serve'),
        procSource: () => new ProcSource(),
        stdout: out.stream,
        stderr: err.stream,
        signals: signals as unknown as { on: () => void; off: () => void },
        configDir,
        rendererRoot: join(configDir, 'none'),
      },
    );
    await waitFor(() => out.text().includes('\n'), { what: 'serve to print its URL' });
    expect(out.text().split('\n')[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
    expect(publisher.status).toMatchObject({ capture: 'proc', paused: false, banner: { kind: 'warning', canRetry: false } });
    expect(publisher.status.banner?.message).toMatch(/Not running as root/);
    signals.emit('SIGINT');
    await expect(run).resolves.toBe(0);
    expect(engine.stopped).toBe(1);
    expect(publisher.disposed).toBe(1);
  });
});

describe('serve --fleet --fleet-homes', () => {
  it('refuses to start on a homes file it cannot use, naming it without quoting it, and starts nothing', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'sm-config-'));
    dirs.push(configDir);
    const homes = join(configDir, 'homes.json');
    writeFileSync(homes, '{"SECRET-HOMES": true}');
    const out = capturedStream();
    const err = capturedStream();
    const code = await runServe(
      // Port 9 on loopback: nothing answers, and nothing may be asked before the file is read.
      { port: 0, sudo: false, fleet: 'http://127.0.0.1:9/', fleetHomes: homes },
      {
        createEngine: () => {
          throw new Error('fleet mode starts no engine');
        },
        createPublisher: () => {
          throw new Error('fleet mode starts no engine publisher');
        },
        elevation: unprivilegedElevation('serve'),
        stdout: out.stream,
        stderr: err.stream,
        signals: new EventEmitter() as unknown as { on: () => void; off: () => void },
        configDir,
        rendererRoot: join(configDir, 'none'),
      },
    );
    expect(code).toBe(1);
    expect(out.text()).toBe('');
    expect(err.text()).toContain(`${homes}: expected a JSON array`);
    expect(err.text()).not.toContain('SECRET');
  });
});
