// Wires the shared capture supervisor (src/core/app) to the desktop's elevation: the helper through
// pkexec and the installed launcher, else the unprivileged /proc poller.

import { startSession } from '../core/app/capture-session.js';
import { createCaptureSupervisor, type CaptureSupervisor } from '../core/app/capture-supervisor.js';
import { pkexecElevation } from '../core/app/pkexec-elevation.js';
import { ProcSource } from '../core/capture/proc-source.js';
import { createEngine } from '../core/engine.js';
import { createPublisher } from '../core/publisher.js';
import type { Settings } from '../shared/api.js';

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
  return createCaptureSupervisor({
    elevation: pkexecElevation({ launcher: options.launcher, env: options.env, ...(options.pkexecDirs ? { pkexecDirs: options.pkexecDirs } : {}) }),
    procSource: () => new ProcSource({}),
    onWarning: options.onWarning,
    startSession: (source, onFailed) =>
      startSession(
        {
          createEngine: (monitored) => {
            const home = options.home();
            return createEngine({ source: monitored, configDir: options.configDir, onWarning: options.onWarning, ...(home ? { home } : {}) });
          },
          createPublisher: (engine) => createPublisher(engine, { intervalMs: PUBLISH_INTERVAL_MS }),
        },
        source,
        onFailed,
      ),
  });
}
