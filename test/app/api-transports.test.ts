// The two transports of window.snitchmap — the preload over IPC (through main's real gateway) and
// serve's WebSocket (serve's real server) — in front of the one real backend (src/core/app):
// settings store, capture supervisor, engine and publisher, capturing from a stand-in helper
// process. The same calls must give the same answers, errors and deltas.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/cli/serve/server.js';
import { createAppBackend, type AppBackend } from '../../src/core/app/backend.js';
import { startSession } from '../../src/core/app/capture-session.js';
import { createCaptureSupervisor } from '../../src/core/app/capture-supervisor.js';
import { failureOf, type Elevation } from '../../src/core/app/elevation.js';
import { openSettingsStore } from '../../src/core/app/settings-store.js';
import { HelperSource } from '../../src/core/capture/helper-source.js';
import { ProcSource } from '../../src/core/capture/proc-source.js';
import { createEngine } from '../../src/core/engine.js';
import { createPublisher } from '../../src/core/publisher.js';
import type { IpcRendererLike } from '../../src/preload/ipc-api.js';
import { createIpcApi } from '../../src/preload/ipc-api.js';
import type { Delta, SnitchmapApi } from '../../src/shared/api.js';
import { WEB_SOCKET_PATH } from '../../src/shared/web-protocol.js';
import { createWebTransport } from '../../src/web-transport/web-transport.js';
import type { SocketLike } from '../../src/web-transport/socket-like.js';
import { preloadTransport } from './fakes/transports.js';

// Compile-time: both factories produce the one contract type.
const _preloadIsApi: (ipc: IpcRendererLike) => SnitchmapApi = createIpcApi;
const _webIsApi: (...args: Parameters<typeof createWebTransport>) => SnitchmapApi = createWebTransport;
void _preloadIsApi;
void _webIsApi;

const fakeHelper = fileURLToPath(new URL('../unit/capture/fixtures/fake-helper.mjs', import.meta.url));

interface Real {
  backend: AppBackend;
  configDir: string;
  helperStarts: () => number;
  stop(): Promise<void>;
}

/** The real backend, capturing from the stand-in helper (hello, one flow row, acks pause/resume). */
async function realBackend(): Promise<Real> {
  const configDir = mkdtempSync(join(tmpdir(), 'sm-parity-'));
  let starts = 0;
  const elevation: Elevation = {
    waiting: null,
    procMode: 'It polls /proc.',
    preflight: () => null,
    helperSource: () => {
      starts++;
      return new HelperSource({ command: [process.execPath, fakeHelper, 'good'], helloTimeoutMs: 10_000 });
    },
    classify: failureOf,
  };
  const supervisor = createCaptureSupervisor({
    elevation,
    procSource: () => new ProcSource(),
    startSession: (source, onFailed) =>
      startSession(
        {
          createEngine: (monitored) => createEngine({ source: monitored, configDir, home: { lat: 1, lon: 2, label: 'Lab' } }, { asnTablePath: null }),
          createPublisher: (engine) => createPublisher(engine, { intervalMs: 50 }),
        },
        source,
        onFailed,
      ),
  });
  const backend = createAppBackend(supervisor, openSettingsStore(configDir, () => undefined));
  await supervisor.start();
  return {
    backend,
    configDir,
    helperStarts: () => starts,
    stop: async () => {
      backend.dispose();
      await supervisor.stop();
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

interface Setup {
  name: string;
  make(backend: AppBackend): Promise<{ api: SnitchmapApi; close(): Promise<void> }>;
}

const setups: Setup[] = [
  {
    name: 'preload (IPC, main gateway)',
    make: async (backend) => ({ api: preloadTransport(backend).api, close: async () => undefined }),
  },
  {
    name: "web transport (serve's WebSocket server)",
    make: async (backend) => {
      const token = 'parity-token';
      const server = await startServer({ port: 0, token, rendererRoot: tmpdir(), backend, onDelta: (listener) => backend.onDelta(listener) });
      const origin = `http://127.0.0.1:${server.port}`;
      const api = createWebTransport({
        url: `ws://127.0.0.1:${server.port}${WEB_SOCKET_PATH}`,
        token,
        createSocket: (target): SocketLike => new WebSocket(target, { headers: { Origin: origin } }),
        timers: { set: (callback, ms) => setTimeout(callback, ms), clear: (handle) => clearTimeout(handle as NodeJS.Timeout) },
        initialBackoffMs: 20,
        maxBackoffMs: 200,
      });
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

function nextDelta(api: SnitchmapApi, match: (delta: Delta) => boolean): Promise<Delta> {
  return new Promise((resolve) => {
    const stop = api.onDelta((delta) => {
      if (!match(delta)) return;
      stop();
      resolve(delta);
    });
  });
}

describe.each(setups)('window.snitchmap over $name, real backend', (setup) => {
  let real: Real;
  let api: SnitchmapApi;
  let close: () => Promise<void>;

  beforeAll(async () => {
    real = await realBackend();
    ({ api, close } = await setup.make(real.backend));
  });
  afterAll(async () => {
    await close();
    await real.stop();
  });

  it("returns the backend's snapshot: eBPF capture from the helper, its connection", async () => {
    await expect.poll(async () => (await real.backend.getSnapshot()).connections.length).toBeGreaterThan(0);
    const [viaTransport, direct] = [await api.getSnapshot(), await real.backend.getSnapshot()];
    expect(viaTransport.hello).toEqual(direct.hello);
    expect(viaTransport.status).toEqual({ paused: false, capture: 'ebpf', banner: null });
    expect(viaTransport.connections.map((c) => c.id)).toEqual(direct.connections.map((c) => c.id));
    expect(viaTransport.connections[0]).toMatchObject({ local: { ip: '10.0.0.1', port: 1 }, remote: { ip: '10.0.0.2', port: 2 } });
  });

  it('pauses and resumes the capture, announcing the status as a delta', async () => {
    const paused = nextDelta(api, (delta) => delta.status?.paused === true);
    await api.pause();
    await paused;
    expect(real.backend.status().paused).toBe(true);
    await api.resume();
    expect(real.backend.status().paused).toBe(false);
  });

  it('clear empties the snapshot', async () => {
    await api.clear();
    expect((await api.getSnapshot()).connections.every((c) => c.event !== 'close')).toBe(true);
  });

  it('validates and persists settings through the one store', async () => {
    const settings = await api.updateSettings({ notifications: { newProcess: true, newCountry: false } });
    expect(settings.notifications).toEqual({ newProcess: true, newCountry: false });
    expect((await api.getSettings()).notifications.newProcess).toBe(true);
    expect(JSON.parse(readFileSync(join(real.configDir, 'settings.json'), 'utf8')).notifications.newProcess).toBe(true);
  });

  it('surfaces the same refusals as rejected promises: the settings rules and the call check', async () => {
    await expect(api.updateSettings({ home: { lat: 91, lon: 0, label: 'x' } })).rejects.toThrow(/home.lat must be a number between -90 and 90/);
    await expect(api.updateSettings({ onlineTiles: { enabled: true, url: 'http://t.example/{z}/{x}/{y}.png', attribution: 'a' } })).rejects.toThrow(
      /onlineTiles.url must be an https/,
    );
    await expect(api.updateSettings(null as never)).rejects.toThrow(/updateSettings takes one settings object/);
  });

  it('retryCapture starts a new helper session, announced with its hello', async () => {
    const before = real.helperStarts();
    const announced = nextDelta(api, (delta) => delta.hello !== undefined);
    await api.retryCapture();
    expect((await announced).hello?.capture).toBe('ebpf');
    expect(real.helperStarts()).toBe(before + 1);
    expect((await api.getSnapshot()).status.capture).toBe('ebpf');
  });
});
