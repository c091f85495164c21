// Kernel test files the matrix leaves to the host kernel. `npm test` runs every file of test/kernel
// on the CI machine's own kernel; the emulated guests run the rest. A file belongs here only when
// what it proves does not change with the kernel — it tests the engine or the CLI above a capture
// that the matrix's other files already prove on every kernel — or when it needs what an emulated
// guest cannot give; or, quarantined with its reason and an open issue, a test that fails
// intermittently there while the cause is sought (it still runs on the host in every CI run). Each
// one cost minutes per guest under TCG (measured 2026-12-02), and the matrix has to fit CI's budget
// with three kernels.
import { readdirSync } from 'node:fs';

export const HOST_ONLY = [
  {
    file: 'test/kernel/flows-read-churn.test.ts',
    why: 'races a table read against another CPU inserting rows: an emulated guest rarely interleaves them (5.10 found no ENOSPC in 300 s); the bounded read loop it checks is the addon\'s, the same on every kernel',
  },
  {
    file: 'test/kernel/history.test.ts',
    why: 'the engine\'s SQLite history (crash safety, retention, the history verb) above the capture the watch-* files prove per kernel',
  },
  {
    file: 'test/kernel/metrics.test.ts',
    why: 'a real Prometheus scraping the engine\'s /metrics: engine and exporter code above the capture the watch-* files prove per kernel',
  },
  {
    file: 'test/kernel/privilege-drop.test.ts',
    why: 'setuid/setgid of the root-run CLI and the helper\'s scrubbed environment: process credentials, not kernel capture',
  },
];

/** The kernel test files each guest runs: every file in test/kernel but the host-only ones. */
export function matrixFiles(root) {
  const all = readdirSync(`${root}test/kernel`).filter((name) => name.endsWith('.test.ts')).map((name) => `test/kernel/${name}`);
  const stale = HOST_ONLY.filter(({ file }) => !all.includes(file));
  if (stale.length > 0) throw new Error(`host-only.mjs names missing test files: ${stale.map(({ file }) => file).join(', ')}`);
  return all.filter((file) => !HOST_ONLY.some((entry) => entry.file === file)).sort();
}
