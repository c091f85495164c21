// Hands decoded owner records to the listeners: queues them until listen() (bounded; the excess is
// dropped and counted), completes socket closes from earlier owner records of the same cookie, and
// keeps the counters stats() reports.

import type { ProbeListeners } from './api.js';
import { CookieEndpoints } from './owners-cookies.js';
import { emptyRecords, type DecodedRecords } from './owners-decode.js';

export type OwnerListeners = Pick<ProbeListeners, 'owners' | 'processes' | 'flowEnds'>;

/** Records kept while nobody listens yet. */
const MAX_QUEUED = 65_536;

function size(records: DecodedRecords): number {
  return records.owners.length + records.closes.length + records.processes.length;
}

export class OwnerDelivery {
  private listeners: OwnerListeners | null = null;
  private queued = emptyRecords();
  private readonly cookies = new CookieEndpoints();
  /** Records dropped because the queue before listen() was full. */
  dropped = 0;
  malformed = 0;

  constructor(private readonly capacity = MAX_QUEUED) {}

  get closesUnmatched(): number {
    return this.cookies.unmatched;
  }

  listen(listeners: OwnerListeners): void {
    this.listeners = listeners;
    const pending = this.queued;
    this.queued = emptyRecords();
    this.deliver(pending);
  }

  deliver(records: DecodedRecords): void {
    this.malformed += records.malformed;
    const listeners = this.listeners;
    if (!listeners) {
      if (size(records) > this.capacity - size(this.queued)) {
        this.dropped += size(records);
        return;
      }
      this.queued.owners.push(...records.owners);
      this.queued.closes.push(...records.closes);
      this.queued.processes.push(...records.processes);
      return;
    }
    this.cookies.remember(records.owners);
    const ends = this.cookies.complete(records.closes);
    if (records.processes.length > 0) listeners.processes?.(records.processes);
    if (records.owners.length > 0) listeners.owners?.(records.owners);
    if (ends.length > 0) listeners.flowEnds?.(ends);
  }
}
