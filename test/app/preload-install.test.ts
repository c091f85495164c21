// The two entry points that put window.snitchmap in place: the sandboxed preload (through a fake
// contextBridge and ipcRenderer) and the web transport's install module (in a fake browser window
// whose WebSocket is `ws`, against a real server on 127.0.0.1).

import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import type { SnitchmapApi } from '../../src/shared/api.js';
import { createFakeBackend } from './fakes/fake-backend.js';
import { FAKE_TOKEN, startWebServer } from './fakes/transports.js';

// Loaded by path at run time: install.ts is browser code (DOM types), outside the node type-check.
const INSTALL_MODULE = '../../src/web-transport/install.js';

const bridge = vi.hoisted(() => ({ exposed: new Map<string, unknown>(), invoked: [] as string[] }));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => bridge.exposed.set(key, api) },
  ipcRenderer: {
    invoke: async (channel: string, ...args: unknown[]) => {
      bridge.invoked.push(`${channel} ${JSON.stringify(args)}`);
      return channel === 'snitchmap:getSettings' ? { home: null } : undefined;
    },
    on: () => undefined,
    removeListener: () => undefined,
  },
}));

describe('preload', () => {
  it('exposes exactly one global, snitchmap, whose calls go to the contract channels', async () => {
    await import('../../src/preload/index.js');
    expect([...bridge.exposed.keys()]).toEqual(['snitchmap']);
    const api = bridge.exposed.get('snitchmap') as SnitchmapApi;
    expect(Object.keys(api).sort()).toEqual(['clear', 'getHistory', 'getSettings', 'getSnapshot', 'getTimeline', 'onDelta', 'pause', 'resume', 'retryCapture', 'updateSettings']);
    await expect(api.getSettings()).resolves.toEqual({ home: null });
    await api.updateSettings({ home: null });
    expect(bridge.invoked).toEqual(['snitchmap:getSettings []', 'snitchmap:updateSettings [{"home":null}]']);
  });
});

describe('web-transport/install', () => {
  const globals = globalThis as unknown as Record<string, unknown>;
  afterAll(() => {
    delete globals.window;
    delete globals.WebSocket;
  });

  it('installs the WebSocket API when no preload provided one, with the fragment token as first frame', async () => {
    const backend = createFakeBackend();
    const server = await startWebServer(backend);
    const urls: string[] = [];
    const firstFrames: string[] = [];
    server.server.on('connection', (socket, request) => {
      urls.push(request.url ?? '');
      socket.once('message', (data) => firstFrames.push(String(data)));
    });
    globals.WebSocket = WebSocket;
    const stored = new Map<string, string>();
    const addressBar: string[] = [];
    const fakeWindow: Record<string, unknown> = {
      location: { protocol: 'http:', host: `127.0.0.1:${server.port}`, pathname: '/', search: '', hash: `#token=${FAKE_TOKEN}` },
      sessionStorage: { getItem: (key: string) => stored.get(key) ?? null, setItem: (key: string, value: string) => stored.set(key, value) },
      history: { replaceState: (_data: unknown, _unused: string, url: string) => addressBar.push(url) },
      setTimeout,
      clearTimeout,
    };
    globals.window = fakeWindow;
    vi.resetModules();
    await import(INSTALL_MODULE);
    const api = fakeWindow.snitchmap as SnitchmapApi & { close(): void };
    await expect(api.getSnapshot()).resolves.toEqual(backend.current);
    expect(urls).toEqual(['/api/live']);
    expect(firstFrames).toEqual([JSON.stringify({ kind: 'auth', token: FAKE_TOKEN })]);
    expect(addressBar).toEqual(['/']);
    api.close();
    await server.close();
  });

  it('leaves a preload-provided API alone', async () => {
    const existing = { marker: true };
    globals.window = { location: { protocol: 'http:', host: '127.0.0.1:1', pathname: '/', search: '', hash: '' }, snitchmap: existing, setTimeout, clearTimeout };
    vi.resetModules();
    await import(INSTALL_MODULE);
    expect((globals.window as Record<string, unknown>).snitchmap).toBe(existing);
  });
});
