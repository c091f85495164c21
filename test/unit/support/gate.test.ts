// The skip policy itself (test/support/gate.ts): skip with the reason elsewhere, fail under CI=true.
import { afterEach, describe, expect, it, vi } from 'vitest';

async function loadGate(ci: string | undefined) {
  vi.resetModules();
  vi.stubEnv('CI', ci);
  return import('../../support/gate.js');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('gate', () => {
  it('runs when every requirement is met (null or empty reasons)', async () => {
    const { gate } = await loadGate('true');
    expect(gate('suite', null, undefined, '')).toEqual({ skip: false, reason: '' });
  });

  it('outside CI: skips with the first reason and prints it', async () => {
    const { gate, inCi } = await loadGate(undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(inCi).toBe(false);
    expect(gate('UI e2e', null, '/usr/bin/chromium is not installed', 'not root')).toEqual({ skip: true, reason: '/usr/bin/chromium is not installed' });
    expect(warn).toHaveBeenCalledWith('skipping UI e2e: /usr/bin/chromium is not installed');
  });

  it('with CI=true: throws the reason instead of skipping', async () => {
    const { gate } = await loadGate('true');
    expect(() => gate('kernel tests', 'kernel has no BTF (/sys/kernel/btf/vmlinux)'))
      .toThrow('kernel tests cannot run in CI: kernel has no BTF (/sys/kernel/btf/vmlinux)');
  });

  it('names the missing root', async () => {
    const { notRootReason } = await loadGate(undefined);
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    expect(notRootReason('needs CAP_BPF')).toBe('not root (needs CAP_BPF)');
    vi.spyOn(process, 'getuid').mockReturnValue(0);
    expect(notRootReason('needs CAP_BPF')).toBeNull();
  });
});
