// Completes socket-close records from earlier owner records of the same socket (by cookie): a TCP
// socket that finished its FIN exchange before close() has already given its local port back, so
// the close hook reads port 0. Bounded: the oldest sockets are forgotten first.

import type { FlowEnd } from '../src/shared/capture.js';
import type { KernelOwner } from './api.js';

export interface ClosedSocket {
  end: FlowEnd;
  cookie: string | null;
}

export class CookieEndpoints {
  private readonly known = new Map<string, KernelOwner>();
  /** Closes that could not be tied to any flow (no local port, socket never owned). */
  unmatched = 0;

  constructor(private readonly capacity = 65_536) {}

  remember(owners: KernelOwner[]): void {
    for (const owner of owners) {
      if (owner.cookie === null || owner.localPort === 0) continue;
      this.known.delete(owner.cookie);
      this.known.set(owner.cookie, owner);
      if (this.known.size > this.capacity) {
        const oldest = this.known.keys().next().value;
        if (oldest !== undefined) this.known.delete(oldest);
      }
    }
  }

  /** Flow ends with their local port filled in; closes with no usable endpoint are counted and dropped. */
  complete(closes: ClosedSocket[]): FlowEnd[] {
    const ends: FlowEnd[] = [];
    for (const { end, cookie } of closes) {
      const owner = cookie === null ? undefined : this.known.get(cookie);
      if (cookie !== null) this.known.delete(cookie);
      if (end.localPort !== 0) {
        ends.push(end);
      } else if (owner) {
        ends.push({ ...end, family: owner.family, localIp: owner.localIp, localPort: owner.localPort });
      } else {
        this.unmatched++;
      }
    }
    return ends;
  }
}
