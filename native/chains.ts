// Which program variants can give each owner capability, in the order they are tried, and which of
// them a run should try (the plan). Pure: no kernel access, so the order and the force rules are
// unit-tested without root. native/owners.ts walks the plan against the kernel.
//
// Order: fentry/fexit and kprobe variants lead (the richest context on kernels that allow them); then
// the stable tracepoint / cgroup / sockops hooks; /proc last. A variant that taxes every syscall on
// the machine (syscall tracepoints, docs/kernel-notes.md §5.2) always comes after every cheaper one.

import type { BpfObjectName, ProgramOf } from './generated/objects.js';

export const OWNER_CAPABILITIES = ['connect', 'accept', 'udp', 'close', 'exec', 'startup', 'icmp'] as const;
export type OwnerCapability = (typeof OWNER_CAPABILITIES)[number];

/** How the programs of a variant attach: bpf_program__attach, a cgroup-v2 attach, a one-shot iterator, or no BPF. */
export type AttachKind = 'auto' | 'cgroup' | 'iter' | 'proc';

export interface Variant {
  /** Reported name, e.g. 'tp_btf:inet_sock_set_state' (the hello's `probes`). */
  name: string;
  /** Embedded object (bpf/<object>.bpf.c); null for the /proc fallback. */
  object: string | null;
  programs: string[];
  attach: AttachKind;
  /** Attaching it adds work to every syscall of every process (a syscall tracepoint). */
  taxesEverySyscall: boolean;
  /**
   * What a kernel needs for it to load: the first version whose verifier and hooks take it, and
   * CONFIG_KPROBES (kprobe) or BPF trampolines (fentry/fexit). Kernel tests derive from this which
   * variants must load on the running kernel; the kernel matrix proves it on 5.10, 6.1, 6.12 and the host.
   */
  needs: VariantNeeds;
}

export interface VariantNeeds {
  /** 'major.minor' */
  since: string;
  kprobes?: boolean;
  trampoline?: boolean;
}

/** Object and program names are checked by tsc against the built objects (native/generated/objects.ts). */
function variant<O extends BpfObjectName>(
  name: string,
  object: O,
  programs: Array<ProgramOf<O>>,
  attach: AttachKind,
  needs: VariantNeeds,
  taxes = false,
): Variant {
  return { name, object, programs, attach, taxesEverySyscall: taxes, needs };
}

// Kernel facts behind the `needs` below (each refusal seen in the kernel matrix): BPF trampolines
// (fentry/fexit) and tp_btf came in 5.5; BPF_CGROUP_INET_SOCK_RELEASE in 5.9; bpf_sk_storage_get in
// tracing programs and bpf_sock_from_file (iter/task_file sockets) in 5.11 (5.10: "unknown func
// bpf_sk_storage_get#107"); bpf_get_socket_cookie on a struct sock in tracing programs in 5.12 (5.10:
// "unknown func bpf_get_socket_cookie#46"); the sock_send_length/sock_recv_length tracepoints in 6.3
// (6.1: ESRCH). The sockops variant calls pid and uid helpers that 6.1 and 6.12 refuse there and 6.18
// takes: its `since` is set just past the last refusal seen, not at a known first release.
const TRAMPOLINE: VariantNeeds = { since: '5.5', trampoline: true };
const KPROBE: VariantNeeds = { since: '4.17', kprobes: true };

/** /proc scan (sockets → inodes → /proc/PID/fd); every capability can fall back to it except close/exec. */
export const PROC_VARIANT: Variant = { name: 'proc:/proc', object: null, programs: [], attach: 'proc', taxesEverySyscall: false, needs: { since: '0.0' } };

export const OWNER_CHAINS: Readonly<Record<OwnerCapability, readonly Variant[]>> = {
  connect: [
    variant('fentry:tcp_connect', 'owners_connect', ['connect_fentry'], 'auto', { ...TRAMPOLINE, since: '5.11' }),
    variant('kprobe:tcp_connect', 'owners_connect', ['connect_kprobe'], 'auto', KPROBE),
    variant('tp_btf:inet_sock_set_state', 'owners_connect', ['connect_tp_btf'], 'auto', { since: '5.11' }),
    variant('tracepoint:inet_sock_set_state', 'owners_connect', ['connect_tp'], 'auto', { since: '4.16' }),
    variant('sockops:tcp_connect', 'owners_connect', ['connect_sockops'], 'cgroup', { since: '6.13' }),
    PROC_VARIANT,
  ],
  accept: [
    variant('fexit:inet_csk_accept', 'owners_accept', ['accept_fexit'], 'auto', TRAMPOLINE),
    variant('kretprobe:inet_csk_accept', 'owners_accept', ['accept_kretprobe'], 'auto', KPROBE),
    variant('tp_btf:sock_recv_length', 'owners_accept', ['accept_state_tp_btf', 'accept_recv_tp_btf', 'accept_send_tp_btf'], 'auto', { since: '6.3' }),
    variant('tracepoint:sys_exit_accept4', 'owners_accept', ['accept_sys_exit4', 'accept_sys_exit'], 'auto', { since: '4.17' }, true),
    PROC_VARIANT,
  ],
  udp: [
    variant('fexit:udp_sendmsg', 'owners_udp', ['udp_fexit', 'udp6_fexit', 'udp_recv_fentry', 'udp6_recv_fentry'], 'auto', TRAMPOLINE),
    variant('kprobe:udp_sendmsg', 'owners_udp', ['udp_kprobe', 'udp6_kprobe', 'udp_recv_kprobe', 'udp6_recv_kprobe'], 'auto', KPROBE),
    variant('tp_btf:sock_send_length', 'owners_udp', ['udp_send_tp_btf', 'udp_recv_tp_btf'], 'auto', { since: '6.3' }),
    variant(
      'cgroup:sendmsg',
      'owners_udp',
      ['udp_sendmsg4', 'udp_sendmsg6', 'udp_recvmsg4', 'udp_recvmsg6', 'udp_connect4', 'udp_connect6', 'udp_skb_egress'],
      'cgroup',
      { since: '5.8' },
    ),
    PROC_VARIANT,
  ],
  // cgroup:sock_release before tp_btf: it also ends UDP sockets, which have no state tracepoint.
  close: [
    variant('fentry:tcp_close', 'owners_close', ['close_fentry'], 'auto', { ...TRAMPOLINE, since: '5.12' }),
    variant('kprobe:tcp_close', 'owners_close', ['close_kprobe'], 'auto', KPROBE),
    variant('cgroup:sock_release', 'owners_close', ['close_sock_release'], 'cgroup', { since: '5.9' }),
    variant('tp_btf:inet_sock_set_state', 'owners_close', ['close_tp_btf'], 'auto', { since: '5.12' }),
  ],
  exec: [
    variant('tp_btf:sched_process_exec', 'procs', ['exec_tp_btf', 'exit_tp_btf'], 'auto', { since: '5.5' }),
    variant('tracepoint:sched_process_exec', 'procs', ['exec_tp', 'exit_tp'], 'auto', { since: '4.17' }),
  ],
  startup: [variant('iter:task_file', 'owners_iter', ['existing_sockets'], 'iter', { since: '5.11' }), PROC_VARIANT],
  // Ping and raw ICMP sockets have no port to join on, and no /proc fallback that could name them
  // before their first packet: the owner comes from socket() and joins by cookie.
  icmp: [variant('cgroup:sock_create', 'owners_create', ['create_icmp'], 'cgroup', { since: '5.10' })],
};

export type OwnerForce = Partial<Record<OwnerCapability, string>>;

export class ChainPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChainPlanError';
  }
}

/** Variants to try for one capability: the whole chain, or exactly the forced one. */
export function planChain(capability: OwnerCapability, force?: string): readonly Variant[] {
  const chain = OWNER_CHAINS[capability];
  if (force === undefined) return chain;
  const forced = chain.find((candidate) => candidate.name === force);
  if (!forced) {
    const names = chain.map((candidate) => candidate.name).join(', ');
    throw new ChainPlanError(`unknown ${capability} variant '${force}' (known: ${names})`);
  }
  return [forced];
}

function isOwnerCapability(name: string): name is OwnerCapability {
  return (OWNER_CAPABILITIES as readonly string[]).includes(name);
}

/**
 * SNITCHMAP_FORCE_VARIANTS="connect=tp_btf:inet_sock_set_state,udp=cgroup:sendmsg". Keys of other
 * capabilities (tc, dns) belong to the flows side and are ignored here; malformed entries and unknown
 * variant names of owner capabilities are errors.
 */
export function parseForceEnv(value: string | undefined): OwnerForce {
  const force: OwnerForce = {};
  if (!value) return force;
  for (const entry of value.split(',').map((part) => part.trim()).filter((part) => part.length > 0)) {
    const equals = entry.indexOf('=');
    if (equals <= 0 || equals === entry.length - 1) {
      throw new ChainPlanError(`SNITCHMAP_FORCE_VARIANTS: '${entry}' is not capability=variant`);
    }
    const capability = entry.slice(0, equals).trim();
    const name = entry.slice(equals + 1).trim();
    if (!isOwnerCapability(capability)) continue;
    planChain(capability, name);
    force[capability] = name;
  }
  return force;
}

/** Explicit options win over the environment, capability by capability. */
export function mergeForce(options: OwnerForce | undefined, env: OwnerForce): OwnerForce {
  return { ...env, ...(options ?? {}) };
}

/** Every BPF variant of every chain, for tests that force them one at a time. */
export function allBpfVariants(): Array<{ capability: OwnerCapability; variant: Variant }> {
  return OWNER_CAPABILITIES.flatMap((capability) =>
    OWNER_CHAINS[capability].filter((candidate) => candidate.object !== null).map((candidate) => ({ capability, variant: candidate })),
  );
}
