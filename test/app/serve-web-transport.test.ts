// The web transport against the real `snitchmap serve` (built CLI), run as an unprivileged user so
// it captures in /proc mode: the contract over the wire, token and Origin as the browser sends
// them, errors as rejections, and a refused socket (no token) surfacing as a banner, not a hang.
// Needs the built CLI of src/cli (another part of the tree): gated like the kernel tests.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Delta } from '../../src/shared/api.js';
import { socketUrl } from '../../src/web-transport/socket-url.js';
import { createWebTransport, type WebTransport } from '../../src/web-transport/web-transport.js';
import { kernelGate } from '../support/kernel-gate.js';

const gate = kernelGate(['src/cli/serve.ts', 'dist/src/cli/main.js']);

describe.skipIf(gate.skip)('web transport ↔ snitchmap serve', () => {
  const configHome = mkdtempSync(join(tmpdir(), 'snitchmap-serve-'));
  let serve: ChildProcess;
  let page: URL;
  const transports: WebTransport[] = [];

  const connect = (token: string | null, requestTimeoutMs = 5000): WebTransport => {
    const transport = createWebTransport({
      url: socketUrl(page),
      token,
      // What a browser sends on its own: the page's Origin.
      createSocket: (target) => new WebSocket(target, { origin: page.origin }),
      timers: { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) },
      initialBackoffMs: 50,
      maxBackoffMs: 200,
      requestTimeoutMs,
    });
    transports.push(transport);
    return transport;
  };

  beforeAll(async () => {
    chmodSync(configHome, 0o777);
    serve = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'dist/src/cli/main.js', 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CONFIG_HOME: configHome, HOME: configHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const firstLine = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: serve.stdout ?? process.stdin });
      lines.once('line', resolve);
      serve.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    });
    page = new URL(firstLine);
  });

  afterAll(async () => {
    for (const transport of transports) transport.close();
    serve.kill('SIGTERM');
    await new Promise((resolve) => serve.once('exit', resolve));
    rmSync(configHome, { recursive: true, force: true });
  });

  it('speaks the contract: snapshot in /proc mode, pause/resume, settings, errors as rejections', async () => {
    const api = connect(new URLSearchParams(page.hash.slice(1)).get('token'));
    const snapshot = await api.getSnapshot();
    expect(snapshot.hello).toMatchObject({ type: 'hello', version: 1, capture: 'proc' });
    expect(snapshot.status.paused).toBe(false);
    await api.pause();
    expect((await api.getSnapshot()).status.paused).toBe(true);
    await api.resume();
    const settings = await api.updateSettings({ notifications: { newProcess: true, newCountry: false } });
    expect(settings.notifications.newProcess).toBe(true);
    await expect(api.updateSettings({ home: { lat: 500, lon: 0, label: 'x' } })).rejects.toThrow(/lat/);
  });

  it('without the token the socket is refused: listeners get the lost banner and calls fail, nothing hangs', async () => {
    const api = connect(null, 1000);
    const deltas: Delta[] = [];
    api.onDelta((delta) => deltas.push(delta));
    await expect(api.getSnapshot()).rejects.toThrow(/cannot reach snitchmap serve/);
    expect(deltas.some((delta) => delta.status?.banner?.message.includes('reconnecting'))).toBe(true);
  });
});
