// Walks each owner capability's variant chain against the kernel and keeps, per capability, the first
// variant that loads *and* attaches (libbpf's prog-type probes lie on kernels without kprobes). Each
// capability has its own object, loaded with only the candidate's programs autoloaded; a failed
// candidate is detached and closed before the next is tried, so nothing of it stays attached. All
// winners share one ring buffer and one sk_storage owner map (bpf_map__reuse_fd): the hooks' memory
// of what they already reported per socket. Flows join owners by socket cookie in userspace
// (docs/kernel-notes.md §3.2); the map's fd is exposed for tests and tools.
//
// openProbe() (native/index.ts) calls attachOwnerChains() and forwards records to its listeners.

import type { KernelOwner } from './api.js';
import type { BpfObjectHandle, NativeLink, RingBufferHandle, SnitchmapAddon } from './addon.js';
import { OWNER_MAPS } from './bpf-objects.js';
import { NativeError, toNativeError } from './errors.js';
import {
  ChainPlanError,
  OWNER_CAPABILITIES,
  mergeForce,
  parseForceEnv,
  planChain,
  type OwnerCapability,
  type OwnerForce,
  type Variant,
} from './chains.js';
import { sumPerCpuStats } from './flows-layout.js';
import { SM_OWNER_STAT_RINGBUF_FULL } from './generated/abi.js';
import { decodeBatch, decodeIteratorOutput, systemClock, type MonotonicToEpoch } from './owners-decode.js';
import { OwnerDelivery, type OwnerListeners } from './owners-delivery.js';
import { cgroupV2Root, scanProcOwners } from './procfs.js';
import { ProcPoller } from './procfs-poller.js';
import { pollerFailures, type DrainFailures } from './poller-failures.js';

const SHARED_MAPS = [OWNER_MAPS.events.name, OWNER_MAPS.skOwner.name, OWNER_MAPS.stats.name] as const;

export interface OwnerChainsContext {
  addon: SnitchmapAddon;
  /** Per-capability forced variant; SNITCHMAP_FORCE_VARIANTS of `env` fills the rest. */
  force?: OwnerForce;
  /** Defaults to the cgroup-v2 mount from /proc/mounts. */
  cgroupPath?: string | null;
  /** An sk_storage map created by another object (the TC side) to share instead of creating one. */
  skOwnerMapFd?: number;
  clock?: MonotonicToEpoch;
  scanProc?: () => KernelOwner[];
  /**
   * Where SNITCHMAP_FORCE_VARIANTS is read, only when given (tests, developer tools). Never
   * process.env by default: the root helper runs this, and its environment is not its own choice.
   */
  env?: NodeJS.ProcessEnv;
}

export type { OwnerListeners };

export interface OwnerChains {
  /** Winning variant per capability; null when nothing attached. */
  readonly winners: Record<OwnerCapability, string | null>;
  /** Why each losing candidate failed: capability → [variant, reason][]. */
  readonly probeLog: Record<string, Array<[string, string]>>;
  /** The shared sk_storage owner map (struct sm_sk_owner); nothing on the TC side reads it. */
  readonly skOwnerMapFd: number | null;
  listen(listeners: OwnerListeners): void;
  /** Drains the ring buffer now (records that did not trigger a wakeup). */
  poll(): void;
  existingOwners(): KernelOwner[];
  /**
   * eventsLost: ring buffer full + dropped before listen() + failed drains (each loses the record being
   * handed over); closesUnmatched: closes with no known endpoint.
   */
  stats(): { eventsLost: number; malformed: number; closesUnmatched: number; drainFailures: DrainFailures };
  /** Failed drains of the shared owner ring (cheap: no map read). */
  drainFailures(): DrainFailures;
  close(): void;
}

interface Attached {
  object: BpfObjectHandle | null;
  links: NativeLink[];
}

function reason(error: unknown): string {
  const native = toNativeError(error);
  return `${native.code}: ${native.message}`;
}

export function attachOwnerChains(context: OwnerChainsContext): OwnerChains {
  const { addon } = context;
  const clock = context.clock ?? systemClock();
  const scanProc = context.scanProc ?? (() => scanProcOwners());
  const force = planOrThrow(() => mergeForce(context.force, parseForceEnv(context.env?.SNITCHMAP_FORCE_VARIANTS)));
  const cgroupPath = context.cgroupPath === undefined ? cgroupV2Root() : context.cgroupPath;
  const shared = new Map<string, number>();
  if (context.skOwnerMapFd !== undefined) shared.set(OWNER_MAPS.skOwner.name, context.skOwnerMapFd);
  let statsObject: BpfObjectHandle | null = null;
  let ring: RingBufferHandle | null = null;
  const delivery = new OwnerDelivery();
  const procPoller = new ProcPoller(scanProc, (owners) => delivery.deliver({ owners, closes: [], processes: [], malformed: 0 }));
  const attached: Attached[] = [];
  const winners = Object.fromEntries(OWNER_CAPABILITIES.map((capability) => [capability, null])) as Record<OwnerCapability, string | null>;
  const probeLog: Record<string, Array<[string, string]>> = {};
  let iterator: { object: BpfObjectHandle; program: string } | null = null;

  function attachProgram(object: BpfObjectHandle, program: string, variant: Variant): NativeLink | null {
    if (variant.attach === 'iter') {
      object.runIterator(program);
      return null;
    }
    if (variant.attach === 'cgroup') {
      if (!cgroupPath) throw new NativeError('no cgroup-v2 hierarchy mounted (see /proc/mounts)', { code: 'ENOENT' });
      return object.attachCgroup(program, cgroupPath);
    }
    return object.attachAuto(program);
  }

  function tryBpfVariant(variant: Variant): Attached {
    const object = addon.openObject(variant.object ?? '');
    const links: NativeLink[] = [];
    try {
      for (const program of object.programs()) object.setAutoload(program.name, variant.programs.includes(program.name));
      const mapNames = new Set(object.maps().map((map) => map.name));
      for (const [name, fd] of shared) if (mapNames.has(name)) object.reuseMapFd(name, fd);
      object.load();
      for (const program of variant.programs) {
        const link = attachProgram(object, program, variant);
        if (link) links.push(link);
      }
      if (!ring) ring = addon.openRingBuffer(object.mapFd(OWNER_MAPS.events.name), (batch) => delivery.deliver(decodeBatch(batch, clock)));
      for (const name of SHARED_MAPS) if (!shared.has(name) && mapNames.has(name)) shared.set(name, object.mapFd(name));
      statsObject ??= object;
      if (variant.attach === 'iter') iterator = { object, program: variant.programs[0] ?? '' };
      return { object, links };
    } catch (error) {
      for (const link of links) link.detach();
      object.close();
      throw error;
    }
  }

  function closeAll(): void {
    procPoller.stop();
    ring?.close();
    ring = null;
    for (const entry of attached.splice(0)) {
      for (const link of entry.links) link.detach();
      entry.object?.close();
    }
    iterator = null;
    statsObject = null;
  }

  // Every plan first: an unknown forced name must fail before anything is attached.
  const plans = OWNER_CAPABILITIES.map((capability) => [capability, planOrThrow(() => planChain(capability, force[capability]))] as const);
  for (const [capability, plan] of plans) {
    const forced = force[capability];
    const log: Array<[string, string]> = [];
    probeLog[capability] = log;
    for (const variant of plan) {
      try {
        if (variant.object === null) {
          if (capability !== 'startup') procPoller.start();
          attached.push({ object: null, links: [] });
        } else {
          attached.push(tryBpfVariant(variant));
        }
        winners[capability] = variant.name;
        break;
      } catch (error) {
        log.push([variant.name, reason(error)]);
      }
    }
    if (forced !== undefined && winners[capability] === null) {
      closeAll();
      const why = log[log.length - 1]?.[1] ?? 'unknown';
      throw new NativeError(`forced ${capability} variant '${forced}' cannot run here — ${why}; nothing was left attached`, {
        code: 'EVARIANT',
      });
    }
  }

  return {
    winners,
    probeLog,
    skOwnerMapFd: shared.get(OWNER_MAPS.skOwner.name) ?? null,
    listen: (listeners) => delivery.listen(listeners),
    poll() {
      ring?.consume();
    },
    existingOwners() {
      if (!iterator) return winners.startup === null ? [] : scanProc();
      const records = decodeIteratorOutput(iterator.object.runIterator(iterator.program), clock);
      delivery.malformed += records.malformed;
      return records.owners;
    },
    stats() {
      const ringbufFull = statsObject
        ? (sumPerCpuStats(statsObject.readPerCpuArray(OWNER_MAPS.stats.name, SM_OWNER_STAT_RINGBUF_FULL), 1)[0] ?? 0)
        : 0;
      const drainFailures = pollerFailures(ring);
      return {
        eventsLost: ringbufFull + delivery.dropped + drainFailures.count,
        malformed: delivery.malformed,
        closesUnmatched: delivery.closesUnmatched,
        drainFailures,
      };
    },
    drainFailures: () => pollerFailures(ring),
    close: closeAll,
  };
}

/** An unknown forced variant is a forced variant that cannot run: EVARIANT, before anything attaches. */
function planOrThrow<T>(plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (error instanceof ChainPlanError) throw new NativeError(error.message, { code: 'EVARIANT' });
    throw error;
  }
}
