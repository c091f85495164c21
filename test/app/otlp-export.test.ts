// --otlp: connection opens and closes reach an OTLP/HTTP receiver as log records with the semantic
// conventions' attribute names (decoded with the opentelemetry-proto definitions, not the
// exporter's code); an endpoint that is down or hangs never holds the engine's listener, and every
// record it cannot take is counted as dropped.

import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpExporter, type OtlpExporter } from '../../src/core/export/otlp/index.js';
import { freePort } from '../support/prometheus.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { connection } from '../unit/cli/fake-engine.js';
import { MetricsEngine } from '../unit/export/metrics-engine.js';

let exporter: OtlpExporter | null = null;
let receiver: OtlpReceiver | null = null;
let blackHole: { server: Server; sockets: Socket[] } | null = null;
afterEach(async () => {
  await exporter?.stop();
  await receiver?.close();
  for (const socket of blackHole?.sockets ?? []) socket.destroy();
  blackHole?.server.close();
  exporter = receiver = blackHole = null;
});

describe('OTLP log export', () => {
  it('sends each open and close (not updates) with semantic-convention attributes and host.name on the resource', async () => {
    receiver = await startOtlpReceiver();
    const engine = new MetricsEngine();
    exporter = startOtlpExporter(engine, { url: receiver.url, intervalMs: 50, hostName: 'lab-host-1' });
    const process = { pid: 4242, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl https://example.org', uid: 1000, user: 'me' };
    const remote = { ip: '93.184.216.34', port: 443, host: 'example.org', scope: 'internet' as const, geo: { country: 'US', city: 'Norwell', lat: 42.15, lon: -70.82 }, asn: { number: 15133, org: 'Edgecast' } };
    engine.emit(connection({ id: 'a', process, remote, local: { ip: '10.0.0.5', port: 40000 } }));
    engine.emit(connection({ id: 'a', event: 'update', process, remote, txBytes: 10 }));
    engine.emit(connection({ id: 'a', event: 'close', process, remote, txBytes: 517, rxBytes: 5000 }));
    engine.emit(connection({ id: 'b', direction: 'inbound', proto: 'udp', family: 6, process: null, remote: { ip: 'fd00::9', port: 5353, host: null, scope: 'lan', geo: null, asn: null } }));
    const records = await receiver.waitFor(3);
    expect(records.map((r) => r.eventName)).toEqual(['snitchmap.connection.open', 'snitchmap.connection.close', 'snitchmap.connection.open']);
    const [open, close, inbound] = records;
    expect(open?.resource).toMatchObject({ 'host.name': 'lab-host-1', 'service.name': 'snitchmap' });
    expect(open?.attributes).toMatchObject({
      'network.transport': 'tcp',
      'network.type': 'ipv4',
      'network.peer.address': '93.184.216.34',
      'network.peer.port': 443,
      'network.local.address': '10.0.0.5',
      'network.local.port': 40000,
      'server.address': 'example.org',
      'server.port': 443,
      'process.pid': 4242,
      'process.executable.name': 'curl',
      'process.executable.path': '/usr/bin/curl',
      'process.command_line': 'curl https://example.org',
      'process.owner': 'me',
      'geo.country.iso_code': 'US',
      'geo.location.lat': 42.15,
      'geo.location.lon': -70.82,
      'geo.locality.name': 'Norwell',
      'snitchmap.connection.id': 'a',
      'snitchmap.remote.asn.number': 15133,
    });
    expect(close?.attributes).toMatchObject({ 'snitchmap.tx_bytes': 517, 'snitchmap.rx_bytes': 5000 });
    expect(inbound?.attributes).toMatchObject({ 'network.transport': 'udp', 'network.type': 'ipv6', 'client.address': 'fd00::9', 'client.port': 5353 });
    expect(inbound?.attributes).not.toHaveProperty('process.pid');
    expect(inbound?.attributes).not.toHaveProperty('server.address');
    expect(exporter.dropped()).toBe(0);
  });

  it('counts every record as dropped when nothing listens, and the listener returns at once', async () => {
    const engine = new MetricsEngine();
    const port = await freePort();
    exporter = startOtlpExporter(engine, { url: `http://127.0.0.1:${port}/v1/logs`, intervalMs: 50, maxQueue: 100 });
    for (let i = 0; i < 1000; i++) engine.emit(connection({ id: `c${i}` }));
    // The emits above returned: the listener only enqueues. Past the queue bound records are refused.
    expect(exporter.dropped()).toBe(900);
    await exporter.stop();
    expect(exporter.exported()).toBe(0);
    expect(exporter.dropped()).toBe(1000);
  });

  it('holds at most the queue bound while the endpoint hangs, and counts the rest', async () => {
    const sockets: Socket[] = [];
    const server = createServer((socket) => void sockets.push(socket)); // accepts, never answers
    blackHole = { server, sockets };
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const engine = new MetricsEngine();
    exporter = startOtlpExporter(engine, { url: `http://127.0.0.1:${port}/v1/logs`, intervalMs: 20, maxQueue: 200, timeoutMs: 300 });
    for (let i = 0; i < 3000; i++) engine.emit(connection({ id: `h${i}` }));
    expect(exporter.dropped()).toBe(2800);
    await exporter.stop();
    expect(exporter.dropped()).toBe(3000);
  });
});
