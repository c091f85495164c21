import { createHistoryApi } from '../../../src/core/history/api.js';
import { disabledHistory } from '../../../src/core/history/history.js';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { ApiBackend } from '../../../src/cli/serve/live-api.js';
import { CONTENT_SECURITY_POLICY } from '../../../src/cli/serve/security.js';
import { startServer, type RunningServer } from '../../../src/cli/serve/server.js';
import { DEFAULT_SETTINGS } from '../../../src/shared/settings.js';
import { WEB_CLOSE_UNAUTHORIZED, type WebMessage } from '../../../src/shared/web-protocol.js';
import { FakePublisher } from './fake-engine.js';

const TOKEN = 'test-token-0123456789';
let root: string;
let server: RunningServer;
const publisher = new FakePublisher();
let pauses = 0;

const backend: ApiBackend = {
  getSnapshot: async () => publisher.snapshot(),
  pause: async () => void pauses++,
  resume: async () => undefined,
  clear: async () => undefined,
  getSettings: async () => DEFAULT_SETTINGS,
  updateSettings: async () => {
    throw new Error('home.lat must be a number between -90 and 90');
  },
  retryCapture: async () => undefined,
  ...createHistoryApi(() => disabledHistory(null, 'history is off')),
};

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(path: string, headers: Record<string, string> = {}, method = 'GET', port = server.port, host = '127.0.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function openSocket(headers: Record<string, string>, path = '/api/live'): Promise<WebSocket | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve(-1));
  });
}

const origin = () => `http://127.0.0.1:${server.port}`;

/** Resolves with the first message matching `predicate`, as soon as it arrives. */
function waitFor(messages: WebMessage[], predicate: (m: WebMessage) => boolean, ms = 2000): Promise<WebMessage> {
  return vi.waitFor(() => {
    const found = messages.find(predicate);
    if (!found) throw new Error('no such message yet');
    return found;
  }, { timeout: ms, interval: 5 });
}

/** Opens the live socket from the page's Origin and sends `first` as its first frame. */
async function socketAfter(first: string): Promise<{ ws: WebSocket; messages: WebMessage[]; closed: Promise<number> }> {
  const ws = await openSocket({ Origin: origin() });
  if (typeof ws === 'number') throw new Error(`socket refused: ${ws}`);
  const messages: WebMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString()) as WebMessage));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.send(first);
  return { ws, messages, closed };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sm-renderer-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>snitchmap</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(root, '..', 'secret.txt'), 'nope');
  server = await startServer({ port: 0, token: TOKEN, rendererRoot: root, backend, onDelta: (l) => publisher.onDelta(l) });
});

afterAll(async () => {
  await server.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(join(root, '..', 'secret.txt'), { force: true });
});

describe('snitchmap serve security', () => {
  it('binds 127.0.0.1 only and prints the token in the URL fragment, which browsers never send', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
    // 127.0.0.2 is loopback too, but not the bound address: refused.
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(server.port, '127.0.0.2');
      socket.once('connect', () => (socket.destroy(), resolve(false)));
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });

  it('never sets a cookie (cookies ignore ports) and never redirects (no open redirect)', async () => {
    for (const path of ['/', `/?token=${TOKEN}`, `//evil.example/?token=${TOKEN}`, `/%2F%2Fevil.example?token=${TOKEN}`, '/assets/app.js']) {
      const reply = await get(path);
      expect(reply.headers['set-cookie'], path).toBeUndefined();
      expect(reply.headers.location, path).toBeUndefined();
      expect([200, 404], path).toContain(reply.status);
    }
  });

  it('serves the renderer (no secret in it) with CSP and hardening headers', async () => {
    const reply = await get('/');
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>snitchmap</title>');
    expect(reply.body).not.toContain(TOKEN);
    expect(reply.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
    expect(reply.headers['x-frame-options']).toBe('DENY');
    expect(reply.headers['referrer-policy']).toBe('no-referrer');
    const script = await get('/assets/app.js');
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('refuses foreign Host headers (DNS rebinding) even with the token', async () => {
    for (const host of ['evil.example', `evil.example:${0}`, `127.0.0.1.nip.io:${0}`, '127.0.0.1']) {
      const reply = await get('/', { Host: host.replace(':0', `:${server.port}`) });
      expect(reply.status, host).toBe(403);
    }
    expect((await get('/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('refuses foreign Origins', async () => {
    expect((await get('/', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await get('/', { Origin: `http://127.0.0.1:${server.port + 1}` })).status).toBe(403);
    expect((await get('/', { Origin: origin() })).status).toBe(200);
  });

  it('allows only GET and HEAD, keeps paths inside the renderer, 404s the rest', async () => {
    expect((await get('/', {}, 'POST')).status).toBe(405);
    expect((await get('/', {}, 'HEAD')).status).toBe(200);
    expect((await get('/../secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/assets/%2e%2e%2f..%2fsecret.txt')).status).toBe(404);
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/%zz')).status).toBe(404);
  });

  it('refuses the WebSocket upgrade from a foreign or missing Origin, or on another path', async () => {
    expect(await openSocket({ Origin: 'http://evil.example' })).toBe(403);
    expect(await openSocket({})).toBe(403);
    expect(await openSocket({ Origin: origin() }, '/api/other')).toBe(404);
  });

  it('closes a socket whose first frame is not the right token, without answering anything', async () => {
    const before = pauses;
    for (const first of [JSON.stringify({ kind: 'auth', token: 'wrong' }), JSON.stringify({ id: 1, method: 'pause', params: [] }), 'junk']) {
      const { messages, closed } = await socketAfter(first);
      expect(await closed, first).toBe(WEB_CLOSE_UNAUTHORIZED);
      expect(messages, first).toEqual([]);
    }
    expect(pauses).toBe(before);
  });

  it('sends no deltas to a socket that has not authenticated', async () => {
    const ws = await openSocket({ Origin: origin() });
    if (typeof ws === 'number') throw new Error(`socket refused: ${ws}`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(data.toString()));
    const { ws: other, messages: seen } = await socketAfter(JSON.stringify({ kind: 'auth', token: TOKEN }));
    await waitFor(seen, (m) => m.kind === 'ready');
    publisher.publish({ events: [], cleared: true });
    await waitFor(seen, (m) => m.kind === 'delta');
    expect(messages).toEqual([]);
    ws.close();
    other.close();
  });

  it('answers API calls and streams deltas once the token was the first frame', async () => {
    const { ws, messages } = await socketAfter(JSON.stringify({ kind: 'auth', token: TOKEN }));
    expect(await waitFor(messages, (m) => m.kind === 'ready')).toEqual({ kind: 'ready' });
    const before = pauses;
    ws.send(JSON.stringify({ id: 1, method: 'getSnapshot', params: [] }));
    ws.send(JSON.stringify({ id: 2, method: 'pause', params: [] }));
    ws.send(JSON.stringify({ id: 3, method: 'eval', params: ['x'] }));
    ws.send(JSON.stringify({ id: 4, method: 'updateSettings', params: [{ home: { lat: 99 } }] }));
    ws.send('junk');
    const snapshot = await waitFor(messages, (m) => m.kind === 'result' && m.id === 1);
    expect(snapshot).toMatchObject({ result: { hello: { type: 'hello' }, connections: [{ id: 'c1' }] } });
    expect(await waitFor(messages, (m) => m.kind === 'result' && m.id === 2)).toEqual({ kind: 'result', id: 2, result: null });
    expect(pauses).toBe(before + 1);
    expect(await waitFor(messages, (m) => m.kind === 'error' && m.id === 3)).toMatchObject({ message: 'unknown method' });
    expect(await waitFor(messages, (m) => m.kind === 'error' && m.id === 4)).toMatchObject({ message: /home\.lat/ });
    publisher.publish({ events: [], cleared: true });
    expect(await waitFor(messages, (m) => m.kind === 'delta')).toEqual({ kind: 'delta', delta: { events: [], cleared: true } });
    ws.close();
  });
});

describe('snitchmap serve without a built renderer', () => {
  it('answers 503 with a plain-text explanation', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sm-empty-'));
    const bare = await startServer({ port: 0, token: TOKEN, rendererRoot: empty, backend, onDelta: () => () => undefined });
    try {
      const reply = await new Promise<Reply>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: bare.port, path: '/', headers: { Host: `127.0.0.1:${bare.port}` } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
      expect(reply.status).toBe(503);
      expect(reply.headers['content-type']).toMatch(/^text\/plain/);
      expect(reply.body).toMatch(/web UI is not built.*index\.html is missing/);
    } finally {
      await bare.close();
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
