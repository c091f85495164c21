// The desktop's elevation: `pkexec --disable-internal-agent <launcher>`. pkexec exits 126 when the
// user dismissed the dialog and 127 when polkit refused or could not ask (pkexec(1)); the launcher
// is the polkit action's exec.path (resources/polkit). Looked up on every attempt: Retry after
// `apt install pkexec` works without a restart.

import { HelperFailure, HelperSource } from '../capture/helper-source.js';
import { failureOf, type CaptureFailure, type Elevation } from './elevation.js';
import { findPkexec, isExecutable } from './find-pkexec.js';

export const DESKTOP_PROC_MODE =
  'snitchmap is running in /proc mode: it sees only your own processes, polls once a second ' +
  '(short connections slip through) and has no byte counts or host names.';

export function pkexecCommand(pkexecPath: string, launcherPath: string): string[] {
  // --disable-internal-agent: without a graphical agent pkexec would otherwise try to ask for the
  // password on the app's (invisible) terminal and wait forever.
  return [pkexecPath, '--disable-internal-agent', launcherPath];
}

/** pkexec's outcome from its typed exit: status and spawn errno, never from message text. */
export function classifyPkexec(error: unknown): CaptureFailure {
  const failure = failureOf(error);
  if (!(error instanceof HelperFailure)) return failure;
  if (error.code === 'spawn-failed' && error.errno === 'ENOENT') return { code: 'pkexec-missing', detail: '' };
  if (error.code !== 'exited') return failure;
  // pkexec(1): 127 also when no agent could ask; pkexec then prints this fixed sentence, its only
  // way of telling the two apart.
  if (error.exitCode === 127 && error.stderr.includes('No authentication agent found')) return { code: 'no-agent', detail: '' };
  if (error.exitCode === 126) return { code: 'dismissed', detail: '' };
  if (error.exitCode === 127) return { code: 'not-authorized', detail: '' };
  return failure;
}

export interface PkexecElevationOptions {
  launcher: string;
  env: NodeJS.ProcessEnv;
  /** Where to look for pkexec besides PATH (default STANDARD_PKEXEC_DIRS; tests pass their own). */
  pkexecDirs?: readonly string[];
}

export function pkexecElevation(options: PkexecElevationOptions): Elevation {
  const pkexec = (): string | null => findPkexec(options.env.PATH, options.pkexecDirs);
  return {
    waiting: 'Waiting for authentication (polkit)…',
    procMode: DESKTOP_PROC_MODE,
    launcherPath: options.launcher,
    preflight: () => {
      if (pkexec() === null) return { code: 'pkexec-missing', detail: '' };
      return isExecutable(options.launcher) ? null : { code: 'launcher-missing', detail: '' };
    },
    helperSource: (onWarning) => new HelperSource({ command: pkexecCommand(pkexec() ?? 'pkexec', options.launcher), onWarning }),
    classify: classifyPkexec,
  };
}
