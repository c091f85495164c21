// `snitchmap serve`: the engine behind a WebSocket implementation of window.snitchmap, plus the
// built renderer, on 127.0.0.1. The URL (with its token) is the first line of stdout.

import type { Writable } from 'node:stream';
import { MonitoredSource } from '../core/capture/monitored-source.js';
import type { CaptureSource } from '../core/capture/source.js';
import type { Engine, EngineOptions, Publisher } from '../core/engine-types.js';
import type { HelloMessage } from '../shared/contract.js';
import type { ServeOptions } from './args.js';
import { createHistoryApi } from '../core/history/api.js';
import { disabledHistory, type History } from '../core/history/history.js';
import { engineOptions } from './engine-options.js';
import type { OpenCliHistory } from './history-option.js';
import type { ApiBackend } from './serve/live-api.js';
import { createToken } from './serve/security.js';
import { startServer, type RunningServer } from './serve/server.js';
import { SettingsStore } from './settings-store.js';
import type { SignalSource } from './watch.js';

export interface ServeDeps {
  createEngine(options: EngineOptions): Engine;
  createPublisher(engine: Engine, options: { intervalMs: number }): Publisher;
  createSource(onWarning: (message: string) => void): CaptureSource;
  stdout: Writable;
  stderr: Writable;
  signals: SignalSource;
  configDir: string;
  rendererRoot: string;
  openHistory?: OpenCliHistory;
}

function banner(hello: HelloMessage): { kind: 'warning'; message: string; canRetry: false } | null {
  if (hello.capture !== 'proc') return null;
  const message = `Not running as root: connections are polled from /proc. ${(hello.limitations ?? []).join('; ')}. Run 'sudo snitchmap serve' for full capture.`;
  return { kind: 'warning', message, canRetry: false };
}

/** Starts (or restarts, after the helper died) the capture and shows what it got. */
async function startCapture(engine: Engine, publisher: Publisher): Promise<HelloMessage> {
  const hello = await engine.start();
  publisher.setStatus({ paused: false, capture: hello.capture, banner: banner(hello) });
  return hello;
}

function backendFor(engine: Engine, publisher: Publisher, settings: SettingsStore, history: History | undefined): ApiBackend {
  return {
    ...createHistoryApi(() => history ?? disabledHistory(null, 'history is off')),
    getSnapshot: () => publisher.snapshot(),
    pause: async () => {
      await engine.pause();
      publisher.setStatus({ paused: true });
    },
    resume: async () => {
      await engine.resume();
      publisher.setStatus({ paused: false });
    },
    clear: () => engine.clear(),
    getSettings: () => settings.get(),
    updateSettings: (patch) => settings.update(patch),
    retryCapture: async () => {
      // A capture that died (helper gone) can be restarted; serve cannot ask for privileges itself.
      if (publisher.snapshot().status.capture !== 'none') {
        throw new Error("serve cannot ask for privileges itself: restart it as root ('sudo snitchmap serve') for eBPF capture");
      }
      await startCapture(engine, publisher);
    },
  };
}

/** Resolves with the exit code once a signal ends the server. */
export async function runServe(options: ServeOptions, deps: ServeDeps): Promise<number> {
  const warn = (message: string): void => void deps.stderr.write(`snitchmap: ${message}\n`);
  const settings = new SettingsStore(deps.configDir, warn);
  const home = options.home ?? settings.get().home ?? undefined;
  const status: { publisher: Publisher | null } = { publisher: null };
  const source = new MonitoredSource(deps.createSource(warn), (error) =>
    status.publisher?.setStatus({ capture: 'none', banner: { kind: 'error', message: `Capture stopped: ${error.message}.`, canRetry: true } }),
  );
  let engine: Engine;
  try {
    engine = deps.createEngine({ ...engineOptions(options, source, warn), configDir: deps.configDir, ...(home ? { home } : {}) });
  } catch (error) {
    // A --locations or --geoip file that cannot be used: say which, exit non-zero, start nothing.
    warn((error as Error).message);
    return 1;
  }
  const history = deps.openHistory?.(options, warn, settings.get().history);
  history?.attach(engine);
  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (): void => finish(0);
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);

  const publisher = deps.createPublisher(engine, { intervalMs: 250 });
  status.publisher = publisher;
  const running: { server: RunningServer | null } = { server: null };
  // Not awaited before the signal wait: Ctrl-C during a slow start (sudo, a stuck helper) must work.
  const ready = (async () => {
    await startCapture(engine, publisher);
    const server = await startServer({
      port: options.port,
      token: createToken(),
      rendererRoot: deps.rendererRoot,
      backend: backendFor(engine, publisher, settings, history),
      onDelta: (listener) => publisher.onDelta(listener),
    });
    running.server = server;
    deps.stdout.write(`${server.url}\n`);
  })().catch((error: unknown) => {
    warn(`cannot serve: ${error instanceof Error ? error.message : String(error)}`);
    finish(1);
  });
  const code = await finished;
  deps.signals.off('SIGINT', onSignal);
  deps.signals.off('SIGTERM', onSignal);
  await engine.stop();
  history?.close();
  await ready;
  await running.server?.close();
  publisher.dispose();
  return code;
}
