// Web transport behaviour beyond the shared contract: reconnect with backoff and a snapshot resync,
// no hanging calls, malformed frames dropped and reported, the token sent as the first frame (never
// in a URL) and taken from the page's fragment into sessionStorage.

import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/wait-for.js';
import { WebSocketServer } from 'ws';
import type { Delta } from '../../src/shared/api.js';
import { takePageToken } from '../../src/web-transport/page-token.js';
import { socketUrl } from '../../src/web-transport/socket-url.js';
import { parseWebMessage } from '../../src/web-transport/parse-message.js';
import type { WebTransport } from '../../src/web-transport/web-transport.js';
import { connection, createFakeBackend, snapshot } from './fakes/fake-backend.js';
import { startWebServer, webTransport, type WebServer } from './fakes/transports.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function collect(api: WebTransport): Delta[] {
  const deltas: Delta[] = [];
  api.onDelta((delta) => deltas.push(delta));
  return deltas;
}

const until = (check: () => boolean, what: string): Promise<boolean> => waitFor(check, { what, timeout: 5000 });

describe('socketUrl', () => {
  it('follows the page scheme and carries no token', () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8123' })).toBe('ws://127.0.0.1:8123/api/live');
    expect(socketUrl({ protocol: 'https:', host: 'localhost:9' })).toBe('wss://localhost:9/api/live');
  });
});

describe('takePageToken', () => {
  function page(hash: string, stored: string | null = null) {
    const storage = new Map<string, string>(stored === null ? [] : [['snitchmap.token', stored]]);
    const replaced: string[] = [];
    return {
      replaced,
      storage,
      state: {
        location: { hash, pathname: '/', search: '' },
        sessionStorage: { getItem: (key: string) => storage.get(key) ?? null, setItem: (key: string, value: string) => void storage.set(key, value) },
        history: { replaceState: (_data: unknown, _unused: string, url?: string | URL | null) => void replaced.push(String(url)) },
      },
    };
  }

  it('moves the fragment token to sessionStorage and out of the address bar', () => {
    const p = page('#token=a-b_c');
    expect(takePageToken(p.state)).toBe('a-b_c');
    expect(p.storage.get('snitchmap.token')).toBe('a-b_c');
    expect(p.replaced).toEqual(['/']);
  });

  it('reads it back after a reload (no fragment), and has none on a bare visit', () => {
    const reloaded = page('', 'kept');
    expect(takePageToken(reloaded.state)).toBe('kept');
    expect(reloaded.replaced).toEqual([]);
    expect(takePageToken(page('').state)).toBeNull();
    expect(takePageToken(page('#other=1').state)).toBeNull();
  });
});

describe('parseWebMessage', () => {
  it('accepts the three message kinds and describes anything else', () => {
    expect(parseWebMessage('{"kind":"result","id":3,"result":null}')).toEqual({ kind: 'result', id: 3, result: null });
    expect(parseWebMessage('{"kind":"error","id":3,"message":"no"}')).toEqual({ kind: 'error', id: 3, message: 'no' });
    expect(parseWebMessage('{"kind":"delta","delta":{"events":[]}}')).toEqual({ kind: 'delta', delta: { events: [] } });
    for (const junk of ['', 'null', '[1]', '{"kind":"result"}', '{"kind":"delta","delta":{}}', '{"kind":"evil","id":1}', '\u0000{']) {
      expect(typeof parseWebMessage(junk)).toBe('string');
    }
    expect(typeof parseWebMessage(Buffer.from('{}'))).toBe('string');
  });
});

describe('web transport against a real ws server', () => {
  it('reconnects after the server drops it, then resyncs from a fresh snapshot', async () => {
    const backend = createFakeBackend();
    const server = await startWebServer(backend);
    cleanups.push(() => server.close());
    const api = webTransport(server.url);
    cleanups.push(() => api.close());
    const deltas = collect(api);
    await api.getSnapshot();

    backend.current = snapshot([connection('after-reconnect')]);
    server.dropClients();
    await until(() => deltas.some((delta) => delta.cleared === true), 'the resync delta');

    const lost = deltas.find((delta) => delta.status?.banner?.message.includes('reconnecting'));
    expect(lost?.status?.banner?.kind).toBe('error');
    const resync = deltas.find((delta) => delta.cleared === true);
    expect(resync?.events.map((event) => event.id)).toEqual(['after-reconnect']);
    expect(resync?.status?.banner).toBeNull();
    expect(resync?.hello?.type).toBe('hello');
    // Calls work again on the new socket.
    await expect(api.getSnapshot()).resolves.toMatchObject({ connections: [{ id: 'after-reconnect' }] });
  });

  it('keeps retrying with backoff while the server is down and recovers when it returns', async () => {
    const backend = createFakeBackend();
    let server: WebServer = await startWebServer(backend);
    const port = server.port;
    const api = webTransport(server.url);
    cleanups.push(() => api.close());
    const deltas = collect(api);
    await api.getSnapshot();
    await server.close();
    await until(() => deltas.some((delta) => delta.status?.banner !== undefined && delta.status?.banner !== null), 'the lost banner');
    await expect(api.pause()).rejects.toThrow(/lost|no answer/);
    server = await startWebServer(backend, port);
    cleanups.push(() => server.close());
    await until(() => deltas.some((delta) => delta.cleared === true), 'the resync after restart');
    backend.calls.length = 0;
    await api.pause();
    expect(backend.calls).toEqual(['pause']);
  });

  it('rejects a call the server never answers instead of hanging', async () => {
    const silent = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/api/live' });
    await new Promise<void>((resolve) => silent.once('listening', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const address = silent.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const api = webTransport(`ws://127.0.0.1:${port}/api/live`, { requestTimeoutMs: 200 });
    cleanups.push(() => api.close());
    await expect(api.getSnapshot()).rejects.toThrow(/getSnapshot: no answer .* within 200 ms/);
  });

  it('drops and reports malformed frames, and keeps working', async () => {
    const backend = createFakeBackend();
    const server = await startWebServer(backend);
    cleanups.push(() => server.close());
    const problems: string[] = [];
    const api = webTransport(server.url, { onProtocolError: (message) => problems.push(message) });
    cleanups.push(() => api.close());
    await api.getSnapshot();
    for (const client of server.server.clients) {
      client.send('not json');
      client.send('{"kind":"delta","delta":"<img src=x onerror=alert(1)>"}');
    }
    await until(() => problems.length === 2, 'two protocol errors');
    await expect(api.getSettings()).resolves.toMatchObject({ home: null });
  });

  it('says so when it never reached a server (page not opened from serve\'s address)', async () => {
    const server = await startWebServer(createFakeBackend());
    await server.close();
    const api = webTransport(server.url);
    cleanups.push(() => api.close());
    await expect(api.getSnapshot()).rejects.toThrow(/cannot reach snitchmap serve \(open the address it printed/);
  });

  it('sends the token first and fails calls (no hang) when the server refuses it', async () => {
    const server = await startWebServer(createFakeBackend());
    cleanups.push(() => server.close());
    const frames: string[] = [];
    server.server.on('connection', (socket) => socket.on('message', (data) => frames.push(String(data))));
    const api = webTransport(server.url, { token: 'stale-token-of-an-earlier-run', requestTimeoutMs: 2000 });
    cleanups.push(() => api.close());
    await expect(api.getSnapshot()).rejects.toThrow(/cannot reach snitchmap serve \(open the address it printed/);
    // Only auth frames (one per reconnect attempt): the request itself never left the page.
    expect(frames.length).toBeGreaterThan(0);
    expect(new Set(frames)).toEqual(new Set([JSON.stringify({ kind: 'auth', token: 'stale-token-of-an-earlier-run' })]));
  });

  it('rejects calls after close()', async () => {
    const backend = createFakeBackend();
    const server = await startWebServer(backend);
    cleanups.push(() => server.close());
    const api = webTransport(server.url);
    await api.getSnapshot();
    api.close();
    await expect(api.clear()).rejects.toThrow(/closed/);
  });
});
