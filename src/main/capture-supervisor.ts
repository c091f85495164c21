// Which capture runs, and what the user is told about it. Privileged capture first (pkexec +
// launcher); any way that fails ends in /proc mode with a banner naming what is missing and
// offering Retry. A helper that dies later does the same: the app never waits on a dead helper.

import type { Banner } from '../shared/api.js';
import type { CaptureSession } from './capture-session.js';
import { asSentence, classifyHelperFailure, outcomeMessage, type HelperStartFailure } from './elevation.js';

export interface SupervisorDeps {
  /** Checked before asking polkit: is pkexec there, is the launcher installed? */
  preflight(): 'ok' | 'pkexec-missing' | 'launcher-missing';
  startPrivileged(onFailed: (error: Error) => void): Promise<CaptureSession>;
  startUnprivileged(onFailed: (error: Error) => void): Promise<CaptureSession>;
  launcherPath: string;
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

function asFailure(error: unknown): HelperStartFailure {
  if (typeof error === 'object' && error !== null && 'message' in error) return error as HelperStartFailure;
  return { message: String(error) };
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

  const fallBack = async (banner: Banner, mine: number): Promise<void> => {
    try {
      const session = await deps.startUnprivileged((error) => onDied(mine, 'proc', error));
      if (mine !== generation) {
        await session.stop();
        return;
      }
      set({ session, banner });
    } catch (error) {
      const message = `${banner.message} The /proc fallback failed too: ${asSentence(asFailure(error).message)}`;
      set({ session: null, banner: { kind: 'error', message, canRetry: true } });
    }
  };

  const onDied = (mine: number, mode: 'ebpf' | 'proc', error: Error): void => {
    if (mine !== generation) return;
    void (async () => {
      await stopSession();
      const message = `The ${mode === 'ebpf' ? 'capture helper' : '/proc poller'} stopped: ${asSentence(error.message)}`;
      if (mode === 'ebpf') await fallBack({ kind: 'error', message: `${message} Falling back to /proc mode.`, canRetry: true }, mine);
      else set({ session: null, banner: { kind: 'error', message, canRetry: true } });
    })();
  };

  const run = async (): Promise<void> => {
    const mine = ++generation;
    await stopSession();
    const preflight = deps.preflight();
    if (preflight !== 'ok') {
      await fallBack({ kind: 'warning', message: outcomeMessage(preflight, '', deps.launcherPath), canRetry: true }, mine);
      return;
    }
    set({ session: null, banner: { kind: 'info', message: 'Waiting for authentication (polkit)…', canRetry: false } });
    try {
      const session = await deps.startPrivileged((error) => onDied(mine, 'ebpf', error));
      if (mine !== generation) {
        await session.stop();
        return;
      }
      set({ session, banner: null });
    } catch (error) {
      const failure = asFailure(error);
      const outcome = classifyHelperFailure(failure);
      const kind = outcome === 'helper-failed' ? 'error' : 'warning';
      const message = outcomeMessage(outcome, failure.message, deps.launcherPath);
      await fallBack({ kind, message, canRetry: true }, mine);
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
