// The CLI's capture choice (docs/design.md "Elevation"): root runs the helper directly; a user gets the
// /proc poller unless they asked for sudo, and then still falls back to /proc if sudo refuses.
// Non-interactive sudo (-n) is used because stdout belongs to the NDJSON stream and a password
// prompt would hang a script; `sudo -v` beforehand caches credentials for it.

import { FallbackSource } from './fallback-source.js';
import { helperCommand } from './helper-command.js';
import { HelperSource, type SpawnFunction } from './helper-source.js';
import { ProcSource } from './proc-source.js';
import type { CaptureSource } from './source.js';

export interface CaptureChoice {
  isRoot: boolean;
  /** --sudo: try `sudo -n` for the helper when not root. */
  sudo: boolean;
  onWarning?: (message: string) => void;
  helperScript?: string;
  spawn?: SpawnFunction;
}

export function chooseCaptureSource(choice: CaptureChoice): CaptureSource {
  const proc = new ProcSource();
  if (!choice.isRoot && !choice.sudo) return proc;
  const command = helperCommand(choice.isRoot ? 'none' : 'sudo-noninteractive', choice.helperScript);
  const helper = new HelperSource({ command, spawn: choice.spawn, onWarning: choice.onWarning, helloTimeoutMs: 30_000 });
  return new FallbackSource(helper, proc, (reason) => choice.onWarning?.(`falling back to /proc capture: ${reason}`));
}
