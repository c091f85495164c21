// Kernel tests are real: root, the built addon, network namespaces. In CI (CI=true) a kernel test
// that cannot run must fail; elsewhere it is skipped with the reason printed.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const inCi = process.env.CI === 'true';

/** Why kernel tests cannot run here, or null when they can. */
export function kernelUnavailableReason(requiredFiles: string[] = []): string | null {
  if (process.getuid?.() !== 0) return 'not root (kernel tests need CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN)';
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
 * For a kernel test file: returns `{ skip, reason }` for `describe.skipIf(skip)`. In CI it throws,
 * so the file fails instead of skipping.
 */
export function kernelGate(requiredFiles: string[] = []): { skip: boolean; reason: string } {
  const reason = kernelUnavailableReason(requiredFiles);
  if (reason === null) return { skip: false, reason: '' };
  if (inCi) throw new Error(`kernel test cannot run in CI: ${reason}`);
  console.warn(`skipping kernel tests: ${reason}`);
  return { skip: true, reason };
}
