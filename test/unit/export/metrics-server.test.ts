// The /metrics HTTP endpoint: content negotiation, the loopback Host check, and its address parsing.

import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsExporter, type MetricsExporter } from '../../../src/core/export/metrics/index.js';
import { isLoopbackHost, parseListenAddress } from '../../../src/shared/listen-address.js';
import { connection } from '../cli/fake-engine.js';
import { MetricsEngine } from './metrics-engine.js';

let exporter: MetricsExporter | null = null;
afterEach(async () => {
  await exporter?.stop();
  exporter = null;
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('metrics endpoint', () => {
  it('serves the text format by default and OpenMetrics when asked, on 127.0.0.1 with port 0 picking a free port', async () => {
    const engine = new MetricsEngine();
    exporter = await startMetricsExporter(engine, parseListenAddress('0'));
    expect(exporter.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    engine.emit(connection({ id: 'a', txBytes: 42 }));
    const text = await get(exporter.url);
    expect(text.status).toBe(200);
    expect(text.type).toContain('text/plain; version=0.0.4');
    expect(text.body).toContain('snitchmap_bytes_total{direction="tx",process="curl",proto="tcp",country="FR",scope="lan"} 42');
    const om = await get(exporter.url, { accept: 'application/openmetrics-text;version=1.0.0,text/plain;q=0.5' });
    expect(om.type).toContain('application/openmetrics-text');
    expect(om.body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('refuses a non-loopback Host on a loopback address (DNS rebinding) and answers 404 elsewhere', async () => {
    exporter = await startMetricsExporter(new MetricsEngine(), { host: '127.0.0.1', port: 0 });
    expect((await get(exporter.url, { host: 'evil.example:80' })).status).toBe(403);
    expect((await get(exporter.url, { host: 'localhost' })).status).toBe(200);
    expect((await get(exporter.url.replace('/metrics', '/'))).status).toBe(404);
  });

  it('rejects when the address cannot be bound', async () => {
    exporter = await startMetricsExporter(new MetricsEngine(), { host: '127.0.0.1', port: 0 });
    const port = Number(new URL(exporter.url).port);
    await expect(startMetricsExporter(new MetricsEngine(), { host: '127.0.0.1', port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('parses PORT, ADDR:PORT and [IPv6]:PORT, loopback by default', () => {
    expect(parseListenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseListenAddress('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListenAddress('[::1]:9')).toEqual({ host: '::1', port: 9 });
    expect(parseListenAddress('localhost:1')).toEqual({ host: 'localhost', port: 1 });
    for (const bad of ['', 'x', '70000', ':9', '1.2.3.4:', '::1:9', '9464 x']) expect(() => parseListenAddress(bad)).toThrow(/PORT/);
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('0.0.0.0')).toBe(false);
  });
});
