// End to end as root: `snitchmap watch --metrics` with real eBPF capture, scraped by a real
// Prometheus. A client with a name of its own (a bash started through a symlink, so its comm is the
// link's name) sends a known number of bytes to a server in a network namespace and reads a known
// reply: Prometheus must hold at least those bytes under that process. Then 150 differently named
// clients connect: at most 101 `process` values (100 + other) reach Prometheus.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { scaled } from '../support/time-scale.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { prometheusGate, startPrometheus, type RunningPrometheus } from '../support/prometheus.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js'), join(repo, 'dist/src/core/export/metrics/index.js')]);
const promGate = prometheusGate();

const PORT = 9464;
const SEND = 200_000;
const REPLY = 120_000;

describe.skipIf(gate.skip || promGate.skip)('watch --metrics scraped by Prometheus (eBPF)', () => {
  let net: TestNet;
  let sink: ChildProcess;
  let sinkOut: LineWatcher;
  let watch: ChildProcess;
  let out: LineWatcher;
  let prometheus: RunningPrometheus;
  let dir: string;
  // Unique per run: other tests on this machine are captured too, and their names must not match.
  const tag = process.pid.toString(36);
  const known = `smk${tag}`.slice(0, 15);

  /** Runs bash as `name` (comm = name): connect, send `bytes` zero bytes, read `reply` bytes, close. */
  function client(name: string, bytes: number, reply: number): Promise<void> {
    const link = join(dir, name);
    symlinkSync('/bin/bash', link);
    const script = `exec 3<>/dev/tcp/${net.nsIp4}/${PORT} && head -c ${bytes} /dev/zero >&3 && head -c ${reply} <&3 >/dev/null && exec 3>&-`;
    return new Promise((resolveRun, reject) => {
      const child = spawn(link, ['-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolveRun() : reject(new Error(`${name} exited ${code}: ${err}`))));
    });
  }

  beforeAll(async () => {
    net = createTestNet('met');
    dir = mkdtempSync(join(tmpdir(), 'sm-metrics-'));
    sink = net.spawn(process.execPath, [join(repo, 'test/kernel/fixtures/metrics-sink.mjs'), net.nsIp4, String(PORT), String(REPLY)]);
    sinkOut = watchLines(sink);
    await sinkOut.waitFor('sink ready', (line) => (line === 'ready' ? true : undefined));
    watch = spawn(cli, ['watch', '--json', '--metrics', '127.0.0.1:0'], { env: { ...process.env, XDG_CONFIG_HOME: dir } });
    out = watchLines(watch);
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
    const url = /metrics on (http:\/\/\S+)/.exec(out.stderr())?.[1];
    if (url === undefined) throw new Error(`no metrics URL on stderr: ${out.stderr()}`);
    prometheus = await startPrometheus([{ address: new URL(url).host, instance: 'kernel-test' }]);
  });

  afterAll(async () => {
    await prometheus?.stop();
    if (watch && watch.exitCode === null) {
      const closed = new Promise((r) => watch.once('close', r));
      watch.kill('SIGINT');
      await closed;
    }
    sink?.kill('SIGTERM');
    net?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the capture as eBPF in snitchmap_capture_info', async () => {
    const info = await prometheus.waitFor('capture info', 'snitchmap_capture_info{instance="kernel-test"}', (r) => r[0]);
    expect(info.metric).toMatchObject({ mode: 'ebpf' });
    expect(info.metric.tc).toMatch(/^(tcx|clsact)$/);
  });

  it("stores a known process's bytes, both directions, under its name", async () => {
    await client(known, SEND, REPLY);
    const served = await sinkOut.waitFor('sink saw the client', (line) => {
      const m = json(line) as { received: number; sent: number } | undefined;
      return m?.received === SEND ? m : undefined;
    });
    const open = await out.waitFor('the open event in watch --json', (line) => {
      const m = json(line) as { type?: string; event?: string; remote?: { ip: string; port: number }; process?: { name: string } | null } | undefined;
      return m?.type === 'connection' && m.event === 'open' && m.remote?.ip === net.nsIp4 && m.remote.port === PORT ? m : undefined;
    });
    expect(open.process?.name).toBe(known);
    const opened = await prometheus.waitFor('connection counted', `snitchmap_connections_total{process="${known}"}`, (r) => r[0]);
    expect(opened.metric).toMatchObject({ proto: 'tcp', direction: 'outbound', scope: 'lan', country: 'unknown' });
    const tx = await prometheus.waitFor('tx bytes', `snitchmap_bytes_total{process="${known}",direction="tx"}`, (r) => (Number(r[0]?.value[1]) >= SEND ? Number(r[0]?.value[1]) : undefined));
    const rx = await prometheus.waitFor('rx bytes', `snitchmap_bytes_total{process="${known}",direction="rx"}`, (r) => (Number(r[0]?.value[1]) >= served.sent ? Number(r[0]?.value[1]) : undefined));
    // IP-layer counts: the payload plus IP/TCP headers (~52 bytes per segment of at most 1448).
    expect(tx).toBeLessThan(SEND * 1.1);
    expect(rx).toBeLessThan(REPLY * 1.1);
  });

  it('keeps at most 101 process values when 150 differently named processes connect', { timeout: scaled(30_000) }, async () => {
    // Ten at a time: under emulation (the kernel matrix) one bash client takes about a second.
    for (let i = 0; i < 150; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => client(`smp${tag}${i + j}`.slice(0, 15), 10, REPLY)));
    }
    const names = await prometheus.waitFor('other in use', 'count by (process) (snitchmap_connections_total{instance="kernel-test"})', (r) => {
      const values = r.map((s) => s.metric.process ?? '');
      return values.includes('other') ? values : undefined;
    });
    expect(names.length).toBeLessThanOrEqual(101);
    expect(names.filter((n) => n.startsWith(`smp${tag}`)).length).toBeGreaterThan(0);
    // A short-lived client's connection can open before its owner record arrives: it is counted
    // at open as `unknown` (attributed later in the contract, but a counter's labels are fixed).
    const total = await prometheus.waitFor('every client counted', `sum(snitchmap_connections_total{instance="kernel-test",process=~"smp${tag}.*|other|unknown"})`, (r) => (Number(r[0]?.value[1]) >= 150 ? Number(r[0]?.value[1]) : undefined));
    expect(total).toBeGreaterThanOrEqual(150);
  });
});
