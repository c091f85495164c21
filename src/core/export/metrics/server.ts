// The Prometheus endpoint: GET /metrics, text format 0.0.4 or OpenMetrics 1.0 by Accept header.
// On a loopback address the Host header must name a loopback host too, so a web page that rebinds
// its own name to 127.0.0.1 cannot read which processes talk to whom (docs/design.md "Metrics").

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsCollector } from './collector.js';
import { isLoopbackHost, type ListenAddress } from '../../../shared/listen-address.js';

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  close(): Promise<void>;
}

function hostOf(header: string | undefined): string {
  if (header === undefined) return '';
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(header);
  if (bracketed) return bracketed[1] ?? '';
  return header.replace(/:\d+$/, '').toLowerCase();
}

function wantsOpenMetrics(accept: string | undefined): boolean {
  return (accept ?? '').toLowerCase().includes('application/openmetrics-text');
}

async function handle(collector: MetricsCollector, loopbackOnly: boolean, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (loopbackOnly && !isLoopbackHost(hostOf(req.headers.host))) {
    res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host\n');
    return;
  }
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('snitchmap metrics are at /metrics\n');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const registry = wantsOpenMetrics(req.headers.accept) ? collector.openMetrics : collector.text;
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

export function startMetricsServer(collector: MetricsCollector, address: ListenAddress): Promise<MetricsServer> {
  const loopbackOnly = isLoopbackHost(address.host);
  const server = createServer((req, res) => {
    handle(collector, loopbackOnly, req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`metrics failed: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // Scrapers keep connections alive; a stop must not wait for them.
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const { address: host, port } = server.address() as AddressInfo;
      const shown = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shown}:${port}/metrics`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
