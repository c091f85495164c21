// The one skip policy (docs/testing.md): every "can this test run here?" check goes through
// `gate`. Elsewhere a missing requirement (root, a kernel feature, Chromium, a built file) skips the
// suite with the reason printed; with CI=true it throws, so the file fails with that reason: in CI a
// test that did not run is a failure, never a quiet pass.

export const inCi = process.env.CI === 'true';

export interface Gate {
  /** For `describe.skipIf(gate.skip)`: only ever true outside CI. */
  skip: boolean;
  reason: string;
}

/**
 * `reasons`: why the suite cannot run here (null or '' = that requirement is met); the first one
 * counts. Returns the gate for `describe.skipIf`; in CI throws instead of skipping.
 */
export function gate(suite: string, ...reasons: Array<string | null | undefined>): Gate {
  const reason = reasons.find((entry): entry is string => typeof entry === 'string' && entry !== '');
  if (reason === undefined) return { skip: false, reason: '' };
  if (inCi) throw new Error(`${suite} cannot run in CI: ${reason}`);
  console.warn(`skipping ${suite}: ${reason}`);
  return { skip: true, reason };
}

/** Why a suite that needs root cannot run, or null. */
export function notRootReason(why: string): string | null {
  return process.getuid?.() === 0 ? null : `not root (${why})`;
}
