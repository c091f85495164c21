// --metrics and --otlp for watch and serve: the exporters subscribe to the engine before its capture
// starts, so the first connections are counted too. Nothing is exported unless asked for.

import type { Engine } from '../core/engine-types.js';
import type { CommonOptions } from './args.js';

export interface Exporters {
  stop(): Promise<void>;
}

/** Starts what the options ask for; rejects (after stopping what started) when one cannot start. */
export async function startExporters(engine: Engine, options: CommonOptions, warn: (message: string) => void): Promise<Exporters> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  try {
    if (options.metrics !== undefined) {
      const { startMetricsExporter } = await import('../core/export/metrics/index.js');
      const exporter = await startMetricsExporter(engine, options.metrics, options.metricsMaxProcesses);
      stops.push(exporter.stop);
      warn(`metrics on ${exporter.url}`);
    }
    if (options.otlp !== undefined) {
      const { startOtlpExporter } = await import('../core/export/otlp/index.js');
      const exporter = startOtlpExporter(engine, { url: options.otlp, onWarning: warn });
      stops.push(exporter.stop);
      warn(`OTLP log records to ${options.otlp}`);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { stop: stopAll };
}
