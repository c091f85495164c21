// Wires the capture supervisor to the real engine and sources: the helper through pkexec and the
// installed launcher, else the unprivileged /proc poller.

import { HelperSource } from '../core/capture/helper-source.js';
import { ProcSource } from '../core/capture/proc-source.js';
import type { CaptureSource } from '../core/capture/source.js';
import type { Settings } from '../shared/api.js';
import { createEngine } from '../core/engine.js';
import { createPublisher } from '../core/publisher.js';
import { startSession, type SessionParts } from './capture-session.js';
import { createCaptureSupervisor, type CaptureSupervisor } from './capture-supervisor.js';
import { pkexecCommand } from './elevation.js';
import { findPkexec, isExecutable } from './find-pkexec.js';

const PUBLISH_INTERVAL_MS = 250;

export interface DesktopCaptureOptions {
  launcher: string;
  configDir: string;
  env: NodeJS.ProcessEnv;
  /** The user's home setting, read when a session starts (the renderer applies changes at once). */
  home: () => Settings['home'];
  onWarning: (message: string) => void;
  /** Where to look for pkexec besides PATH (default STANDARD_PKEXEC_DIRS; tests pass their own). */
  pkexecDirs?: readonly string[];
}

export function createDesktopCapture(options: DesktopCaptureOptions): CaptureSupervisor {
  const parts: SessionParts = {
    createEngine: (source: CaptureSource) => {
      const home = options.home();
      return createEngine({ source, configDir: options.configDir, onWarning: options.onWarning, ...(home ? { home } : {}) });
    },
    createPublisher: (engine) => createPublisher(engine, { intervalMs: PUBLISH_INTERVAL_MS }),
  };
  // Looked up on every attempt: Retry after `apt install pkexec` must work without a restart.
  const pkexec = (): string | null => findPkexec(options.env.PATH, options.pkexecDirs);
  return createCaptureSupervisor({
    launcherPath: options.launcher,
    preflight: () => (pkexec() === null ? 'pkexec-missing' : isExecutable(options.launcher) ? 'ok' : 'launcher-missing'),
    startPrivileged: (onFailed) =>
      startSession(parts, new HelperSource({ command: pkexecCommand(pkexec() ?? 'pkexec', options.launcher), onWarning: options.onWarning }), onFailed),
    startUnprivileged: (onFailed) => startSession(parts, new ProcSource({}), onFailed),
  });
}
