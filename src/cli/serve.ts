// `snitchmap serve`: the shared backend of window.snitchmap (src/core/app) behind serve's WebSocket
// transport, plus the built renderer, on 127.0.0.1. The URL (with its token) is the first line of
// stdout. Capture, fallbacks, banners and Retry are the supervisor's, as in the desktop app; only
// the elevation differs (the helper directly when started as root, sudo -n with --sudo, else /proc).

import type { Writable } from 'node:stream';
import { createAppBackend } from '../core/app/backend.js';
import { startSession } from '../core/app/capture-session.js';
import { createCaptureSupervisor } from '../core/app/capture-supervisor.js';
import type { Elevation } from '../core/app/elevation.js';
import { openSettingsStore } from '../core/app/settings-store.js';
import { ProcSource } from '../core/capture/proc-source.js';
import type { CaptureSource } from '../core/capture/source.js';
import { InputFileError } from '../core/config/input-file.js';
import type { Engine, EngineOptions, Publisher } from '../core/engine-types.js';
import type { ServeOptions } from './args.js';
import { engineOptions } from './engine-options.js';
import type { OpenCliHistory } from './history-option.js';
import { recordSessions } from '../core/app/session-history.js';
import { createToken } from './serve/security.js';
import { startServer, type RunningServer } from './serve/server.js';
import { startExporters, type Exporters } from './exporters.js';
import { runFleetServe } from './serve-fleet.js';
import type { SignalSource } from './watch.js';

export interface ServeDeps {
  createEngine(options: EngineOptions): Engine;
  createPublisher(engine: Engine, options: { intervalMs: number }): Publisher;
  elevation: Elevation;
  /** The unprivileged fallback; default the /proc poller. */
  procSource?: () => CaptureSource;
  stdout: Writable;
  stderr: Writable;
  signals: SignalSource;
  configDir: string;
  rendererRoot: string;
  openHistory?: OpenCliHistory;
}

/** Resolves with the exit code once a signal ends the server. */
export async function runServe(options: ServeOptions, deps: ServeDeps): Promise<number> {
  if (options.fleet !== undefined) return runFleetServe({ ...options, fleet: options.fleet }, deps);
  const warn = (message: string): void => void deps.stderr.write(`snitchmap: ${message}\n`);
  let exporters: Promise<Exporters | null> = Promise.resolve(null);
  const settings = openSettingsStore(deps.configDir, warn);
  const supervisor = createCaptureSupervisor({
    elevation: deps.elevation,
    procSource: deps.procSource ?? (() => new ProcSource()),
    onWarning: warn,
    // A --locations or --geoip file that cannot be used: say which, exit non-zero (below).
    isFatal: (error) => error instanceof InputFileError,
    startSession: (source, onFailed) =>
      startSession(
        {
          createEngine: (monitored) => {
            const home = options.home ?? settings.get().home ?? undefined;
            const engine = deps.createEngine({ ...engineOptions(options, monitored, warn), configDir: deps.configDir, ...(home ? { home } : {}) });
            // --metrics/--otlp follow the session: a restarted capture (Retry) has a new engine.
            exporters = exporters.then(async (previous) => {
              await previous?.stop();
              return startExporters(engine, options, warn).catch((error: unknown) => {
                warn(`cannot export: ${(error as Error).message}`);
                return null;
              });
            });
            return engine;
          },
          createPublisher: (engine) => deps.createPublisher(engine, { intervalMs: 250 }),
        },
        source,
        onFailed,
      ),
  });
  // One store for the run, recording each capture session's engine (--history FILE, --no-history,
  // else the settings' history section).
  const recording = deps.openHistory ? recordSessions(supervisor, deps.openHistory(options, warn, settings.get().history)) : null;
  const backend = createAppBackend(supervisor, settings, { onWarning: warn, ...(recording ? { history: recording.api } : {}) });

  let finish: (code: number) => void = () => undefined;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  const onSignal = (): void => finish(0);
  deps.signals.on('SIGINT', onSignal);
  deps.signals.on('SIGTERM', onSignal);

  const running: { server: RunningServer | null } = { server: null };
  // Not awaited before the signal wait: Ctrl-C during a slow start (sudo, a stuck helper) must work.
  const ready = (async () => {
    await supervisor.start();
    const server = await startServer({
      port: options.port,
      token: createToken(),
      rendererRoot: deps.rendererRoot,
      backend,
      onDelta: (listener) => backend.onDelta(listener),
    });
    running.server = server;
    deps.stdout.write(`${server.url}\n`);
  })().catch((error: unknown) => {
    warn(error instanceof InputFileError ? error.message : `cannot serve: ${error instanceof Error ? error.message : String(error)}`);
    finish(1);
  });
  const code = await finished;
  deps.signals.off('SIGINT', onSignal);
  deps.signals.off('SIGTERM', onSignal);
  await supervisor.stop();
  await (await exporters)?.stop();
  recording?.dispose();
  await ready;
  await running.server?.close();
  backend.dispose();
  return code;
}
