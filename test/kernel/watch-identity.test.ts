// Socket identity end to end as root (real helper, addon and engine through `watch --json`): two
// processes that use one 5-tuple one after the other are two connections, each with its own owner
// and its own bytes (UDP exact; TCP within the packets at the switch), and ping v4/v6 is an
// icmp/icmpv6 connection owned by ping.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../src/shared/contract.js';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { compileFixture } from './fixtures/owners-harness.js';
import { json, watchLines, type LineWatcher } from './fixtures/watch-lines.js';

const repo = resolve(import.meta.dirname, '../..');
const cli = join(repo, 'bin/snitchmap');
const gate = kernelGate([join(repo, 'dist/src/cli/main.js'), join(repo, 'dist/src/helper/main.js'), join(repo, 'dist/native/index.js')]);

/** Runs a reuse-peer to completion and returns its pid. */
function runPeer(args: string[]): number {
  const out = execFileSync(compileFixture('reuse-peer'), args, { encoding: 'utf8' });
  const done = out.split('\n').map((line) => json(line)).find((line) => line?.done === true);
  if (!done) throw new Error(`reuse-peer ${args.join(' ')} did not finish: ${out}`);
  return done.pid as number;
}

describe.skipIf(gate.skip)('watch --json: a connection is a socket', () => {
  let net: TestNet;
  let watch: ChildProcess;
  let out: LineWatcher;
  const sinks: ChildProcess[] = [];

  const events = (): ConnectionEvent[] =>
    out.lines.map((line) => json(line)).filter((line): line is ConnectionEvent & Record<string, unknown> => line?.type === 'connection') as ConnectionEvent[];
  const of = (pid: number, port: number): ConnectionEvent[] => events().filter((event) => event.process?.pid === pid && event.local.port === port);
  const latest = (pid: number, port: number): ConnectionEvent | undefined => of(pid, port).at(-1);

  beforeAll(async () => {
    net = createTestNet('ident');
    for (const [mode, port] of [['udp-sink', '9000'], ['tcp-sink', '9001']] as const) {
      const sink = net.spawn(compileFixture('reuse-peer'), ['smr-sink', mode, net.nsIp4, port]);
      sinks.push(sink);
      await watchLines(sink).waitFor(`${mode} ready`, (line) => (json(line)?.ready ? true : undefined));
    }
    watch = spawn(cli, ['watch', '--json'], { cwd: repo });
    out = watchLines(watch);
    await out.waitFor('hello', (line) => (json(line)?.type === 'hello' ? json(line) : undefined));
  });

  afterAll(async () => {
    watch?.kill('SIGINT');
    for (const sink of sinks) sink.kill('SIGKILL');
    if (watch && watch.exitCode === null) await new Promise((r) => watch.once('close', r));
    net?.destroy();
  });

  it('says hello with the icmp capability attached', () => {
    const hello = out.lines.map((line) => json(line)).find((line) => line?.type === 'hello');
    expect(hello).toMatchObject({ capture: 'ebpf', probes: { icmp: 'cgroup:sock_create' } });
  });

  it('UDP: two processes on one 5-tuple are two connections with their own owners and exact bytes', async () => {
    // Below the ephemeral range (32768–60999): no other socket of the machine can hold the port by chance.
    const port = 20_000 + (process.pid % 1000);
    const first = runPeer(['smr-first', 'udp-from', String(port), net.nsIp4, '9000', '3', '100']);
    const second = runPeer(['smr-second', 'udp-from', String(port), net.nsIp4, '9000', '5', '100']);
    // 100 bytes of payload + 8 UDP + 20 IPv4 per datagram.
    const closed = await out.waitFor('the first process\'s connection closing', () => {
      const close = of(first, port).find((event) => event.event === 'close');
      return close ?? undefined;
    });
    expect(closed).toMatchObject({ proto: 'udp', process: { pid: first, name: 'smr-first' }, txPackets: 3, txBytes: 3 * 128, remote: { ip: net.nsIp4, port: 9000 } });
    const last = await out.waitFor('the second process\'s five datagrams', () => {
      const event = latest(second, port);
      return event && event.txPackets === 5 ? event : undefined;
    });
    expect(last).toMatchObject({ process: { pid: second, name: 'smr-second' }, txBytes: 5 * 128 });
    expect(last.id).not.toBe(closed.id);
    // Neither connection ever carried the other's datagrams, and the tuple was exactly these two
    // connections, each ending with its owner (an owner record may trail its flow on a slow kernel:
    // the open is then unattributed and an update names the process).
    expect(Math.max(...of(first, port).map((event) => event.txPackets))).toBe(3);
    const lastById = new Map(events().filter((event) => event.local.port === port && event.remote.port === 9000).map((event) => [event.id, event]));
    expect([...lastById.values()].map((event) => event.process?.pid).sort()).toEqual([first, second].sort());
  });

  it('TCP: a port reused after a reset is a new connection with its own owner and bytes', async () => {
    const port = 22_000 + (process.pid % 1000);
    const first = runPeer(['smr-tcp-a', 'tcp-from', String(port), net.nsIp4, '9001', '10000']);
    const second = runPeer(['smr-tcp-b', 'tcp-from', String(port), net.nsIp4, '9001', '30000']);
    const a = await out.waitFor('the first connection closing', () => of(first, port).find((event) => event.event === 'close'));
    const b = await out.waitFor('the second connection with its 30,000 bytes', () => {
      const event = latest(second, port);
      return event && event.txBytes >= 30_000 ? event : undefined;
    });
    expect(a).toMatchObject({ proto: 'tcp', process: { pid: first, name: 'smr-tcp-a' } });
    expect(b).toMatchObject({ proto: 'tcp', process: { pid: second, name: 'smr-tcp-b' } });
    expect(a.id).not.toBe(b.id);
    // Payload plus 20..60 bytes of TCP and 20 of IP per packet; a few packets at the switch at most.
    expect(a.txBytes).toBeGreaterThanOrEqual(10_000 + a.txPackets * 40);
    expect(a.txBytes).toBeLessThanOrEqual(10_000 + a.txPackets * 80);
    expect(b.txBytes).toBeLessThanOrEqual(30_000 + b.txPackets * 80);
  });

  for (const family of [4, 6] as const) {
    it(`ping -${family}: an icmp${family === 6 ? 'v6' : ''} connection owned by ping, with its packets`, async () => {
      const target = family === 4 ? net.nsIp4 : net.nsIp6;
      const ping = spawn('ping', [`-${family}`, '-c', '3', '-i', '0.2', '-W', '2', target], { stdio: 'ignore' });
      const exited = await new Promise<number | null>((r) => ping.once('close', r));
      expect(exited).toBe(0);
      const proto = family === 4 ? 'icmp' : 'icmpv6';
      const event = await out.waitFor(`ping's ${proto} connection with 3 requests and 3 replies`, () =>
        events().find((candidate) => candidate.proto === proto && candidate.remote.ip === target && candidate.process?.pid === ping.pid && candidate.txPackets === 3 && candidate.rxPackets === 3),
      );
      expect(event).toMatchObject({ family, direction: 'outbound', remote: { port: 0 }, process: { name: 'ping' } });
    });
  }
});
