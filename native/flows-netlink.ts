// Decodes rtnetlink RTM_NEWLINK/RTM_DELLINK batches from watchLinks(). Only what the attacher needs:
// ifindex, name, and whether the link appeared/changed or went away.

const NLMSG_HDRLEN = 16;
const IFINFOMSG_LEN = 16;
const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const NLMSG_OVERRUN = 4;
const IFLA_IFNAME = 3;

export type LinkEvent =
  | { kind: 'new' | 'del'; ifindex: number; name: string | null }
  | { kind: 'overrun' };

function align4(n: number): number {
  return (n + 3) & ~3;
}

function readName(message: Buffer, start: number, end: number): string | null {
  let offset = start;
  while (offset + 4 <= end) {
    const length = message.readUInt16LE(offset);
    const type = message.readUInt16LE(offset + 2) & 0x3fff;
    if (length < 4 || offset + length > end) return null;
    if (type === IFLA_IFNAME) {
      const raw = message.subarray(offset + 4, offset + length);
      const nul = raw.indexOf(0);
      return raw.subarray(0, nul < 0 ? raw.length : nul).toString('utf8');
    }
    offset += align4(length);
  }
  return null;
}

/** Malformed or truncated messages end the batch (netlink from the kernel is trusted but bounded). */
export function decodeLinkEvents(batch: Buffer): LinkEvent[] {
  const events: LinkEvent[] = [];
  let offset = 0;
  while (offset + NLMSG_HDRLEN <= batch.length) {
    const length = batch.readUInt32LE(offset);
    const type = batch.readUInt16LE(offset + 4);
    if (length < NLMSG_HDRLEN || offset + length > batch.length) break;
    if (type === NLMSG_OVERRUN) {
      events.push({ kind: 'overrun' });
    } else if ((type === RTM_NEWLINK || type === RTM_DELLINK) && length >= NLMSG_HDRLEN + IFINFOMSG_LEN) {
      const ifindex = batch.readInt32LE(offset + NLMSG_HDRLEN + 4);
      const name = readName(batch, offset + NLMSG_HDRLEN + IFINFOMSG_LEN, offset + length);
      events.push({ kind: type === RTM_NEWLINK ? 'new' : 'del', ifindex, name });
    }
    offset += align4(length);
  }
  return events;
}
