// How a front end gets the root helper started (docs/design.md "Elevation"), and what each way of
// failing is called. The supervisor and ElevatedSource are the same for every front end; the
// strategy is injected: pkexec + launcher for the desktop (pkexec-elevation.ts), the helper directly
// (root), `sudo -n`, or none at all for the CLI (cli-elevation.ts).
//
// Error codes end to end (docs/design.md "Error codes"): the addon's NativeError code becomes the
// helper's `error` code (src/helper/helper.ts errorCodeOf), HelperSource turns that (or how the
// process ended) into a HelperFailure code, the strategy's classify() adds what only it can know
// (pkexec's exit statuses), and the banner text is looked up from the code here.

import type { Banner } from '../../shared/api.js';
import { HelperFailure, type HelperFailureCode } from '../capture/helper-source.js';
import type { CaptureSource } from '../capture/source.js';

export type CaptureFailureCode =
  | HelperFailureCode
  /** pkexec exit 126: the user dismissed the authentication dialog. */
  | 'dismissed'
  /** pkexec exit 127: polkit refused. */
  | 'not-authorized'
  | 'no-agent'
  | 'pkexec-missing'
  | 'launcher-missing'
  /** sudo -n refused (a password would be needed). */
  | 'sudo-refused'
  /** The CLI runs as a user and was not asked to elevate. */
  | 'not-root'
  /** The CLI gave up root after starting its helper: it cannot start another. */
  | 'root-dropped'
  /** The helper said hello, then stopped. */
  | 'helper-stopped';

export interface CaptureFailure {
  code: CaptureFailureCode;
  /** The helper's or the elevator's own words, shown after the code's text; may be empty. */
  detail: string;
}

export interface Elevation {
  /** Why privileged capture cannot be tried now (pkexec missing, not root, ...), or null to try it. */
  preflight(): CaptureFailure | null;
  /** The helper source for one attempt. */
  helperSource(onWarning: (message: string) => void): CaptureSource;
  /** A failed attempt (HelperSource's HelperFailure, or anything thrown) as a code. */
  classify(error: unknown): CaptureFailure;
  /** Shown while the helper starts (an authentication dialog may be open), or null. */
  readonly waiting: string | null;
  /** The sentence that says what /proc mode misses, and how this front end gets full capture. */
  readonly procMode: string;
  /** Appended for codes the user can act on ('launcher-missing' names the launcher path). */
  readonly launcherPath?: string;
}

/** The generic part of classify(): a HelperFailure keeps its code; anything else is 'internal'. */
export function failureOf(error: unknown): CaptureFailure {
  if (error instanceof HelperFailure) return { code: error.code, detail: error.message };
  return { code: 'internal', detail: error instanceof Error ? error.message : String(error) };
}

/** `text` as the end of a sentence: messages from pkexec or the helper may bring their own period. */
export function asSentence(text: string): string {
  return `${text.trim().replace(/[.\s]+$/, '')}.`;
}

/** What each helper-side code means, for people. */
const HELPER_CODE_TEXT: Record<HelperFailureCode, string> = {
  'no-privilege': 'it lacks the privileges to load eBPF programs',
  'no-btf': 'the kernel has no BTF (/sys/kernel/btf/vmlinux), so the eBPF programs cannot load',
  'attach-failed': 'no eBPF program could attach on this kernel',
  'interface-gone': 'a network interface disappeared while it attached',
  internal: 'it hit an internal error',
  'bad-command': 'it was sent a command it does not know',
  'line-too-long': 'it was sent an oversized command',
  'spawn-failed': 'it could not be run',
  exited: 'it exited before saying hello',
  killed: 'it was killed before saying hello',
  timeout: 'it said nothing in time',
};

/** The short reason (no /proc sentence): the hello's first limitation and the CLI's warning. */
export function failureReason(failure: CaptureFailure, launcherPath = ''): string {
  const detail = failure.detail.trim() === '' ? '' : ` (${failure.detail.trim().replace(/[.\s]+$/, '')})`;
  switch (failure.code) {
    case 'dismissed':
      return 'Authentication was cancelled.';
    case 'not-authorized':
      return 'polkit did not authorise the capture helper.';
    case 'no-agent':
      return 'No polkit authentication agent is running, so nobody can be asked for the password.';
    case 'pkexec-missing':
      return 'pkexec is not installed (Debian/Ubuntu: apt install pkexec), so the capture helper cannot start.';
    case 'launcher-missing':
      return `The capture helper launcher ${launcherPath} is not installed (install the deb or rpm package).`;
    case 'sudo-refused':
      return `sudo would not start the capture helper without a password (run 'sudo -v' first)${detail}.`;
    case 'not-root':
      return 'Not running as root: connections are polled from /proc.';
    case 'root-dropped':
      return 'The capture helper cannot be started again: snitchmap gave up root after starting the first one.';
    case 'helper-stopped':
      return `The capture helper stopped: ${asSentence(failure.detail || 'no reason given')}`;
    default:
      return `The capture helper failed to start: ${HELPER_CODE_TEXT[failure.code]}${detail}.`;
  }
}

/** What to do next, per code, after the /proc sentence. */
function nextStep(code: CaptureFailureCode): string {
  if (code === 'dismissed') return ' Retry to capture everything.';
  if (code === 'no-agent') return " Start your desktop's polkit agent, then retry.";
  return '';
}

/** The banner for a capture running in /proc mode because of `failure`. */
export function fallbackBanner(failure: CaptureFailure, elevation: Pick<Elevation, 'procMode' | 'launcherPath'>, canRetry: boolean): Banner {
  const helperBroke = !['dismissed', 'not-authorized', 'no-agent', 'pkexec-missing', 'launcher-missing', 'sudo-refused', 'not-root'].includes(failure.code);
  const message = `${failureReason(failure, elevation.launcherPath)} ${elevation.procMode}${nextStep(failure.code)}`;
  return { kind: helperBroke ? 'error' : 'warning', message, canRetry };
}
