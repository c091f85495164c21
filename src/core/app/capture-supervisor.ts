// Which capture runs, and what the user is told about it, for the desktop app and `serve`. Each
// start runs a session over an ElevatedSource (the one fallback policy: helper, else /proc); the
// banner comes from its failure code. A helper that dies later is replaced by the /proc poller
// with a banner offering Retry: the UI never waits on a dead helper. The elevation strategy is
// injected (pkexec for the desktop, the helper directly or sudo -n or nothing for the CLI).

import type { Banner } from '../../shared/api.js';
import type { CaptureSource } from '../capture/source.js';
import type { CaptureSession } from './capture-session.js';
import { ElevatedSource } from './elevated-source.js';
import { asSentence, fallbackBanner, failureOf, type Elevation } from './elevation.js';

export interface SupervisorDeps {
  elevation: Elevation;
  /** A session (engine + publisher) over `source`; rejects when the source cannot start. */
  startSession(source: CaptureSource, onFailed: (error: Error) => void): Promise<CaptureSession>;
  procSource(): CaptureSource;
  onWarning?: (message: string) => void;
  /**
   * Errors that are not capture failures (an unusable --geoip file named on the command line):
   * start() rejects with them instead of showing a banner.
   */
  isFatal?: (error: unknown) => boolean;
}

export interface SupervisorState {
  session: CaptureSession | null;
  banner: Banner | null;
}

export interface CaptureSupervisor {
  state(): SupervisorState;
  /** Starts (or restarts) capture; resolves when a session runs or everything failed. */
  start(): Promise<void>;
  stop(): Promise<void>;
  onChange(listener: (state: SupervisorState) => void): () => void;
}

export function createCaptureSupervisor(deps: SupervisorDeps): CaptureSupervisor {
  const listeners = new Set<(state: SupervisorState) => void>();
  let current: SupervisorState = { session: null, banner: null };
  let starting: Promise<void> | null = null;
  let generation = 0;

  const set = (next: SupervisorState): void => {
    current = next;
    for (const listener of [...listeners]) listener(current);
  };

  const stopSession = async (): Promise<void> => {
    const session = current.session;
    if (session) {
      set({ session: null, banner: current.banner });
      await session.stop().catch(() => undefined);
    }
  };

  /** Runs a session over `source` unless a newer start() took over; false when it did. */
  const adopt = async (source: CaptureSource, mine: number, banner: () => Banner | null): Promise<boolean> => {
    const session = await deps.startSession(source, (error) => onDied(mine, source.kind, error));
    if (mine !== generation) {
      await session.stop();
      return false;
    }
    set({ session, banner: banner() });
    return true;
  };

  const failedBanner = (prefix: string, error: unknown): Banner => ({
    kind: 'error',
    message: `${prefix}${asSentence(failureOf(error).detail)}`,
    canRetry: true,
  });

  const onDied = (mine: number, mode: 'ebpf' | 'proc', error: Error): void => {
    if (mine !== generation) return;
    void (async () => {
      await stopSession();
      if (mode === 'proc') {
        set({ session: null, banner: failedBanner('The /proc poller stopped: ', error) });
        return;
      }
      const banner = fallbackBanner({ code: 'helper-stopped', detail: failureOf(error).detail }, deps.elevation, true);
      try {
        await adopt(deps.procSource(), mine, () => banner);
      } catch (fallbackError) {
        set({ session: null, banner: { ...banner, message: `${banner.message} The /proc fallback failed too: ${asSentence(failureOf(fallbackError).detail)}` } });
      }
    })();
  };

  const run = async (): Promise<void> => {
    const mine = ++generation;
    await stopSession();
    const { elevation } = deps;
    if (elevation.waiting !== null && elevation.preflight() === null) {
      set({ session: null, banner: { kind: 'info', message: elevation.waiting, canRetry: false } });
    }
    const source = new ElevatedSource(elevation, deps.procSource, deps.onWarning);
    try {
      await adopt(source, mine, () => (source.failure === null ? null : fallbackBanner(source.failure, elevation, source.failure.code !== 'not-root')));
    } catch (error) {
      if (deps.isFatal?.(error)) throw error;
      if (mine !== generation) return;
      const why = source.failure === null ? 'Capture could not start: ' : `${fallbackBanner(source.failure, elevation, true).message} The /proc fallback failed too: `;
      set({ session: null, banner: failedBanner(why, error) });
    }
  };

  return {
    state: () => current,
    start() {
      starting ??= run().finally(() => {
        starting = null;
      });
      return starting;
    },
    async stop() {
      generation++;
      await starting?.catch(() => undefined);
      await stopSession();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
