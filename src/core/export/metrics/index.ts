// Entry point of the Prometheus exporter for watch, serve and the desktop app.

import type { Engine } from '../../engine-types.js';
import { createMetricsCollector } from './collector.js';
import type { ListenAddress } from '../../../shared/listen-address.js';
import { startMetricsServer, type MetricsServer } from './server.js';

export { parseListenAddress, type ListenAddress } from '../../../shared/listen-address.js';

export const DEFAULT_MAX_PROCESSES = 100;

export interface MetricsExporter {
  url: string;
  stop(): Promise<void>;
}

/** Subscribes to the engine and serves /metrics; rejects when the address cannot be bound. */
export async function startMetricsExporter(engine: Engine, address: ListenAddress, maxProcesses = DEFAULT_MAX_PROCESSES): Promise<MetricsExporter> {
  const collector = createMetricsCollector(engine, { maxProcesses });
  let server: MetricsServer;
  try {
    server = await startMetricsServer(collector, address);
  } catch (error) {
    collector.dispose();
    throw error;
  }
  return {
    url: server.url,
    stop: async () => {
      await server.close();
      collector.dispose();
    },
  };
}
