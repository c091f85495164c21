// Elevation outcomes and helper crashes through the shared supervisor (src/core/app), with the
// desktop's pkexec classification, scripted helper sources and fake sessions in place of the engine.
// Failures are HelperSource's typed HelperFailure: exit status and stderr, never message text.

import { describe, expect, it } from 'vitest';
import { createCaptureSupervisor, type SupervisorDeps } from '../../src/core/app/capture-supervisor.js';
import type { CaptureFailureCode, Elevation } from '../../src/core/app/elevation.js';
import { classifyPkexec, DESKTOP_PROC_MODE, pkexecCommand } from '../../src/core/app/pkexec-elevation.js';
import { HelperFailure } from '../../src/core/capture/helper-source.js';
import type { CaptureSink, CaptureSource } from '../../src/core/capture/source.js';
import { fakeSession, type FakeSession } from './fakes/fake-session.js';

const LAUNCHER = '/opt/snitchmap/resources/helper/snitchmap-helper-launcher';

/** One helper attempt: resolves (hello) or rejects (HelperFailure). */
type Attempt = () => Promise<void>;

function scripted(kind: 'ebpf' | 'proc', attempt: Attempt): CaptureSource {
  return {
    kind,
    start: async () => {
      await attempt();
      return { capture: kind, probes: {} as never, limitations: [], kernel: null };
    },
    pause: async () => undefined,
    resume: async () => undefined,
    stop: async () => undefined,
  };
}

const SINK: CaptureSink = { flows() {}, flowEnds() {}, owners() {}, dns() {}, stats() {}, failed() {} };

interface Harness {
  deps: SupervisorDeps;
  sessions: FakeSession[];
  privilegedAttempts: number;
  procFailure: Error | null;
  /** The onFailed callback of the latest session, to simulate the helper dying. */
  kill(error: Error): void;
}

function harness(attempts: Attempt[], preflight: CaptureFailureCode | null = null): Harness {
  const sessions: FakeSession[] = [];
  let lastFailed: (error: Error) => void = () => undefined;
  const elevation: Elevation = {
    waiting: 'Waiting for authentication (polkit)…',
    procMode: DESKTOP_PROC_MODE,
    launcherPath: LAUNCHER,
    preflight: () => (preflight === null ? null : { code: preflight, detail: '' }),
    helperSource: () => {
      const attempt = attempts[h.privilegedAttempts++] ?? attempts[attempts.length - 1];
      if (!attempt) throw new Error('no attempt scripted');
      return scripted('ebpf', attempt);
    },
    classify: classifyPkexec,
  };
  const h: Harness = {
    sessions,
    privilegedAttempts: 0,
    procFailure: null,
    kill: (error) => lastFailed(error),
    deps: {
      elevation,
      procSource: () =>
        scripted('proc', async () => {
          if (h.procFailure) throw h.procFailure;
        }),
      startSession: async (source, onFailed) => {
        await source.start(SINK);
        const session = fakeSession(source.kind);
        sessions.push(session);
        lastFailed = onFailed;
        return session;
      },
    },
  };
  return h;
}

const ok: Attempt = async () => undefined;
const exits =
  (code: number, stderr = ''): Attempt =>
  async () => {
    throw new HelperFailure(`the capture helper exited with code ${code}`, 'exited', code, stderr);
  };

describe('elevation outcomes', () => {
  it('0: the helper said hello → eBPF capture, no banner', async () => {
    const h = harness([ok]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('ebpf');
    expect(supervisor.state().banner).toBeNull();
  });

  it('126: the user dismissed the prompt → /proc mode, banner says so and offers retry', async () => {
    const h = harness([exits(126, 'Error executing command as another user: Request dismissed')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    const { session, banner } = supervisor.state();
    expect(session?.mode).toBe('proc');
    expect(banner).toMatchObject({ kind: 'warning', canRetry: true });
    expect(banner?.message).toMatch(/cancelled/);
    expect(banner?.message).toMatch(/\/proc mode/);
  });

  it('127: polkit refused → /proc mode with a not-authorised banner', async () => {
    const h = harness([exits(127, 'Error executing command as another user: Not authorized')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('proc');
    expect(supervisor.state().banner?.message).toMatch(/did not authorise/);
  });

  it('127 with no authentication agent → says the agent is missing', async () => {
    const h = harness([exits(127, 'Error executing command as another user: No authentication agent found.')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().banner?.message).toMatch(/No polkit authentication agent/);
    expect(supervisor.state().banner?.canRetry).toBe(true);
  });

  it('pkexec missing (preflight) → /proc mode without trying, banner names the package', async () => {
    const h = harness([ok], 'pkexec-missing');
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(h.privilegedAttempts).toBe(0);
    expect(supervisor.state().session?.mode).toBe('proc');
    expect(supervisor.state().banner?.message).toMatch(/apt install pkexec/);
  });

  it('pkexec vanished between preflight and spawn (ENOENT) → same banner', async () => {
    const h = harness([
      async () => {
        throw new HelperFailure('cannot start the capture helper (/usr/bin/pkexec): spawn /usr/bin/pkexec ENOENT', 'spawn-failed', null, '', 'ENOENT');
      },
    ]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().banner?.message).toMatch(/pkexec is not installed/);
  });

  it('launcher not installed → banner names its path', async () => {
    const h = harness([ok], 'launcher-missing');
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().banner?.message).toContain('/opt/snitchmap/resources/helper/snitchmap-helper-launcher');
  });

  it("a helper that fails after pkexec let it run → error banner from the helper's code, quoting it, one period", async () => {
    const h = harness([
      async () => {
        throw new HelperFailure('the capture helper failed: cannot open the probe: no BTF in this kernel.', 'no-btf', 1);
      },
    ]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(
      /^The capture helper failed to start: the kernel has no BTF \(\/sys\/kernel\/btf\/vmlinux\), so the eBPF programs cannot load \(the capture helper failed: cannot open the probe: no BTF in this kernel\)\. snitchmap is running in \/proc mode/,
    );
  });

  it('classifies by typed fields only, and builds the pkexec command', () => {
    expect(classifyPkexec(new HelperFailure('x', 'exited', 126)).code).toBe('dismissed');
    expect(classifyPkexec(new HelperFailure('x', 'exited', 127)).code).toBe('not-authorized');
    expect(classifyPkexec(new HelperFailure('x', 'exited', 1)).code).toBe('exited');
    expect(classifyPkexec(new HelperFailure('exit status 126', 'exited', 1)).code).toBe('exited');
    expect(classifyPkexec(new HelperFailure('x', 'spawn-failed', null, '', 'ENOENT')).code).toBe('pkexec-missing');
    expect(pkexecCommand('/usr/bin/pkexec', '/opt/l')).toEqual(['/usr/bin/pkexec', '--disable-internal-agent', '/opt/l']);
  });
});

describe('helper crash, retry', () => {
  it('the helper dying → /proc mode, error banner with retry; retry → eBPF again, banner gone', async () => {
    const h = harness([ok, ok]);
    const supervisor = createCaptureSupervisor(h.deps);
    const states: string[] = [];
    supervisor.onChange((state) => states.push(`${state.session?.mode ?? 'none'}:${state.banner?.kind ?? '-'}`));
    await supervisor.start();
    const first = h.sessions[0];
    h.kill(new HelperFailure('the capture helper was killed by SIGKILL', 'killed'));
    await expect.poll(() => supervisor.state().session?.mode).toBe('proc');
    expect(first?.stopped).toBe(true);
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/helper stopped: the capture helper was killed by SIGKILL\. /);

    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('ebpf');
    expect(supervisor.state().banner).toBeNull();
    expect(h.sessions[1]?.stopped).toBe(true); // the /proc session was replaced
    expect(states).toContain('none:info'); // "waiting for authentication" while pkexec runs
  });

  it('a cancelled prompt, then retry and success', async () => {
    const h = harness([exits(126), ok]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('proc');
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('ebpf');
    expect(h.privilegedAttempts).toBe(2);
  });

  it('concurrent retries share one attempt (one polkit prompt)', async () => {
    const h = harness([ok]);
    const supervisor = createCaptureSupervisor(h.deps);
    await Promise.all([supervisor.start(), supervisor.start(), supervisor.start()]);
    expect(h.privilegedAttempts).toBe(1);
  });

  it('the /proc fallback failing too → no session, error banner, still retryable', async () => {
    const h = harness([exits(127)]);
    h.procFailure = new Error('cannot read /proc/net/tcp');
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session).toBeNull();
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/did not authorise.*fallback failed too: cannot read \/proc\/net\/tcp/);
  });

  it('stop() while the prompt is open: the late session is stopped, nothing stays running', async () => {
    let release: () => void = () => undefined;
    const h = harness([() => new Promise<void>((resolve) => (release = resolve))]);
    const supervisor = createCaptureSupervisor(h.deps);
    const starting = supervisor.start();
    await expect.poll(() => h.privilegedAttempts).toBe(1);
    const stopping = supervisor.stop();
    release();
    await Promise.all([starting, stopping]);
    expect(h.sessions).toHaveLength(1);
    expect(h.sessions[0]?.stopped).toBe(true);
    expect(supervisor.state().session).toBeNull();
  });
});
