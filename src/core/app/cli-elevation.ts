// The CLI's elevations (docs/design.md "Elevation"). As root, the helper is started directly, with
// a scrubbed environment, before the CLI drops to the invoking user (src/cli/privileges.ts): once
// that helper is claimed, another cannot be started ('root-dropped'). As a user: /proc, unless
// --sudo asked for `sudo -n` (non-interactive: stdout belongs to the NDJSON stream and a password
// prompt would hang a script; `sudo -v` beforehand caches the credentials).

import { helperCommand, ROOT_HELPER_ENV } from '../capture/helper-command.js';
import { HelperFailure, HelperSource, type SpawnFunction } from '../capture/helper-source.js';
import type { CaptureSource } from '../capture/source.js';
import { failureOf, type CaptureFailure, type Elevation } from './elevation.js';

// The helper loads and attaches a dozen objects before its hello: ~1 s here, 24 s on Debian's 5.10
// under emulation (docs/kernels.md), more on a loaded machine. A silent helper is given up on after
// this long, and capture falls back to /proc.
const HELLO_TIMEOUT_MS = 60_000;

function cliProcMode(verb: string): string {
  return `It sees only this user's processes, polls once a second and has no byte counts or host names. Run 'sudo snitchmap ${verb}' for full capture.`;
}

/** A user without --sudo: /proc, said plainly (nothing failed). */
export function unprivilegedElevation(verb: string): Elevation {
  return {
    waiting: null,
    procMode: cliProcMode(verb),
    preflight: () => ({ code: 'not-root', detail: '' }),
    helperSource: () => {
      throw new Error('no privileged capture without root or --sudo');
    },
    classify: failureOf,
  };
}

/** `sudo -n` for the helper (--sudo): a refusal (exit 1 before hello, no helper error) is 'sudo-refused'. */
export function sudoElevation(verb: string, options: { script?: string; spawn?: SpawnFunction } = {}): Elevation {
  return {
    waiting: null,
    procMode: cliProcMode(verb),
    preflight: () => null,
    helperSource: (onWarning) =>
      new HelperSource({ command: helperCommand('sudo-noninteractive', options.script), spawn: options.spawn, onWarning, helloTimeoutMs: HELLO_TIMEOUT_MS }),
    classify: (error): CaptureFailure => {
      if (error instanceof HelperFailure && error.code === 'exited' && error.exitCode === 1) {
        return { code: 'sudo-refused', detail: error.stderr.trim().split('\n').slice(-1)[0] ?? '' };
      }
      return failureOf(error);
    },
  };
}

/** A root helper started now, before the CLI drops privileges; spawn() it at once. */
export function spawnRootHelper(options: { script?: string; spawn?: SpawnFunction; onWarning: (message: string) => void }): HelperSource {
  const source = new HelperSource({
    command: helperCommand('none', options.script),
    env: ROOT_HELPER_ENV,
    spawn: options.spawn,
    onWarning: options.onWarning,
    helloTimeoutMs: HELLO_TIMEOUT_MS,
  });
  source.spawn();
  return source;
}

/**
 * Root: the first attempt gets the pre-spawned helper; later attempts (Retry, a restart after the
 * helper died) cannot start another one once the CLI gave up root, and say so.
 */
export function rootElevation(verb: string, prestarted: CaptureSource, stillRoot: () => boolean): Elevation {
  let claimed = false;
  return {
    waiting: null,
    procMode: cliProcMode(verb),
    preflight: () => (!claimed || stillRoot() ? null : { code: 'root-dropped', detail: '' }),
    helperSource: (onWarning) => {
      if (!claimed) {
        claimed = true;
        return prestarted;
      }
      return new HelperSource({ command: helperCommand('none'), env: ROOT_HELPER_ENV, onWarning, helloTimeoutMs: HELLO_TIMEOUT_MS });
    },
    classify: failureOf,
  };
}
