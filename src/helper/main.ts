// Entry point of the root helper (dist/src/helper/main.js), started by the user's engine directly
// (already root), through sudo, or through pkexec and the desktop launcher. Takes no arguments.

import { release } from 'node:os';
import type { Probe, ProbeOptions } from '../../native/api.js';
import { runHelper } from './helper.js';
import { CgroupPaths } from './cgroup-paths.js';
import { ContainerNames } from './container-names.js';
import { ProcIdentity } from './proc-identity.js';
import { hostNetns } from '../common/proc-lineage.js';

/** The contract: gone within 1 s of being asked, even if a detach hangs in the kernel. */
const EXIT_DEADLINE_MS = 900;

// Loaded lazily so a missing or broken addon becomes an `error` message, not a crash at import.
async function openProbe(options: ProbeOptions): Promise<Probe> {
  const native = await import('../../native/index.js');
  return native.openProbe(options);
}

if (process.argv.length > 2) {
  process.stderr.write('snitchmap helper: takes no arguments\n');
  process.exit(2);
}

const run = runHelper({
  openProbe,
  input: process.stdin,
  output: process.stdout,
  identity: new ProcIdentity('/proc', { cgroups: new CgroupPaths(), containers: new ContainerNames(), hostNetns: hostNetns() }),
  kernel: release(),
  pid: process.pid,
});

function stopWithDeadline(reason: string): void {
  run.stop(reason);
  setTimeout(() => process.exit(1), EXIT_DEADLINE_MS);
}

process.on('SIGTERM', () => stopWithDeadline('SIGTERM'));
process.on('SIGINT', () => stopWithDeadline('SIGINT'));
process.on('SIGHUP', () => stopWithDeadline('SIGHUP'));
process.stdin.on('end', () => stopWithDeadline('stdin closed'));

run.done.then(
  (reason) => process.exit(reason === 'probe failed' ? 1 : 0),
  (error: unknown) => {
    process.stderr.write(`snitchmap helper: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
