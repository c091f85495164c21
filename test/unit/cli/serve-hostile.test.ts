// Requests that used to crash `snitchmap serve` (and the capture with it), sent as raw bytes: a
// request target WHATWG URL refuses, upgrades reset mid-answer, malformed WebSocket frames. After
// each, serve must still answer. Crashes surface here as uncaught errors, which fail the run.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiBackend } from '../../../src/cli/serve/live-api.js';
import { startServer, type RunningServer } from '../../../src/cli/serve/server.js';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.js';
import { stubBackend } from '../../support/stub-backend.js';
import type { WebMessage } from '../../../src/shared/web-protocol.js';
import { FakePublisher } from './fake-engine.js';
import { authFrame, clientFrame, closeCode, rawExchange, upgradeRequest } from './raw-http.js';

const TOKEN = 'hostile-test-token-0123456789';
let root: string;
let server: RunningServer;
const publisher = new FakePublisher();

const backend: ApiBackend = stubBackend(() => publisher.snapshot());

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sm-hostile-'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>snitchmap</title>');
  server = await startServer({ port: 0, token: TOKEN, rendererRoot: root, backend, onDelta: (l) => publisher.onDelta(l) });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
});

const host = (): string => `127.0.0.1:${server.port}`;

/** Status line of a plain GET: proves serve is still alive. */
async function stillServes(): Promise<string> {
  const answer = await rawExchange(server.port, `GET / HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
  return answer.toString('latin1').split('\r\n')[0] ?? '';
}

describe('serve under hostile requests', () => {
  it('answers 400 to request targets URL parsing refuses, on plain requests and upgrades', async () => {
    for (const target of ['//[', '//[::1', 'http://[', '//%']) {
      const plain = await rawExchange(server.port, `GET ${target} HTTP/1.1\r\nHost: ${host()}\r\nConnection: close\r\n\r\n`);
      expect(plain.toString('latin1'), target).toMatch(/^HTTP\/1\.1 400 /);
    }
    const upgrade = await rawExchange(server.port, upgradeRequest('//[', host()));
    expect(upgrade.toString('latin1')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await stillServes()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('survives upgrade requests reset by the client while serve refuses them', async () => {
    const refused = [upgradeRequest('//[', host()), upgradeRequest('/elsewhere', host()), upgradeRequest('/api/live', host(), { origin: null })];
    const closed: Array<Promise<void>> = [];
    for (let round = 0; round < 30; round++) {
      const socket = connect(server.port, '127.0.0.1');
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      socket.on('error', () => undefined);
      socket.once('connect', () => socket.write(refused[round % refused.length] ?? '', () => socket.resetAndDestroy()));
    }
    await Promise.all(closed);
    expect(await stillServes()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('closes only the offending WebSocket on unmasked, oversized or non-UTF-8 frames', async () => {
    const cases = [
      { what: 'unmasked text frame', frame: Buffer.from([0x81, 0x02, 0x68, 0x69]), code: 1002 },
      { what: 'frame announcing 2 MiB', frame: clientFrame(0x2, Buffer.alloc(0), 2 * 1024 * 1024), code: 1009 },
      { what: 'text frame with invalid UTF-8', frame: clientFrame(0x1, Buffer.from([0xc3, 0x28, 0xff])), code: 1007 },
    ];
    for (const { what, frame, code } of cases) {
      for (const authenticated of [false, true]) {
        const prefix = authenticated ? authFrame(TOKEN) : Buffer.alloc(0);
        const answer = await rawExchange(server.port, upgradeRequest('/api/live', host()), Buffer.concat([prefix, frame]));
        expect(answer.toString('latin1'), what).toMatch(/^HTTP\/1\.1 101 /);
        expect(closeCode(answer), what).toBe(code);
      }
    }
    expect(await stillServes()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it('keeps an authenticated client working while another socket sends garbage', async () => {
    const client = new WebSocket(`ws://${host()}/api/live`, { origin: `http://${host()}` });
    const messages: WebMessage[] = [];
    client.on('message', (data) => messages.push(JSON.parse(data.toString()) as WebMessage));
    await new Promise((resolve) => client.once('open', resolve));
    client.send(JSON.stringify({ kind: 'auth', token: TOKEN }));
    await vi.waitFor(() => expect(messages).toContainEqual({ kind: 'ready' }));
    await rawExchange(server.port, upgradeRequest('/api/live', host()), Buffer.from([0x81, 0x02, 0x68, 0x69]));
    client.send(JSON.stringify({ id: 7, method: 'getSettings', params: [] }));
    await vi.waitFor(() => expect(messages).toContainEqual({ kind: 'result', id: 7, result: DEFAULT_SETTINGS }));
    client.close();
  });
});
