// Wraps the OTLP exporter to know how many records are in flight and how many were lost. The SDK's
// batch processor drops silently when its queue is full; this count is what lets the exporter
// refuse records itself (counted) before that happens.

import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

export class CountingExporter implements LogRecordExporter {
  /** Records handed to the SDK and not yet exported or failed. */
  pending = 0;
  exported = 0;
  failed = 0;
  lastError: string | null = null;

  constructor(private readonly inner: LogRecordExporter) {}

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    this.inner.export(records, (result) => {
      this.pending -= records.length;
      if (result.code === ExportResultCode.SUCCESS) this.exported += records.length;
      else {
        this.failed += records.length;
        this.lastError = result.error?.message ?? 'export failed';
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
