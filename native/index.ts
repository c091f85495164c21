// openProbe(): the facade of native/api.ts. The flows side (TC program, native/flows.ts) and the
// owners side (variant chains, native/owners.ts) are opened here and presented as one Probe.

import type { CaptureStats } from '../src/shared/capture.js';
import type { Probes } from '../src/shared/contract.js';
import { loadAddon, type SnitchmapAddon } from './addon.js';
import type { Probe, ProbeListeners, ProbeOptions, TcMode } from './api.js';
import { NativeError, toNativeError } from './errors.js';
import { FlowCapture } from './flows.js';
import { attachOwnerChains, type OwnerChains } from './owners.js';
import { addFailures } from './poller-failures.js';

export type { Probe, ProbeListeners, ProbeOptions } from './api.js';
export { NativeError } from './errors.js';

/** The DNS capability is the TC program's own bounded copy of port 53/5353/5355 payloads. */
export const TC_DNS_VARIANT = 'tc:dns';

function forcedTcMode(options: ProbeOptions): { mode: TcMode; forced: boolean } {
  const forced = options.force?.tc;
  if (forced === undefined) return { mode: options.tcMode ?? 'auto', forced: options.tcMode !== undefined && options.tcMode !== 'auto' };
  if (forced === 'tcx' || forced === 'clsact') return { mode: forced, forced: true };
  throw new NativeError(`unknown tc variant '${forced}' (tcx, clsact)`, { code: 'EVARIANT' });
}

function openFlows(options: ProbeOptions, addon: SnitchmapAddon): FlowCapture {
  const { mode, forced } = forcedTcMode(options);
  try {
    return FlowCapture.open(
      {
        tcMode: mode,
        ...(options.flowTableSize !== undefined ? { flowTableSize: options.flowTableSize } : {}),
        ...(options.interfaces !== undefined ? { interfaces: options.interfaces } : {}),
        ...(options.dnsCaptureBytes !== undefined ? { dnsCaptureBytes: options.dnsCaptureBytes } : {}),
      },
      addon,
    );
  } catch (error) {
    const failure = toNativeError(error);
    if (forced && failure.code !== 'EPERM') throw new NativeError(`forced tc variant '${mode}' failed: ${failure.message}`, { code: 'EVARIANT', log: failure.log });
    throw failure;
  }
}

/**
 * Loads the embedded objects and attaches everything. Rejects with NativeError when the TC program
 * cannot load or attach anywhere (EPERM: missing capabilities) or a forced variant fails (EVARIANT);
 * nothing stays attached after a rejection.
 */
export async function openProbe(options: ProbeOptions = {}, addon: SnitchmapAddon = loadAddon()): Promise<Probe> {
  const forcedDns = options.force?.dns;
  if (forcedDns !== undefined && forcedDns !== TC_DNS_VARIANT) {
    throw new NativeError(`unknown dns variant '${forcedDns}' (${TC_DNS_VARIANT})`, { code: 'EVARIANT' });
  }
  const flows = openFlows(options, addon);
  let owners: OwnerChains;
  try {
    const { tc: _tc, dns: _dns, ...ownerForce } = options.force ?? {};
    owners = attachOwnerChains({ addon, force: ownerForce });
  } catch (error) {
    flows.close();
    throw toNativeError(error);
  }
  const probes: Probes = {
    tc: flows.tcMode,
    connect: owners.winners.connect,
    accept: owners.winners.accept,
    udp: owners.winners.udp,
    close: owners.winners.close,
    exec: owners.winners.exec,
    dns: flows.tcMode && flows.features.has('dns') ? TC_DNS_VARIANT : null,
    startup: owners.winners.startup,
    icmp: owners.winners.icmp,
  };
  const dnsRefusal = flows.refused.get('dns');
  const probeLog = dnsRefusal ? { ...owners.probeLog, dns: [[TC_DNS_VARIANT, dnsRefusal] as [string, string]] } : owners.probeLog;
  let closed = false;
  return {
    probes,
    probeLog,
    listen(listeners: ProbeListeners) {
      const { owners: onOwners, processes, flowEnds, ...flowSide } = listeners;
      // Owner records written before a flow's first packet (connect, sendmsg, socket()) must reach
      // the listeners before that flow's row: drain the owner ring before each flow batch.
      flows.listen({ ...flowSide, ...(flowEnds ? { flowEnds } : {}), beforeBatch: () => owners.poll() });
      owners.listen({ ...(onOwners ? { owners: onOwners } : {}), ...(processes ? { processes } : {}), ...(flowEnds ? { flowEnds } : {}) });
    },
    // Drain both ring buffers first: a DNS answer or owner record written before a flow's first
    // packet must reach the listeners before that flow's row does (DNS copies and owner records
    // do not force a wakeup, so they may still sit in the ring when the table is read).
    readFlows: () => {
      owners.poll();
      const rows = flows.readFlows();
      // Records written while the table was read reach the listeners before these rows do.
      owners.poll();
      return rows;
    },
    packets: () => flows.packets(),
    wakeOnTraffic: () => flows.wakeOnTraffic(),
    existingOwners: () => owners.existingOwners(),
    stats(): CaptureStats {
      const flowStats = flows.stats();
      const ownerStats = owners.stats();
      return {
        ts: Date.now(),
        eventsLost: flowStats.eventsLost + ownerStats.eventsLost,
        flowsEvicted: flowStats.flowsEvicted,
        parseErrors: flowStats.parseErrors + ownerStats.malformed,
        interfaces: flowStats.interfaces,
      };
    },
    drainFailures: () => addFailures(flows.drainFailures(), owners.drainFailures()),
    close() {
      if (closed) return;
      closed = true;
      try {
        owners.close();
      } finally {
        flows.close();
      }
    },
  };
}
