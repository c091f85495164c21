// An OTLP/HTTP logs receiver for tests: decodes each POSTed ExportLogsServiceRequest with the
// protobuf definitions generated from opentelemetry-proto (shipped in @opentelemetry/otlp-transformer
// 0.212, installed as `otlp-proto-root`), independently of the exporter's own serializer.

import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

interface AnyValue {
  stringValue?: string;
  intValue?: number | { toNumber(): number };
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface DecodedRequest {
  resourceLogs?: { resource?: { attributes?: KeyValue[] }; scopeLogs?: { logRecords?: { eventName?: string; body?: AnyValue; timeUnixNano?: unknown; attributes?: KeyValue[] }[] }[] }[];
}
const root = require('otlp-proto-root/build/src/generated/root.js') as {
  opentelemetry: { proto: { collector: { logs: { v1: { ExportLogsServiceRequest: { decode(buffer: Uint8Array): DecodedRequest } } } } } };
};
const { ExportLogsServiceRequest } = root.opentelemetry.proto.collector.logs.v1;

export type Attributes = Record<string, string | number | boolean>;

export interface ReceivedRecord {
  resource: Attributes;
  eventName: string;
  body: string;
  attributes: Attributes;
}

export interface OtlpReceiver {
  url: string;
  records: ReceivedRecord[];
  /** Resolves once at least `count` records arrived. */
  waitFor(count: number): Promise<ReceivedRecord[]>;
  close(): Promise<void>;
}

function plain(value: AnyValue | undefined): string | number | boolean {
  if (value?.stringValue !== undefined && value.stringValue !== null) return value.stringValue;
  if (value?.intValue !== undefined && value.intValue !== null) return typeof value.intValue === 'number' ? value.intValue : value.intValue.toNumber();
  if (value?.doubleValue !== undefined && value.doubleValue !== null) return value.doubleValue;
  return value?.boolValue ?? '';
}

function attributes(list: KeyValue[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, plain(kv.value)]));
}

export function decodeLogs(body: Uint8Array): ReceivedRecord[] {
  const request = ExportLogsServiceRequest.decode(body);
  return (request.resourceLogs ?? []).flatMap((rl) =>
    (rl.scopeLogs ?? []).flatMap((sl) =>
      (sl.logRecords ?? []).map((r) => ({ resource: attributes(rl.resource?.attributes), eventName: r.eventName ?? '', body: String(plain(r.body)), attributes: attributes(r.attributes) })),
    ),
  );
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const records: ReceivedRecord[] = [];
  const waiters = new Set<() => void>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/logs' || !String(req.headers['content-type']).includes('application/x-protobuf')) {
        res.writeHead(400).end();
        return;
      }
      records.push(...decodeLogs(Buffer.concat(chunks)));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      for (const wake of waiters) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/logs`,
    records,
    waitFor: (count) =>
      new Promise((resolve) => {
        const check = (): void => {
          if (records.length < count) return;
          waiters.delete(check);
          resolve(records);
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
