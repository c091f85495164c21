// Elevation outcomes and helper crashes, with fake sessions in place of the engine and helper.
// The failures are shaped like HelperSource's HelperStartError (message + exitCode).

import { describe, expect, it } from 'vitest';
import { createCaptureSupervisor, type SupervisorDeps } from '../../src/main/capture-supervisor.js';
import { classifyHelperFailure, pkexecCommand } from '../../src/main/elevation.js';
import { fakeSession, type FakeSession } from './fakes/fake-session.js';

class HelperStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

interface Harness {
  deps: SupervisorDeps;
  sessions: FakeSession[];
  privilegedAttempts: number;
  /** The onFailed callback of the latest session, to simulate the helper dying. */
  kill(error: Error): void;
}

function harness(privileged: Array<() => Promise<FakeSession>>, preflight: ReturnType<SupervisorDeps['preflight']> = 'ok'): Harness {
  const sessions: FakeSession[] = [];
  let lastFailed: (error: Error) => void = () => undefined;
  const h: Harness = {
    sessions,
    privilegedAttempts: 0,
    kill: (error) => lastFailed(error),
    deps: {
      launcherPath: '/opt/snitchmap/resources/helper/snitchmap-helper-launcher',
      preflight: () => preflight,
      startPrivileged: async (onFailed) => {
        const attempt = privileged[h.privilegedAttempts++] ?? privileged[privileged.length - 1];
        if (!attempt) throw new Error('no attempt scripted');
        const session = await attempt();
        sessions.push(session);
        lastFailed = onFailed;
        return session;
      },
      startUnprivileged: async (onFailed) => {
        const session = fakeSession('proc');
        sessions.push(session);
        lastFailed = onFailed;
        return session;
      },
    },
  };
  return h;
}

const ok = async (): Promise<FakeSession> => fakeSession('ebpf');
const exits = (code: number, message: string) => async (): Promise<FakeSession> => {
  throw new HelperStartError(message, code);
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
    const h = harness([exits(126, 'the capture helper was not authorised (126: request dismissed)')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    const { session, banner } = supervisor.state();
    expect(session?.mode).toBe('proc');
    expect(banner).toMatchObject({ kind: 'warning', canRetry: true });
    expect(banner?.message).toMatch(/cancelled/);
    expect(banner?.message).toMatch(/\/proc mode/);
  });

  it('127: polkit refused → /proc mode with a not-authorised banner', async () => {
    const h = harness([exits(127, 'the capture helper could not be run or was not authorised (127): Error executing command as another user: Not authorized')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('proc');
    expect(supervisor.state().banner?.message).toMatch(/did not authorise/);
  });

  it('127 with no authentication agent → says the agent is missing', async () => {
    const h = harness([exits(127, 'the capture helper could not be run or was not authorised (127): Error executing command as another user: No authentication agent found.')]);
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
    const h = harness([exits(-1, 'cannot start the capture helper (/usr/bin/pkexec): spawn /usr/bin/pkexec ENOENT')]);
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

  it('a helper that fails after pkexec let it run → error banner quoting the helper, one period', async () => {
    const h = harness([exits(1, 'the capture helper failed: no BTF in this kernel.')]);
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/^The capture helper failed to start: the capture helper failed: no BTF in this kernel\. snitchmap is running in \/proc mode/);
  });

  it('classifies exit codes without a message pattern too', () => {
    expect(classifyHelperFailure({ message: 'x', exitCode: 126 })).toBe('cancelled');
    expect(classifyHelperFailure({ message: 'x', exitCode: 127 })).toBe('not-authorized');
    expect(classifyHelperFailure({ message: 'x', exitCode: 1 })).toBe('helper-failed');
    expect(classifyHelperFailure({ message: 'x', code: 'ENOENT' })).toBe('pkexec-missing');
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
    h.kill(new Error('the capture helper was killed by SIGKILL'));
    await expect.poll(() => supervisor.state().session?.mode).toBe('proc');
    expect(first?.stopped).toBe(true);
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/helper stopped: the capture helper was killed by SIGKILL/);

    await supervisor.start();
    expect(supervisor.state().session?.mode).toBe('ebpf');
    expect(supervisor.state().banner).toBeNull();
    expect(h.sessions[1]?.stopped).toBe(true); // the /proc session was replaced
    expect(states).toContain('none:info'); // "waiting for authentication" while pkexec runs
  });

  it('a cancelled prompt, then retry and success', async () => {
    const h = harness([exits(126, 'request dismissed'), ok]);
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
    const h = harness([exits(127, 'Not authorized')]);
    h.deps.startUnprivileged = async () => {
      throw new Error('cannot read /proc/net/tcp');
    };
    const supervisor = createCaptureSupervisor(h.deps);
    await supervisor.start();
    expect(supervisor.state().session).toBeNull();
    expect(supervisor.state().banner).toMatchObject({ kind: 'error', canRetry: true });
    expect(supervisor.state().banner?.message).toMatch(/fallback failed too: cannot read \/proc\/net\/tcp/);
  });

  it('stop() while the prompt is open: the late session is stopped, nothing stays running', async () => {
    let release: () => void = () => undefined;
    const late = fakeSession('ebpf');
    const h = harness([() => new Promise<FakeSession>((resolve) => (release = () => resolve(late)))]);
    const supervisor = createCaptureSupervisor(h.deps);
    const starting = supervisor.start();
    await expect.poll(() => h.privilegedAttempts).toBe(1);
    const stopping = supervisor.stop();
    release();
    await Promise.all([starting, stopping]);
    expect(late.stopped).toBe(true);
    expect(supervisor.state().session).toBeNull();
  });
});
