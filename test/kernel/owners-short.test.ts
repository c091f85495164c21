// Short-lived processes (500 forks, each one TCP connection + one UDP datagram, exiting at once),
// sends that bypass send()/sendto() (sendmmsg(2), io_uring) and a pre-forked server. C fixtures
// compiled here with gcc.

import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelGate } from '../support/kernel-gate.js';
import { createTestNet, type TestNet } from '../support/netns.js';
import { addonPath } from '../../native/addon.js';
import { OwnerCollector, compileFixture } from './fixtures/owners-harness.js';
import { judgeShortLived, parseShortLines } from './fixtures/owners-short-judge.js';
import { OWNER_CHAINS } from '../../native/chains.js';
import { kernelFacts, kernelMeets } from '../support/kernel-facts.js';

const gate = kernelGate([addonPath()]);

describe.skipIf(gate.skip)('short-lived processes and unusual send paths', () => {
  let testNet: TestNet;
  const binaries: Record<string, string> = {};
  let server: net.Server;
  let receiver: dgram.Socket;
  let tcpPort = 0;
  let udpPort = 0;

  beforeAll(async () => {
    for (const name of ['owners-short', 'owners-io', 'owners-prefork']) binaries[name] = compileFixture(name);
    testNet = createTestNet('sho');
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, testNet.hostIp4, resolve));
    tcpPort = (server.address() as net.AddressInfo).port;
    receiver = dgram.createSocket('udp4');
    receiver.on('message', () => undefined);
    await new Promise<void>((resolve) => receiver.bind(0, testNet.hostIp4, resolve));
    udpPort = receiver.address().port;
  });
  afterAll(() => {
    server?.close();
    receiver?.close();
    testNet?.destroy();
  });

  it('attributes ≥ 99.5% of 500 short-lived processes to the right pid and comm, none to a wrong one', async () => {
    const collector = new OwnerCollector();
    try {
      const output = testNet.run(binaries['owners-short']!, ['500', testNet.hostIp4, String(tcpPort), String(udpPort), '0']);
      const children = parseShortLines(output);
      expect(children).toHaveLength(500);
      const settled = () => judgeShortLived(children, collector.owners, tcpPort);
      await collector.waitFor(() => (settled().attributed === children.length ? true : undefined), 5_000);
      const verdict = settled();
      console.info(`500 short-lived: ${verdict.attributed} attributed, ${verdict.unattributed} unattributed, ${verdict.wrong.length} wrong`);
      expect(verdict.wrong).toEqual([]);
      expect(verdict.attributed + verdict.unattributed).toBe(500);
      expect(verdict.attributed / 500).toBeGreaterThanOrEqual(0.995);
    } finally {
      collector.close();
    }
  });

  it('counts what an overflowing ring buffer drops, attributes nothing wrongly, and recovers', async () => {
    // The TCP server lives in its own process: this test blocks its own event loop (execFileSync) so
    // that nothing drains the 256 KiB ring buffer while 1,000 children produce ~6 records each
    // (connect, udp, listen, two closes, exit).
    const server = spawn(process.execPath, ['-e', `
      const s = require('node:net').createServer((c) => { c.on('error', () => {}); c.resume(); });
      s.listen(0, '${testNet.hostIp4}', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const collector = new OwnerCollector();
    try {
      const port = await new Promise<number>((resolve) => server.stdout.once('data', (data) => resolve(Number(String(data).trim()))));
      const run = (count: number) =>
        parseShortLines(testNet.run(binaries['owners-short']!, [String(count), testNet.hostIp4, String(port), String(udpPort), '0']));
      const flood = run(1000);
      await collector.waitFor(() => undefined, 500);
      const verdict = judgeShortLived(flood, collector.owners, port);
      const { eventsLost } = collector.chains.stats();
      console.info(`overflow: ${verdict.attributed} attributed, ${verdict.unattributed} unattributed, ${eventsLost} events lost (counted)`);
      expect(verdict.wrong).toEqual([]);
      expect(verdict.unattributed).toBeGreaterThan(0);
      expect(eventsLost).toBeGreaterThanOrEqual(verdict.unattributed);
      const after = run(20);
      await collector.waitFor(() => (judgeShortLived(after, collector.owners, port).attributed === 20 ? true : undefined));
      expect(judgeShortLived(after, collector.owners, port).attributed).toBe(20);
    } finally {
      collector.close();
      server.kill();
    }
  });

  it('names the worker of a pre-forked server, not the listening parent, once it takes the connection', async () => {
    const collector = new OwnerCollector();
    try {
      const server = spawn(binaries['owners-prefork']!, ['127.0.0.1'], { stdio: ['ignore', 'pipe', 'inherit'] });
      const [master, worker, port] = await new Promise<number[]>((resolve) => server.stdout.once('data', (data) => resolve(String(data).trim().split(' ').map(Number))));
      const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
      const client = net.connect(port!, '127.0.0.1');
      await new Promise<void>((resolve) => client.once('connect', resolve));
      const clientPort = client.localPort!;
      const mine = () => collector.owners.filter((owner) => owner.proto === 6 && owner.localPort === port && owner.remotePort === clientPort);
      // The socket's first owner record (the handshake's, or the worker's accept) reaches JS before
      // the worker reads: the read is then the correction the test is about, not a race with it.
      await collector.waitFor(() => (mine().length > 0 ? true : undefined));
      expect(mine().length).toBeGreaterThan(0);
      client.write('x');
      expect(await exited).toBe(0);
      client.destroy();
      await collector.waitFor(() => (mine().some((owner) => owner.pid === worker) ? true : undefined));
      const records = mine().map(({ how, pid, comm }) => ({ how, pid, comm }));
      if (collector.chains.winners.accept === 'tp_btf:sock_recv_length') {
        // No accept hook: the handshake names the listener's owner (the master); the worker's first
        // read corrects it. Consumers keep the latest record per socket (cookie).
        expect(records).toEqual([
          { how: 'listen', pid: master, comm: 'smo-master' },
          { how: 'io', pid: worker, comm: 'smo-worker' },
        ]);
      } else {
        // An accept-path variant runs in the worker's accept(): it names the worker at once.
        expect(records).toEqual([{ how: 'accept', pid: worker, comm: 'smo-worker' }]);
      }
      expect(new Set(mine().map((owner) => owner.cookie)).size).toBe(1);
    } finally {
      collector.close();
    }
  });

  // Every UDP variant this kernel supports (the others are proven to fail cleanly in owners-variants).
  const facts = kernelFacts();
  const udpVariants = OWNER_CHAINS.udp.filter((variant) => variant.object !== null && kernelMeets(variant.needs, facts)).map((variant) => variant.name);
  it('has a UDP variant to try on this kernel', () => {
    expect(udpVariants.length).toBeGreaterThan(0);
  });
  for (const udp of udpVariants) {
    for (const mode of ['sendmmsg', 'io_uring']) {
      it(`udp=${udp}: ${mode} sends are attributed`, async () => {
        const collector = new OwnerCollector({ udp });
        try {
          const [pid, localPort, sent] = execFileSync(binaries['owners-io']!, [mode, testNet.hostIp4, String(udpPort)], { encoding: 'utf8' })
            .trim()
            .split(' ')
            .map(Number);
          expect(sent).toBeGreaterThan(0);
          const comm = mode === 'sendmmsg' ? 'smo-mmsg' : 'smo-uring';
          const owner = await collector.waitFor(() => collector.owners.find((candidate) => candidate.proto === 17 && candidate.localPort === localPort));
          expect(owner).toMatchObject({ pid, comm, how: 'udp-send', remoteIp: null });
        } finally {
          collector.close();
        }
      });
    }
  }
});
