// Starting the root helper from the desktop: `pkexec --disable-internal-agent <launcher>`, and
// what each way of failing means for the user. pkexec exits 126 when the user dismissed the
// dialog and 127 when polkit refused or could not ask (no authentication agent); both are
// documented in pkexec(1). The launcher is the polkit action's exec.path (resources/polkit).

export type ElevationOutcome =
  | 'ok'
  | 'cancelled'
  | 'not-authorized'
  | 'no-agent'
  | 'pkexec-missing'
  | 'launcher-missing'
  | 'helper-failed';

/** The fields a failed helper start may carry (HelperSource's rejection, or a spawn error). */
export interface HelperStartFailure {
  message: string;
  /** Exit status of pkexec / the helper, when it exited before saying hello. */
  exitCode?: number | null;
  /** Node's spawn error code, e.g. ENOENT when pkexec itself is not there. */
  code?: string;
  /** What pkexec or the helper wrote to stderr. */
  stderr?: string;
}

export function pkexecCommand(pkexecPath: string, launcherPath: string): string[] {
  // --disable-internal-agent: without a graphical agent pkexec would otherwise try to ask for the
  // password on the app's (invisible) terminal and wait forever.
  return [pkexecPath, '--disable-internal-agent', launcherPath];
}

function exitCodeOf(failure: HelperStartFailure): number | null {
  if (typeof failure.exitCode === 'number') return failure.exitCode;
  const match = /\b(?:exit(?:ed)?|status|code)\D{0,12}(\d{1,3})\b/i.exec(failure.message);
  return match ? Number(match[1]) : null;
}

export function classifyHelperFailure(failure: HelperStartFailure): Exclude<ElevationOutcome, 'ok'> {
  // HelperSource reports a spawn error in its message ("spawn pkexec ENOENT") without a code field.
  if (failure.code === 'ENOENT' || /\bENOENT\b/.test(failure.message)) return 'pkexec-missing';
  const text = `${failure.stderr ?? ''}\n${failure.message}`;
  if (/no authentication agent/i.test(text)) return 'no-agent';
  const status = exitCodeOf(failure);
  if (status === 126) return 'cancelled';
  if (status === 127) return 'not-authorized';
  return 'helper-failed';
}

const PROC_MODE =
  'snitchmap is running in /proc mode: it sees only your own processes, polls once a second ' +
  '(short connections slip through) and has no byte counts or host names.';

/** `text` as the end of a sentence: messages from pkexec or the helper may bring their own period. */
export function asSentence(text: string): string {
  return `${text.trim().replace(/[.\s]+$/, '')}.`;
}

/** The banner text for each outcome; `detail` is the helper's own message for 'helper-failed'. */
export function outcomeMessage(outcome: Exclude<ElevationOutcome, 'ok'>, detail: string, launcherPath: string): string {
  switch (outcome) {
    case 'cancelled':
      return `Authentication was cancelled. ${PROC_MODE} Retry to capture everything.`;
    case 'not-authorized':
      return `polkit did not authorise the capture helper. ${PROC_MODE}`;
    case 'no-agent':
      return `No polkit authentication agent is running, so nobody can be asked for the password. ${PROC_MODE} Start your desktop's polkit agent, then retry.`;
    case 'pkexec-missing':
      return `pkexec is not installed (Debian/Ubuntu: apt install pkexec), so the capture helper cannot start. ${PROC_MODE}`;
    case 'launcher-missing':
      return `The capture helper launcher ${launcherPath} is not installed (install the deb or rpm package). ${PROC_MODE}`;
    case 'helper-failed':
      return `The capture helper failed to start: ${asSentence(detail)} ${PROC_MODE}`;
  }
}
