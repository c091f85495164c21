// Which DNS answers the engine believes. The TC program copies every packet to or from ports 53,
// 5353 and 5355, whoever sent it; a response names addresses only when it answers a query this
// machine sent. The rules, per protocol:
//
// - DNS (answer from port 53): the reversed tuple of a query sent within QUERY_LIFETIME_MS (same
//   protocol, addresses and ports), the same id, and only questions that query asked. One answer
//   per query. Sending from port 53 needs privilege, so a local user cannot play the server.
//   Times (`at`) are the packets', as the kernel stamped them, not when they were read (name-cache.ts).
// - LLMNR (5355, RFC 4795) and legacy unicast mDNS (5353 answering a query from another port, RFC
//   6762 §6.7): responders answer a multicast query from their own address, so besides the exact
//   reversed tuple, a reply to the querier's address and port with the query's id and questions is
//   accepted when the query went to that protocol's multicast group. Several responders may answer.
// - mDNS between port 5353 sockets (avahi and the like, RFC 6762): responses carry id 0 and no
//   question, and may be multicast; only their records for names this machine asked in an mDNS
//   query within QUERY_LIFETIME_MS are taken.
// - 5353 and 5355 are unprivileged ports and any local user can join the multicast groups to learn
//   a pending query's id and port: answers to them from an address of this machine are refused.
//   Hosts on the link can still answer mDNS and LLMNR queries; that is those protocols' design.
//
// Anything else that looks like a response (unsolicited, mismatched, spoofed) is counted as unmatched.
import type { DnsPayload } from '../../shared/capture.js';
import { answerOwners, lowerName, questionKeys, type DnsMessage } from './answers.js';
import { ExpiringTable } from './expiring-table.js';
import type { OwnAddressCheck } from './own-addresses.js';

const DNS_PORT = 53;
const MDNS_PORT = 5353;
const LLMNR_PORT = 5355;
const GROUPS: Record<number, string[]> = {
  [MDNS_PORT]: ['224.0.0.251', 'ff02::fb'],
  [LLMNR_PORT]: ['224.0.0.252', 'ff02::1:3'],
};

/** Stub resolvers give up after a few seconds per try; a later answer names nothing. */
export const QUERY_LIFETIME_MS = 15_000;
const MAX_PENDING = 4_096;

function tuple(proto: number, localIp: string, localPort: number, remoteIp: string, remotePort: number, id: number): string {
  return `${proto}|${localIp}|${localPort}|${remoteIp}|${remotePort}|${id}`;
}

interface PendingQuery {
  questions: Set<string>;
}

export class AnswerGate {
  private readonly queries = new ExpiringTable<PendingQuery>(MAX_PENDING, QUERY_LIFETIME_MS);
  /** Names asked in mDNS queries between 5353 sockets (their answers carry no id or question). */
  private readonly mdnsAsked = new ExpiringTable<true>(MAX_PENDING, QUERY_LIFETIME_MS);

  constructor(private readonly isOwnAddress: OwnAddressCheck) {}

  /** A query this machine sent (direction tx). */
  recordQuery(message: DnsPayload, packet: DnsMessage, at: number): void {
    const port = message.remotePort;
    if (port !== DNS_PORT && port !== MDNS_PORT && port !== LLMNR_PORT) return;
    const questions = questionKeys(packet);
    if (questions.length === 0) return;
    const key = tuple(message.proto, message.localIp, message.localPort, message.remoteIp, port, packet.id ?? 0);
    this.queries.set(key, { questions: new Set(questions) }, at);
    if (port === MDNS_PORT && message.localPort === MDNS_PORT) {
      for (const question of packet.questions ?? []) this.mdnsAsked.set(lowerName(question.name), true, at);
    }
  }

  /**
   * For a response that arrived (direction rx): the names whose addresses it may name, or null
   * when it answers nothing this machine asked.
   */
  admit(message: DnsPayload, packet: DnsMessage, at: number): string[] | null {
    const port = message.remotePort;
    if (port === DNS_PORT) return this.matchQuery(message, packet, at, [message.remoteIp], true);
    if (port !== MDNS_PORT && port !== LLMNR_PORT) return null;
    if (this.isOwnAddress(message.remoteIp, at)) return null;
    if (port === MDNS_PORT && message.localPort === MDNS_PORT) {
      const asked = answerOwners(packet).filter((name) => this.mdnsAsked.get(lowerName(name), at) !== undefined);
      return asked.length > 0 ? asked : null;
    }
    return this.matchQuery(message, packet, at, [message.remoteIp, ...(GROUPS[port] ?? [])], false);
  }

  private matchQuery(message: DnsPayload, packet: DnsMessage, at: number, askedAt: string[], once: boolean): string[] | null {
    const questions = questionKeys(packet);
    if (questions.length === 0) return null;
    for (const remote of askedAt) {
      const key = tuple(message.proto, message.localIp, message.localPort, remote, message.remotePort, packet.id ?? 0);
      const query = this.queries.get(key, at);
      if (query === undefined || !questions.every((question) => query.questions.has(question))) continue;
      if (once) this.queries.delete(key);
      return (packet.questions ?? []).map((question) => question.name);
    }
    return null;
  }

  /** Pending entries dropped for room before they expired (a flood of queries). */
  get dropped(): number {
    return this.queries.dropped + this.mdnsAsked.dropped;
  }
}
