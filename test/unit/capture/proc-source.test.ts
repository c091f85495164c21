import { createServer, connect, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProcSource } from '../../../src/core/capture/proc-source.js';
import { RecordingSink, until } from './recording-sink.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function loopbackPair(): Promise<{ server: Server; client: Socket; port: number; clientPort: number }> {
  const server = createServer((socket) => cleanups.push(() => socket.destroy()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  const client = connect(address.port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  cleanups.push(() => {
    client.destroy();
    server.close();
  });
  return { server, client, port: address.port, clientPort: client.localPort ?? 0 };
}

describe('ProcSource on the real /proc', () => {
  it('does not claim to miss other users when it runs as root', async () => {
    const source = new ProcSource({ intervalMs: 50, uid: 0 });
    const hello = await source.start(new RecordingSink());
    await source.stop();
    expect(hello.limitations.join('\n')).not.toMatch(/other users/);
    expect(hello.limitations).toHaveLength(3);
  });

  it('says hello in proc mode with its blind spots, and no probes', async () => {
    const source = new ProcSource({ intervalMs: 50, uid: 1000 });
    const hello = await source.start(new RecordingSink());
    await source.stop();
    expect(hello.capture).toBe('proc');
    expect(Object.values(hello.probes).every((v) => v === null)).toBe(true);
    expect(hello.limitations.join('\n')).toMatch(/short-lived/);
    expect(hello.limitations.join('\n')).toMatch(/other users/);
    expect(hello.limitations.join('\n')).toMatch(/no byte/);
    expect(hello.limitations.join('\n')).toMatch(/no DNS names/);
  });

  it('sees this process\'s loopback connection from both ends, attributes it, and ends it on close', async () => {
    const { client, port, clientPort } = await loopbackPair();
    const sink = new RecordingSink();
    const source = new ProcSource({ intervalMs: 50 });
    cleanups.push(() => void source.stop());
    await source.start(sink);
    await until(() => sink.ownerRecords.filter((o) => o.localPort === clientPort || o.localPort === port).length >= 2);
    const outbound = sink.flowBatches.flat().find((f) => f.localPort === clientPort && f.remotePort === port);
    const inbound = sink.flowBatches.flat().find((f) => f.localPort === port && f.remotePort === clientPort);
    expect(outbound).toMatchObject({ family: 4, proto: 6, localIp: '127.0.0.1', initiator: 'local', txBytes: 0, rxBytes: 0 });
    expect(inbound).toMatchObject({ initiator: 'remote' });
    const owner = sink.ownerRecords.find((o) => o.localPort === clientPort);
    expect(owner).toMatchObject({ how: 'existing', pid: process.pid, uid: process.getuid?.(), cookie: null, exe: process.execPath, remotePort: port });
    expect(owner?.startTime).toBeGreaterThan(0);
    // Lineage from /proc as this user: the parent is this test's parent, the cgroup this process's own.
    expect(owner?.parents?.[0]).toEqual({ pid: process.ppid, name: readFileSync(`/proc/${process.ppid}/comm`, 'utf8').trim() });
    const ownCgroup = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((line) => line.startsWith('0::/'));
    expect(owner?.cgroup).toBe(ownCgroup === undefined ? undefined : ownCgroup.slice(3).replace(/ \(deleted\)$/, ''));
    client.destroy();
    await until(() => sink.ends.some((e) => e.localPort === clientPort && e.reason === 'close'));
  });

  it('stops polling while paused', async () => {
    // The poll timer on a fake clock: time moves only when the test says, so "no poll while paused"
    // is shown by moving it fifty periods on, not by hoping a real window was long enough.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const sink = new RecordingSink();
    const source = new ProcSource({ intervalMs: 20 });
    try {
      await source.start(sink);
      const started = sink.flowBatches.length;
      vi.advanceTimersByTime(20);
      expect(sink.flowBatches.length).toBe(started + 1);
      await source.pause();
      vi.advanceTimersByTime(1000);
      expect(sink.flowBatches.length).toBe(started + 1);
      await source.resume();
      vi.advanceTimersByTime(20);
      expect(sink.flowBatches.length).toBe(started + 2);
    } finally {
      await source.stop();
      vi.useRealTimers();
    }
  });

  it('fails to start when /proc/net is unreadable', async () => {
    await expect(new ProcSource({ procRoot: '/nonexistent' }).start(new RecordingSink())).rejects.toThrow();
  });
});
