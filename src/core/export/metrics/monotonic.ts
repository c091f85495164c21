// A Prometheus counter fed from an engine counter read at scrape time. The engine's loss counters
// are cumulative per capture; a restarted capture (a new helper) starts them again from zero, which
// a Prometheus counter must never do, so a value lower than the last one read counts in full.

import { Counter, type OpenMetricsContentType, type Registry } from 'prom-client';

export function monotonicCounter(name: string, help: string, registers: (Registry | Registry<OpenMetricsContentType>)[], read: () => number): Counter {
  let last = 0;
  return new Counter({
    name,
    help,
    registers,
    collect() {
      const now = read();
      const delta = now >= last ? now - last : now;
      last = now;
      if (delta > 0) this.inc(delta);
    },
  });
}
