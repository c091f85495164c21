// Kernel tests are real: root, the built addon, network namespaces. The policy (skip with the
// reason; fail in CI) is test/support/gate.ts; this file says what a kernel test needs.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gate, notRootReason, type Gate } from './gate.js';

export { inCi } from './gate.js';

/** Why kernel tests cannot run here, or null when they can. */
export function kernelUnavailableReason(requiredFiles: string[] = []): string | null {
  const notRoot = notRootReason('kernel tests need CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN');
  if (notRoot !== null) return notRoot;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  } catch {
    return "'ip netns' is not usable (iproute2 missing?)";
  }
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'kernel has no BTF (/sys/kernel/btf/vmlinux)';
  for (const file of requiredFiles) {
    if (!existsSync(file)) return `${file} is missing (run 'npm run build')`;
  }
  return null;
}

/**
 * For a kernel test file: `{ skip, reason }` for `describe.skipIf(skip)`; in CI it throws, so the
 * file fails instead of skipping (gate.ts).
 */
export function kernelGate(requiredFiles: string[] = [], suite = 'kernel tests'): Gate {
  return gate(suite, kernelUnavailableReason(requiredFiles));
}
