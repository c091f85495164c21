// What the running kernel offers, read from the kernel itself (never from snitchmap), so kernel tests
// can say which variants must load here: the same tests then hold on 5.10, 6.1, 6.12 and this machine.

import { existsSync, readFileSync } from 'node:fs';
import type { Variant, VariantNeeds } from '../../native/chains.js';

export interface KernelFacts {
  release: string;
  /** [major, minor] */
  version: [number, number];
  /** CONFIG_KPROBES (the perf kprobe PMU, since 4.17). */
  kprobes: boolean;
  /**
   * fentry/fexit may attach. No file tells: this machine's kernel (built without kprobes) refuses
   * trampolines by policy (EPERM) while Debian's kernels, which all have kprobes, allow them. The
   * two have gone together on every kernel tested, so kprobes stand in for both.
   */
  trampoline: boolean;
  /** tcx links (BPF_TCX_INGRESS/EGRESS, 6.6); older kernels attach TC through clsact only. */
  tcx: boolean;
}

export function kernelFacts(): KernelFacts {
  const release = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const [major = 0, minor = 0] = release.split(/[.-]/).map(Number);
  const kprobes = existsSync('/sys/bus/event_source/devices/kprobe');
  const tcx = major > 6 || (major === 6 && minor >= 6);
  return { release, version: [major, minor], kprobes, trampoline: kprobes, tcx };
}

function atLeast(facts: KernelFacts, since: string): boolean {
  const [major = 0, minor = 0] = since.split('.').map(Number);
  return facts.version[0] > major || (facts.version[0] === major && facts.version[1] >= minor);
}

export function kernelMeets(needs: VariantNeeds, facts: KernelFacts = kernelFacts()): boolean {
  return atLeast(facts, needs.since) && (!needs.kprobes || facts.kprobes) && (!needs.trampoline || facts.trampoline);
}

/** The variant a chain must pick here: the first whose needs the kernel meets. */
export function expectedWinner(chain: readonly Variant[], facts: KernelFacts = kernelFacts()): string | null {
  return chain.find((candidate) => kernelMeets(candidate.needs, facts))?.name ?? null;
}
