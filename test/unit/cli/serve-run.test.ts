import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runServe } from '../../../src/cli/serve.js';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { FakeEngine, FakePublisher } from './fake-engine.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('runServe', () => {
  it('prints the URL as the first line, reports proc mode in the status, and shuts down on SIGINT', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'sm-config-'));
    dirs.push(configDir);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const signals = new EventEmitter();
    const engine = new FakeEngine();
    const publisher = new FakePublisher();
    const run = runServe(
      { port: 0, sudo: false, home: { lat: 10, lon: 20 } },
      {
        createEngine: () => engine,
        createPublisher: () => publisher,
        createSource: () => new ProcSource(),
        stdout,
        stderr,
        signals: signals as unknown as { on: () => void; off: () => void },
        configDir,
        rendererRoot: join(configDir, 'none'),
        note: 'desktop needs Electron',
      },
    );
    for (let i = 0; i < 200 && !out.includes('\n'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(out.split('\n')[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    expect(err).toContain('desktop needs Electron');
    expect(publisher.status).toMatchObject({ capture: 'proc', paused: false, banner: { kind: 'warning', canRetry: false } });
    expect(publisher.status.banner?.message).toMatch(/Not running as root/);
    signals.emit('SIGINT');
    await expect(run).resolves.toBe(0);
    expect(engine.stopped).toBe(1);
    expect(publisher.disposed).toBe(1);
  });
});
