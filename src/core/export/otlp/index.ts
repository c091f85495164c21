// `--otlp URL`: each connection's open and close as an OpenTelemetry log record over OTLP/HTTP
// (protobuf), batched by the SDK. The engine's listener only formats and enqueues; a full queue
// (endpoint slow or down) drops records and counts them, it never waits.

import { hostname } from 'node:os';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { ATTR_HOST_NAME } from '@opentelemetry/semantic-conventions/incubating';
import type { Engine } from '../../engine-types.js';
import { connectionAttributes } from './attributes.js';
import { CountingExporter } from './counting-exporter.js';

export interface OtlpOptions {
  /** Full URL of the logs endpoint, e.g. http://collector:4318/v1/logs */
  url: string;
  onWarning?: (message: string) => void;
  /** Records held while the endpoint is slow (default 2048); past it, records are dropped and counted. */
  maxQueue?: number;
  /** How often to send a batch (default 1000 ms). */
  intervalMs?: number;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
  hostName?: string;
}

export interface OtlpExporter {
  /** Records refused because the queue was full, plus records whose export failed. */
  dropped(): number;
  exported(): number;
  stop(): Promise<void>;
}

// A drop warning at most this often: an endpoint that is down must not flood stderr.
const WARN_EVERY_MS = 30_000;

export function startOtlpExporter(engine: Engine, options: OtlpOptions): OtlpExporter {
  const maxQueue = options.maxQueue ?? 2048;
  const exporter = new CountingExporter(new OTLPLogExporter({ url: options.url, timeoutMillis: options.timeoutMs ?? 5000 }));
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: 'snitchmap', [ATTR_HOST_NAME]: options.hostName ?? hostname() }),
    processors: [
      new BatchLogRecordProcessor({
        exporter,
        // Larger than our own bound, so the SDK never drops uncounted.
        maxQueueSize: maxQueue * 2,
        maxExportBatchSize: Math.min(512, maxQueue),
        scheduledDelayMillis: options.intervalMs ?? 1000,
        exportTimeoutMillis: options.timeoutMs ?? 5000,
      }),
    ],
  });
  const logger = provider.getLogger('snitchmap');
  let refused = 0;
  let lastWarned = 0;
  let warnedDrops = 0;
  const dropped = (): number => refused + exporter.failed;
  const maybeWarn = (): void => {
    const now = Date.now();
    if (dropped() === warnedDrops || now - lastWarned < WARN_EVERY_MS) return;
    lastWarned = now;
    warnedDrops = dropped();
    options.onWarning?.(`OTLP: ${warnedDrops} log records dropped so far${exporter.lastError ? ` (${exporter.lastError})` : ''}`);
  };

  const unsubscribe = engine.onMessage((message) => {
    if (message.type !== 'connection' || message.event === 'update') return;
    if (exporter.pending >= maxQueue) {
      refused++;
      maybeWarn();
      return;
    }
    exporter.pending++;
    logger.emit({
      eventName: `snitchmap.connection.${message.event}`,
      timestamp: message.ts,
      severityNumber: SeverityNumber.INFO,
      severityText: 'INFO',
      body: `connection ${message.event}`,
      attributes: connectionAttributes(message),
    });
    maybeWarn();
  });

  return {
    dropped,
    exported: () => exporter.exported,
    stop: async () => {
      unsubscribe();
      // Flushes what is queued (bounded by the export timeout), then closes the exporter.
      await provider.shutdown().catch(() => undefined);
    },
  };
}
