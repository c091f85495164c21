// End to end as root: a DNS server in a network namespace answers a name for its own address; a
// client in the host namespace resolves it and connects; `snitchmap watch --json` (real helper,
// real addon, real engine) must report the open with that name, the client's pid and comm, the
// scope, and the location from a --locations file.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const fixture = (name: string) => join(repo, 'test/kernel/fixtures', name);
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js'), join(repo, 'dist/src/core/engine.js')]);

const NAME = 'peer.snitchmap.test';
const DNS_PORT = 53;
const TCP_PORT = 8443;

describe.skipIf(gate.skip)('watch --json end to end (eBPF, DNS names, locations)', () => {
  let net: TestNet;
  let server: ChildProcess;
  let watch: ChildProcess;
  let out: LineWatcher;
  let dir: string;

  beforeAll(async () => {
    net = createTestNet('wdns');
    dir = mkdtempSync(join(tmpdir(), 'sm-watch-dns-'));
    // watch started as root reads --locations after dropping to nobody: the file must be readable by it.
    chmodSync(dir, 0o755);
    server = net.spawn(process.execPath, [fixture('watch-dns-server.mjs'), net.nsIp4, String(DNS_PORT), String(TCP_PORT), NAME, net.nsIp4], { cwd: repo });
    await watchLines(server).waitFor('DNS/TCP server ready', (line) => (line === 'ready' ? true : undefined));
    const locations = join(dir, 'locations.json');
    writeFileSync(locations, JSON.stringify([{ cidr: `${net.nsIp4}/32`, label: 'Test Lab', lat: 48.85, lon: 2.35 }]));
    watch = spawn(cli, ['watch', '--json', '--locations', locations], { env: { ...process.env, XDG_CONFIG_HOME: dir } });
    out = watchLines(watch);
  });

  afterAll(async () => {
    watch?.kill('SIGINT');
    server?.kill('SIGTERM');
    if (watch && watch.exitCode === null) await new Promise((r) => watch.once('close', r));
    net?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says hello in eBPF mode', async () => {
    const hello = await out.waitFor('hello', (line) => json(line));
    expect(hello).toMatchObject({ type: 'hello', version: 1, capture: 'ebpf' });
  });

  it('reports the open with the looked-up name, pid, comm, scope and the --locations place', async () => {
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? true : undefined));
    const client = spawn(process.execPath, [fixture('watch-dns-client.mjs'), net.nsIp4, String(DNS_PORT), NAME, String(TCP_PORT), '1500'], { cwd: repo });
    const connected = await watchLines(client).waitFor('client connected', (line) => json(line) as { pid: number; localPort: number } | undefined);
    expect(connected.pid).toBe(client.pid);
    const open = await out.waitFor('open event of the client connection', (line) => {
      const message = json(line) as { type?: string; event?: string; remote?: { ip: string; port: number }; local?: { port: number } } | undefined;
      return message?.type === 'connection' && message.event === 'open' && message.remote?.ip === net.nsIp4 && message.remote.port === TCP_PORT && message.local?.port === connected.localPort ? message : undefined;
    });
    expect(open).toMatchObject({
      proto: 'tcp',
      direction: 'outbound',
      family: 4,
      remote: { host: NAME, scope: 'lan', geo: { city: 'Test Lab', lat: 48.85, lon: 2.35 } },
      process: { pid: client.pid, name: 'node' },
    });
  });

  it('exits 0 on SIGINT, and its root helper exits too', async () => {
    const helpers = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, ppid, ...args]) => Number(ppid) === watch.pid && args.join(' ').includes('helper/main.js'))
      .map(([pid]) => Number(pid));
    expect(helpers).toHaveLength(1);
    watch.kill('SIGINT');
    const code = await new Promise<number | null>((r) => watch.once('close', (c) => r(c)));
    expect(code).toBe(0);
    expect(existsSync(`/proc/${helpers[0]}`)).toBe(false);
  });
});
