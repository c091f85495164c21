// Which side started a connection. The owner's hook is the best witness (connect() vs accept());
// without one, the kernel's record of who sent the first packet (or the SYN) decides.
import type { FlowSample, OwnerHow } from '../../shared/capture.js';
import type { Direction } from '../../shared/contract.js';
import type { OwnerMatch } from './owner-index.js';

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;
/** Linux's default ephemeral port range starts here (net.ipv4.ip_local_port_range). */
const EPHEMERAL_START = 32_768;

const OUTBOUND_HOWS = new Set<OwnerHow>(['connect', 'udp-send']);
const INBOUND_HOWS = new Set<OwnerHow>(['accept', 'listen']);

/** What the owner's hook says, or null when its record does not tell (bind, existing, io ...). */
export function ownerDirection(match: OwnerMatch | null): Direction | null {
  if (!match) return null;
  if (match.via === 'listen') return 'inbound';
  if (OUTBOUND_HOWS.has(match.owner.how)) return 'outbound';
  if (INBOUND_HOWS.has(match.owner.how)) return 'inbound';
  return null;
}

/** What the flow's first kernel row says. */
export function sampleDirection(sample: FlowSample): Direction {
  if (sample.initiator === 'local') return 'outbound';
  if (sample.initiator === 'remote') return 'inbound';
  // A SYN without ACK among the flags and only rx traffic means the remote opened it.
  if ((sample.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN && sample.txPackets === 0) return 'inbound';
  if (sample.localPort < EPHEMERAL_START && sample.remotePort >= EPHEMERAL_START) return 'inbound';
  return 'outbound';
}
