// The preload API and the web transport are two implementations of one contract: the same calls
// against the same fake backend must give the same answers, errors and deltas.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Delta, SnitchmapApi } from '../../src/shared/api.js';
import type { IpcRendererLike } from '../../src/preload/ipc-api.js';
import { createIpcApi } from '../../src/preload/ipc-api.js';
import { createWebTransport } from '../../src/web-transport/web-transport.js';
import { connection, createFakeBackend, type FakeBackend } from './fakes/fake-backend.js';
import { preloadTransport, startWebServer, webTransport, type WebServer } from './fakes/transports.js';

// Compile-time: both factories produce the one contract type.
const _preloadIsApi: (ipc: IpcRendererLike) => SnitchmapApi = createIpcApi;
const _webIsApi: (...args: Parameters<typeof createWebTransport>) => SnitchmapApi = createWebTransport;
void _preloadIsApi;
void _webIsApi;

interface Setup {
  name: string;
  make(backend: FakeBackend): Promise<{ api: SnitchmapApi; close(): Promise<void> }>;
}

const servers: WebServer[] = [];

const setups: Setup[] = [
  {
    name: 'preload (IPC)',
    make: async (backend) => ({ api: preloadTransport(backend).api, close: async () => undefined }),
  },
  {
    name: 'web transport (WebSocket)',
    make: async (backend) => {
      const server = await startWebServer(backend);
      servers.push(server);
      const api = webTransport(server.url);
      return {
        api,
        close: async () => {
          api.close();
          await server.close();
        },
      };
    },
  },
];

function nextDelta(api: SnitchmapApi, match: (delta: Delta) => boolean = () => true): Promise<Delta> {
  return new Promise((resolve) => {
    const stop = api.onDelta((delta) => {
      if (!match(delta)) return;
      stop();
      resolve(delta);
    });
  });
}

describe.each(setups)('window.snitchmap over $name', (setup) => {
  let backend: FakeBackend;
  let api: SnitchmapApi;
  let close: () => Promise<void>;

  beforeAll(async () => {
    backend = createFakeBackend();
    ({ api, close } = await setup.make(backend));
  });
  afterAll(async () => {
    await close();
  });

  it('returns the snapshot', async () => {
    const snapshot = await api.getSnapshot();
    expect(snapshot).toEqual(backend.current);
    expect(snapshot.connections[0]?.process?.name).toBe('curl');
  });

  it('forwards pause, resume and clear to the backend', async () => {
    backend.calls.length = 0;
    await api.pause();
    await api.resume();
    await api.clear();
    expect(backend.calls).toEqual(['pause', 'resume', 'clear']);
  });

  it('passes the settings patch and returns the new settings', async () => {
    const settings = await api.updateSettings({ notifications: { newProcess: true, newCountry: false } });
    expect(settings.notifications).toEqual({ newProcess: true, newCountry: false });
    expect((await api.getSettings()).notifications.newProcess).toBe(true);
  });

  it('surfaces backend errors as rejected promises', async () => {
    await expect(api.retryCapture()).rejects.toThrow(/pkexec is not installed/);
    await expect(api.updateSettings({ home: { lat: 91, lon: 0, label: 'x' } })).rejects.toThrow(/home.lat/);
  });

  it('delivers deltas to listeners until they unsubscribe', async () => {
    const received: Delta[] = [];
    const stop = api.onDelta((delta) => received.push(delta));
    const waiting = nextDelta(api);
    backend.emit({ events: [connection('c2')] });
    expect((await waiting).events[0]?.id).toBe('c2');
    stop();
    const again = nextDelta(api);
    backend.emit({ events: [connection('c3')] });
    await again;
    expect(received.map((delta) => delta.events[0]?.id)).toEqual(['c2']);
  });
});
