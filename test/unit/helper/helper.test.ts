import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { runHelper, type HelperRun } from '../../../src/helper/helper.js';
import { ProcIdentity } from '../../../src/helper/proc-identity.js';
import type { HelperMessage } from '../../../src/shared/helper-protocol.js';
import { MAX_COMMAND_LINE } from '../../../src/shared/helper-protocol.js';
import type { Probe } from '../../../native/api.js';
import { FakeProbe, sampleRow } from './fake-probe.js';
import { waitFor } from '../../support/wait-for.js';

interface Harness {
  input: PassThrough;
  output: PassThrough;
  messages: HelperMessage[];
  run: HelperRun;
  probe: FakeProbe;
  next(predicate: (m: HelperMessage) => boolean): Promise<HelperMessage>;
}

const running: Harness[] = [];

function start(open?: () => Promise<Probe>): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  const probe = new FakeProbe();
  const messages: HelperMessage[] = [];
  const waiters: Array<{ predicate: (m: HelperMessage) => boolean; resolve: (m: HelperMessage) => void }> = [];
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const message = JSON.parse(line) as HelperMessage;
      messages.push(message);
      for (const waiter of waiters.splice(0)) {
        if (waiter.predicate(message)) waiter.resolve(message);
        else waiters.push(waiter);
      }
    }
  });
  const run = runHelper({
    openProbe: open ?? (async () => probe),
    input,
    output,
    identity: new ProcIdentity(),
    kernel: '6.18.0-test',
    pid: 4242,
    activeReadMs: 10,
    idleCheckMs: 20,
    sweepMs: 60_000,
  });
  const next = (predicate: (m: HelperMessage) => boolean): Promise<HelperMessage> => {
    const found = messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => waiters.push({ predicate, resolve }));
  };
  const harness = { input, output, messages, run, probe, next };
  running.push(harness);
  return harness;
}

function send(h: Harness, text: string): void {
  h.input.write(`${text}\n`);
}

async function ping(h: Harness, id: number): Promise<void> {
  send(h, JSON.stringify({ cmd: 'ping', id }));
  await h.next((m) => m.t === 'pong' && m.id === id);
}

afterEach(async () => {
  for (const h of running.splice(0)) {
    h.run.stop('test end');
    await h.run.done;
  }
});

describe('helper protocol', () => {
  it('says hello first, with probes, limitations for capabilities that did not attach, and the kernel', async () => {
    const h = start();
    const hello = await h.next((m) => m.t === 'hello');
    expect(h.messages[0]).toBe(hello);
    if (hello.t !== 'hello') throw new Error('unreachable');
    expect(hello).toMatchObject({ protocol: 1, pid: 4242, capture: 'ebpf', kernel: '6.18.0-test' });
    expect(hello.probes.connect).toBe('tp_btf:inet_sock_set_state');
    expect(hello.limitations).toEqual([
      'accepted TCP connections have no owner — the kernel refused kretprobe:inet_csk_accept (ENOENT: no kprobes in this kernel)',
      'closed connections are noticed only when they go idle',
      'short-lived processes may go unnamed',
      'connections opened before the start have no owner until they are used',
      'ping (ICMP echo) has no owner',
    ]);
  });

  it('answers junk, unknown commands and extra fields with an error and stays alive', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    send(h, 'hello there');
    send(h, '{"cmd":"rm -rf /"}');
    send(h, '{"cmd":"pause","path":"/etc/shadow"}');
    send(h, '[1,2,3]');
    send(h, '{"cmd":"ping","id":"x"}');
    send(h, '\u0000\u0001\u00ff garbage');
    await ping(h, 7);
    const errors = h.messages.filter((m) => m.t === 'error');
    expect(errors).toHaveLength(6);
    for (const error of errors) expect(error).toMatchObject({ code: 'bad-command', fatal: false });
    expect(h.probe.closed).toBe(0);
  });

  it('discards a line longer than MAX_COMMAND_LINE with one error and reads the next line', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    const huge = 'x'.repeat(MAX_COMMAND_LINE * 3);
    h.input.write(huge.slice(0, 5000));
    h.input.write(`${huge.slice(5000)}\n`);
    await ping(h, 1);
    const errors = h.messages.filter((m) => m.t === 'error');
    expect(errors).toEqual([expect.objectContaining({ code: 'line-too-long', fatal: false })]);
  });

  it('exits within 1 s when stdin closes, closing the probe, with bye last', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    const started = Date.now();
    h.input.end();
    await expect(h.run.done).resolves.toBe('stdin closed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(h.probe.closed).toBe(1);
    expect(h.messages.at(-1)).toEqual({ t: 'bye', reason: 'stdin closed' });
  });

  it('stops on a signal and on the shutdown command', async () => {
    const a = start();
    await a.next((m) => m.t === 'hello');
    a.run.stop('SIGTERM');
    await expect(a.run.done).resolves.toBe('SIGTERM');
    expect(a.probe.closed).toBe(1);

    const b = start();
    await b.next((m) => m.t === 'hello');
    send(b, '{"cmd":"shutdown"}');
    await expect(b.run.done).resolves.toBe('shutdown command');
    expect(b.probe.closed).toBe(1);
  });

  it('ends when stdout breaks (EPIPE: the engine is gone)', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    h.output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(h.run.done).resolves.toBe('stdout closed');
    expect(h.probe.closed).toBe(1);
  });

  it('reports a probe that cannot open as a fatal error with the protocol code, then bye', async () => {
    const h = start(async () => {
      throw Object.assign(new Error('missing CAP_BPF'), { code: 'EPERM' });
    });
    await expect(h.run.done).resolves.toBe('probe failed');
    expect(h.messages[0]).toMatchObject({ t: 'error', code: 'no-privilege', fatal: true });
    expect(h.messages[0]?.t === 'error' && h.messages[0].message).toMatch(/missing CAP_BPF/);
    expect(h.messages.at(-1)).toMatchObject({ t: 'bye' });
  });

  it('forwards pushed rows at once and only when they changed', async () => {
    const h = start();
    h.probe.rows = [sampleRow(), sampleRow({ remotePort: 80 })];
    const first = await h.next((m) => m.t === 'flows');
    expect(first.t === 'flows' && first.flows).toHaveLength(2);
    h.probe.listeners.flows?.([sampleRow({ txBytes: 500 }), sampleRow({ remotePort: 80 })]);
    const second = await h.next((m) => m.t === 'flows' && m !== first);
    expect(second.t === 'flows' && second.flows).toEqual([sampleRow({ txBytes: 500 })]);
  });

  it('treats a row restarted for a new socket (same key, new firstSeen) as changed', async () => {
    const h = start();
    h.probe.rows = [sampleRow()];
    const first = await h.next((m) => m.t === 'flows');
    h.probe.listeners.flows?.([sampleRow({ firstSeen: 99 })]);
    const second = await h.next((m) => m.t === 'flows' && m !== first);
    expect(second.t === 'flows' && second.flows).toEqual([sampleRow({ firstSeen: 99 })]);
  });

  it('reads the table only while packets move; idle, it sleeps until the kernel wakes it', async () => {
    const h = start();
    h.probe.rows = [sampleRow()];
    await h.next((m) => m.t === 'flows');
    const idleReads = h.probe.reads;
    // Four still checks at the active rate, then the relay arms the kernel's wakeup and sleeps.
    await waitFor(() => (h.probe.wakeArmed > 0 ? true : undefined), { what: 'the relay to arm the traffic wakeup' });
    expect(h.probe.reads).toBe(idleReads);
    const checks = h.probe.packetChecks;
    h.probe.rows = [sampleRow({ txBytes: 900 })];
    h.probe.packetCount = 7;
    await ping(h, 11);
    // Asleep: the counter moved, and nobody looked (no timer but the minute's sweep is due).
    expect(h.probe.packetChecks).toBe(checks);
    // The kernel's wakeup: the row of the packet's flow, then reads at the active rate again.
    h.probe.listeners.flows?.([sampleRow({ txBytes: 900 })]);
    const moved = await h.next((m) => m.t === 'flows' && m.flows.some((row) => row.txBytes === 900));
    expect(moved.t === 'flows' && moved.flows).toEqual([sampleRow({ txBytes: 900 })]);
    await waitFor(() => (h.probe.packetChecks > checks ? true : undefined), { what: 'counter checks at the active rate after the wakeup' });
  });

  it('a packet counted while the wakeup was being armed is read, not slept through', async () => {
    const h = start();
    h.probe.rows = [sampleRow()];
    await h.next((m) => m.t === 'flows');
    h.probe.onArm = () => {
      h.probe.onArm = null;
      h.probe.rows = [sampleRow({ txBytes: 901 })];
      h.probe.packetCount = 9;
    };
    const moved = await h.next((m) => m.t === 'flows' && m.flows.some((row) => row.txBytes === 901));
    expect(moved.t === 'flows' && moved.flows).toEqual([sampleRow({ txBytes: 901 })]);
  });

  it('pauses flows and DNS, acknowledges, and re-sends every row on resume', async () => {
    const h = start();
    h.probe.rows = [sampleRow()];
    await h.next((m) => m.t === 'flows');
    send(h, '{"cmd":"pause"}');
    await h.next((m) => m.t === 'paused');
    h.probe.listeners.dns?.([{ ts: 1, direction: 'rx', proto: 17, localIp: '10.0.0.1', localPort: 5000, remoteIp: '10.0.0.53', remotePort: 53, payload: 'AAAA', truncated: false }]);
    h.probe.listeners.flows?.([sampleRow({ txBytes: 1 })]);
    // The pong is written after anything those listener calls wrote, and the stream keeps order.
    await ping(h, 3);
    expect(h.messages.filter((m) => m.t === 'dns' || m.t === 'flows')).toHaveLength(1);
    send(h, '{"cmd":"resume"}');
    await h.next((m) => m.t === 'resumed');
    await ping(h, 4);
    expect(h.messages.filter((m) => m.t === 'flows')).toHaveLength(2);
  });

  it('adds exe and cmdline from /proc to owners while the process lives', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    const owner = {
      ts: 1,
      how: 'connect' as const,
      cookie: '1',
      family: 4 as const,
      proto: 6,
      localIp: '10.0.0.1',
      localPort: 1,
      remoteIp: '10.0.0.2',
      remotePort: 2,
      comm: 'node',
      uid: 0,
    };
    h.probe.listeners.owners?.([
      { ...owner, pid: process.pid, startTime: null },
      { ...owner, pid: process.pid, startTime: 1 },
    ]);
    const message = await h.next((m) => m.t === 'owners');
    if (message.t !== 'owners') throw new Error('unreachable');
    expect(message.owners[0]).toMatchObject({ exe: process.execPath, cmdline: expect.stringContaining('node') });
    // Same PID but another start time: another process, so no identity rather than a wrong one.
    expect(message.owners[1]).toMatchObject({ exe: null, cmdline: null });
  });

  it('answers the stats command', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    const before = h.messages.filter((m) => m.t === 'stats').length;
    send(h, '{"cmd":"stats"}');
    await ping(h, 9);
    expect(h.messages.filter((m) => m.t === 'stats').length).toBe(before + 1);
  });

  it('says so when a kernel event drain failed, once per round in which more failed', async () => {
    const h = start();
    await h.next((m) => m.t === 'hello');
    const drainErrors = (): HelperMessage[] => h.messages.filter((m) => m.t === 'error' && /drain failed/.test(m.message));
    send(h, '{"cmd":"stats"}');
    await ping(h, 1);
    expect(drainErrors()).toEqual([]);
    h.probe.failures = { count: 2, lastError: 'ENOMEM' };
    send(h, '{"cmd":"stats"}');
    send(h, '{"cmd":"stats"}');
    await ping(h, 2);
    h.probe.failures = { count: 3, lastError: 'EBADF' };
    send(h, '{"cmd":"stats"}');
    await ping(h, 3);
    expect(drainErrors()).toEqual([
      { t: 'error', code: 'internal', fatal: false, message: expect.stringContaining('failed 2 time(s) (2 in all, last ENOMEM)') },
      { t: 'error', code: 'internal', fatal: false, message: expect.stringContaining('failed 1 time(s) (3 in all, last EBADF)') },
    ]);
  });
});
