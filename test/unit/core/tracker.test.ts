import { describe, expect, it } from 'vitest';
import type { ConnectionEvent } from '../../../src/shared/contract.js';
import { flow, flowEnd, owner, UDP } from './fakes/records.js';
import { trackerSetup } from './fakes/tracker-setup.js';

const setup = trackerSetup;

/** Checks the contract's lifecycle for every id: open first and once, close last and at most once. */
function expectLifecycle(events: ConnectionEvent[]): Map<string, ConnectionEvent[]> {
  const byId = new Map<string, ConnectionEvent[]>();
  for (const event of events) byId.set(event.id, [...(byId.get(event.id) ?? []), event]);
  for (const list of byId.values()) {
    expect(list[0]?.event).toBe('open');
    expect(list.filter((event) => event.event === 'open')).toHaveLength(1);
    const closes = list.filter((event) => event.event === 'close');
    expect(closes.length).toBeLessThanOrEqual(1);
    if (closes.length === 1) expect(list.at(-1)?.event).toBe('close');
  }
  return byId;
}

describe('Tracker lifecycle', () => {
  it('opens at once when the owner is known, with process and user', () => {
    const { events, tracker } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow()]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: 'open', proto: 'tcp', direction: 'outbound', family: 4,
      local: { ip: '10.0.0.2', port: 40000 }, remote: { ip: '93.184.216.34', port: 443 },
      process: { pid: 4321, name: 'curl', exe: '/usr/bin/curl', cmdline: 'curl https://example.com', uid: 1000, user: 'alice' },
      txBytes: 60, txPackets: 1,
    });
  });

  it('rate-limits updates to one per interval and carries the latest counters', () => {
    const { events, tracker, clock } = setup({ updateIntervalMs: 1_000 });
    tracker.owners([owner()]);
    for (let i = 1; i <= 30; i++) {
      tracker.flows([flow({ txBytes: 60 * i, txPackets: i, rxBytes: 100 * i, rxPackets: i })]);
      clock.now += 100;
      tracker.tick();
    }
    const updates = events.filter((event) => event.event === 'update');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.length).toBeLessThanOrEqual(3);
    clock.now += 1_000;
    tracker.tick();
    expect(events.at(-1)).toMatchObject({ event: 'update', txBytes: 1_800, rxBytes: 3_000, txPackets: 30 });
    expectLifecycle(events);
  });

  it('does not send updates when nothing changed', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow()]);
    for (let i = 0; i < 10; i++) {
      tracker.flows([flow()]);
      advance(500);
    }
    expect(events).toHaveLength(1);
  });

  it('closes once on FIN, ignores late rows of the same flow, and gives a reused tuple a new id', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    const first = flow({ txBytes: 500, tcpFlags: 0x13 });
    tracker.flows([first]);
    tracker.flowEnds([flowEnd(first, 'fin')]);
    tracker.flowEnds([flowEnd(first, 'close')]);
    tracker.flows([first]);
    advance(1_000);
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
    // A new connection on the tuple is a new socket, with its own connect record.
    tracker.owners([owner({ ts: 98_990 })]);
    tracker.flows([flow({ firstSeen: 99_000, txBytes: 80 })]);
    const byId = expectLifecycle(events);
    expect(byId.size).toBe(2);
    expect(events.at(-1)).toMatchObject({ event: 'open', txBytes: 80 });
  });

  it('closes a TCP flow that saw FIN/RST and went quiet even without an end record', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow({ tcpFlags: 0x02 | 0x10 | 0x04 })]);
    advance(6_000);
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
  });

  it('closes idle UDP after the timeout; resumed traffic is a new connection counted from there', () => {
    const { events, tracker, advance } = setup({ udpIdleMs: 2_000 });
    const sample = flow({ proto: UDP, remotePort: 53, tcpFlags: 0, txBytes: 70, rxBytes: 120, txPackets: 1, rxPackets: 1 });
    tracker.owners([owner({ proto: UDP, how: 'udp-send', remoteIp: null, remotePort: null })]);
    tracker.flows([sample]);
    advance(1_500);
    expect(events.map((event) => event.event)).toEqual(['open']);
    advance(600);
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
    tracker.flows([sample]);
    expect(events).toHaveLength(2);
    tracker.flows([{ ...sample, txBytes: 140, rxBytes: 240, txPackets: 2, rxPackets: 2 }]);
    expect(events.at(-1)).toMatchObject({ event: 'open', proto: 'udp', txBytes: 70, rxBytes: 120, txPackets: 1, rxPackets: 1 });
    expect(expectLifecycle(events).size).toBe(2);
  });

  it('in /proc mode a listed UDP socket without counters stays open; its end record closes it', () => {
    const { events, tracker, advance } = setup({ udpIdleMs: 2_000 });
    tracker.setPresenceMeansActivity(true);
    const sample = flow({ ifindex: 0, proto: UDP, remotePort: 53, tcpFlags: 0, txBytes: 0, txPackets: 0 });
    tracker.owners([owner({ proto: UDP, how: 'existing', remotePort: 53 })]);
    for (let i = 0; i < 10; i++) {
      tracker.flows([sample]);
      advance(1_000);
    }
    expect(events.map((event) => event.event)).toEqual(['open']);
    tracker.flowEnds([flowEnd(sample, 'close')]);
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
  });

  it('sends the first bytes after the open at once, later changes at most once per interval', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow({ txBytes: 60, tcpFlags: 0x02 })]);
    advance(10);
    tracker.flows([flow({ txBytes: 1_200, tcpFlags: 0x12 })]);
    advance(10);
    expect(events.map((event) => [event.event, event.txBytes])).toEqual([['open', 60], ['update', 1_200]]);
    tracker.flows([flow({ txBytes: 2_400, tcpFlags: 0x12 })]);
    advance(500);
    expect(events).toHaveLength(2);
    advance(600);
    expect(events.map((event) => [event.event, event.txBytes]).at(-1)).toEqual(['update', 2_400]);
  });

  it('with an end grace, the row read after the end record completes the counters before the close', () => {
    const { events, tracker, advance } = setup({ endGraceMs: 1_000 });
    tracker.owners([owner()]);
    const established = flow({ txBytes: 112, rxBytes: 60, tcpFlags: 0x12 });
    tracker.flows([established]);
    tracker.flowEnds([{ ...flowEnd(established, 'close'), ifindex: 0 }]);
    tracker.flowEnds([flowEnd(established, 'fin')]);
    advance(300);
    tracker.flows([flow({ txBytes: 216, rxBytes: 112, tcpFlags: 0x13 })]);
    advance(500);
    expect(events.map((event) => event.event)).toEqual(['open']);
    advance(300);
    expect(events.map((event) => [event.event, event.txBytes, event.rxBytes])).toEqual([['open', 112, 60], ['close', 216, 112]]);
    // A row of the same kernel flow after the close (same firstSeen, SYN in its flag union) is late, not new.
    tracker.flows([flow({ txBytes: 268, rxBytes: 164, tcpFlags: 0x13 })]);
    advance(2_000);
    expect(events).toHaveLength(2);
  });

  it('a SYN-less row after FIN (teardown ACKs in a fresh kernel row) is the closed connection\'s tail, not a new one', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    const established = flow({ txBytes: 112, rxBytes: 60, tcpFlags: 0x1b });
    const tail = flow({ txBytes: 52, rxBytes: 52, firstSeen: 2_000, tcpFlags: 0x11 });
    tracker.flows([established]);
    tracker.flowEnds([flowEnd(established, 'fin')]);
    tracker.flows([tail]);
    advance(6_000);
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
    // The other order: the tail row comes before the end record.
    const other = { localPort: 40100 };
    tracker.owners([owner(other)]);
    tracker.flows([flow({ ...other, txBytes: 112, tcpFlags: 0x1b })]);
    tracker.flows([flow({ ...other, txBytes: 52, firstSeen: 2_000, tcpFlags: 0x11 })]);
    tracker.flowEnds([flowEnd(flow(other), 'fin')]);
    expect(events.slice(2).map((event) => [event.event, event.txBytes])).toEqual([['open', 112], ['close', 112]]);
    // A new connection on the same tuple starts with SYN and is new (a new socket, its own record).
    tracker.owners([owner({ ts: 89_990 })]);
    tracker.flows([flow({ firstSeen: 90_000, txBytes: 60, tcpFlags: 0x02 })]);
    expect(events.at(-1)).toMatchObject({ event: 'open', txBytes: 60 });
  });

  it('after a kernel eviction, the SYN-less row of the same connection is tracked again', () => {
    const { events, tracker } = setup();
    tracker.owners([owner()]);
    const sample = flow({ txBytes: 5_000, tcpFlags: 0x12 });
    tracker.flows([sample]);
    tracker.flowEnds([flowEnd(sample, 'evicted')]);
    tracker.flows([flow({ txBytes: 300, firstSeen: 7_000, tcpFlags: 0x10 })]);
    expect(events.map((event) => [event.event, event.txBytes])).toEqual([['open', 5_000], ['close', 5_000], ['open', 300]]);
  });

  it('a kernel row recreated with lower counters starts a new connection', () => {
    const { events, tracker } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow({ txBytes: 5_000 })]);
    tracker.owners([owner({ ts: 49_990 })]); // the new SYN's socket
    tracker.flows([flow({ txBytes: 100, firstSeen: 50_000 })]);
    expect(events.map((event) => event.event)).toEqual(['open', 'close', 'open']);
    expect(events.at(-1)?.txBytes).toBe(100);
    expect(expectLifecycle(events).size).toBe(2);
  });
});

describe('Tracker memory bound and stats', () => {
  it('evicts the least recently active connection past the bound, closing it and counting it', () => {
    const { events, tracker, clock } = setup({ maxConnections: 3 });
    for (let port = 1; port <= 3; port++) tracker.flows([flow({ localPort: port })]);
    clock.now += 10;
    tracker.flows([flow({ localPort: 1, txBytes: 999 })]);
    tracker.flows([flow({ localPort: 4 }), flow({ localPort: 5 })]);
    const closed = events.filter((event) => event.event === 'close').map((event) => event.local.port);
    expect(closed).toEqual([2, 3]);
    expect(tracker.stats()).toMatchObject({ evicted: 2, live: 3 });
    expectLifecycle(events);
  });

  it('counts kernel-side evictions reported as flow ends', () => {
    const { tracker } = setup();
    const sample = flow();
    tracker.flows([sample]);
    tracker.flowEnds([flowEnd(sample, 'evicted')]);
    expect(tracker.stats()).toMatchObject({ evicted: 1, live: 0 });
  });

  it('counts other protocols without emitting them', () => {
    const { events, tracker, advance } = setup();
    tracker.flows([flow({ proto: 1, localPort: 0, remotePort: 0 }), flow({ proto: 58, family: 6, localIp: 'fe80::1', remoteIp: 'fe80::2' })]);
    advance(1_000);
    expect(events).toEqual([]);
    expect(tracker.stats().otherProtocols).toBe(2);
  });
});

describe('Tracker interfaces and loopback', () => {
  it('counts a tuple seen on several interfaces once, from the first interface', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow({ ifindex: 7, txBytes: 100 }), flow({ ifindex: 3, txBytes: 100 })]);
    tracker.flows([flow({ ifindex: 7, txBytes: 300 }), flow({ ifindex: 3, txBytes: 290 })]);
    advance(1_100);
    expect(events.map((event) => [event.event, event.txBytes])).toEqual([['open', 100], ['update', 300]]);
    tracker.flowEnds([flowEnd(flow({ ifindex: 3 }))]);
    expect(events.at(-1)?.event).toBe('update');
    tracker.flowEnds([flowEnd(flow({ ifindex: 7 }))]);
    expect(events.at(-1)).toMatchObject({ event: 'close', txBytes: 300 });
  });

  it('tracks both ends of a loopback connection, each with its own owner and direction', () => {
    const { events, tracker } = setup();
    const client = { localIp: '127.0.0.1', localPort: 45000, remoteIp: '127.0.0.1', remotePort: 8080 };
    const server = { localIp: '127.0.0.1', localPort: 8080, remoteIp: '127.0.0.1', remotePort: 45000 };
    tracker.owners([
      owner({ ...client, pid: 10, comm: 'client', how: 'connect' }),
      owner({ ...server, pid: 20, comm: 'server', how: 'accept' }),
    ]);
    tracker.flows([flow({ ifindex: 1, ...client, initiator: 'local' }), flow({ ifindex: 1, ...server, initiator: 'remote' })]);
    expect(events.map((event) => [event.process?.name, event.direction, event.local.port])).toEqual([
      ['client', 'outbound', 45000],
      ['server', 'inbound', 8080],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(2);
  });

  it('treats v4-mapped addresses as IPv4 on flows, owners and ends', () => {
    const { events, tracker } = setup();
    tracker.owners([owner({ family: 6, localIp: '::ffff:10.0.0.2', remoteIp: '::ffff:93.184.216.34' })]);
    const mapped = flow({ family: 6, localIp: '::ffff:10.0.0.2', remoteIp: '::ffff:93.184.216.34' });
    tracker.flows([mapped]);
    tracker.flows([flow({ txBytes: 60 })]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ family: 4, local: { ip: '10.0.0.2' }, remote: { ip: '93.184.216.34' }, process: { pid: 4321 } });
    tracker.flowEnds([flowEnd(mapped)]);
    expect(events.at(-1)?.event).toBe('close');
  });
});

describe('Tracker owner join', () => {
  it('an owner arriving shortly after the flow still opens it attributed', () => {
    const { events, tracker, advance } = setup({ ownerWaitMs: 300 });
    tracker.flows([flow()]);
    advance(200);
    expect(events).toEqual([]);
    tracker.owners([owner()]);
    expect(events).toHaveLength(1);
    expect(events[0]?.process?.pid).toBe(4321);
    expect(tracker.stats().unattributed).toBe(0);
  });

  it('opens unattributed after the wait, then attributes with an update when the owner comes', () => {
    const { events, tracker, advance } = setup({ ownerWaitMs: 300 });
    tracker.flows([flow()]);
    advance(400);
    expect(events[0]).toMatchObject({ event: 'open', process: null });
    expect(tracker.stats().unattributed).toBe(1);
    tracker.owners([owner()]);
    advance(1_100);
    expect(events.at(-1)).toMatchObject({ event: 'update', process: { pid: 4321 } });
    expect(tracker.stats().unattributed).toBe(0);
    expect(events[0]?.process).toBeNull();
  });

  it('stops trying to attribute a flow 30 s after it appeared', () => {
    const { events, tracker, advance } = setup();
    tracker.flows([flow()]);
    advance(31_000, 1_000);
    tracker.owners([owner()]);
    advance(2_000);
    expect(events.map((event) => [event.event, event.process])).toEqual([['open', null]]);
    expect(tracker.stats().unattributed).toBe(1);
  });

  it('decides direction from the initiator when no owner says', () => {
    const { events, tracker, advance } = setup({ ownerWaitMs: 0 });
    tracker.flows([flow({ initiator: 'remote', localPort: 22, remotePort: 51000 }), flow({ initiator: 'local', localPort: 41000 })]);
    advance(100);
    expect(events.map((event) => event.direction)).toEqual(['inbound', 'outbound']);
  });

  it('joins unconnected UDP by local endpoint, including wildcard binds', () => {
    const { events, tracker } = setup();
    tracker.owners([
      owner({ proto: UDP, how: 'bind', localIp: '0.0.0.0', localPort: 5353, remoteIp: null, remotePort: null, pid: 50, comm: 'avahi-daemon' }),
      owner({ proto: UDP, how: 'udp-send', localIp: '10.0.0.2', localPort: 6000, remoteIp: null, remotePort: null, pid: 60, comm: 'dig' }),
      owner({ proto: UDP, how: 'bind', family: 6, localIp: '::', localPort: 7000, remoteIp: null, remotePort: null, pid: 70, comm: 'dual' }),
    ]);
    tracker.flows([
      flow({ proto: UDP, localIp: '10.0.0.2', localPort: 5353, remoteIp: '224.0.0.251', remotePort: 5353 }),
      flow({ proto: UDP, localIp: '10.0.0.2', localPort: 6000, remoteIp: '1.1.1.1', remotePort: 53 }),
      flow({ proto: UDP, localIp: '10.0.0.2', localPort: 6000, remoteIp: '8.8.8.8', remotePort: 53 }),
      flow({ proto: UDP, localIp: '10.0.0.2', localPort: 7000, remoteIp: '9.9.9.9', remotePort: 53 }),
    ]);
    expect(events.map((event) => event.process?.pid)).toEqual([50, 60, 60, 70]);
  });

  it('an exact tuple owner wins over a local-endpoint owner; a socket cookie replaces its old claim', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([
      owner({ proto: UDP, how: 'bind', localPort: 6000, remoteIp: null, remotePort: null, pid: 1, cookie: '77' }),
      owner({ proto: UDP, how: 'connect', localPort: 6000, remoteIp: '1.1.1.1', remotePort: 53, pid: 2, cookie: '78' }),
    ]);
    tracker.flows([flow({ proto: UDP, localPort: 6000, remoteIp: '1.1.1.1', remotePort: 53 })]);
    expect(events.at(-1)?.process?.pid).toBe(2);
    tracker.owners([owner({ proto: UDP, how: 'connect', localPort: 6000, remoteIp: '8.8.4.4', remotePort: 53, pid: 1, cookie: '77' })]);
    tracker.flows([flow({ proto: UDP, localPort: 6000, remoteIp: '8.8.8.8', remotePort: 53, initiator: 'unknown' })]);
    advance(400);
    expect(events).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ event: 'open', remote: { ip: '8.8.8.8' }, process: null });
  });

  it('a TCP listener owns the connections accepted on its port, as inbound', () => {
    const { events, tracker } = setup();
    tracker.owners([owner({ how: 'listen', localIp: '0.0.0.0', localPort: 8443, remoteIp: null, remotePort: null, pid: 80, comm: 'nginx' })]);
    tracker.flows([flow({ localPort: 8443, remoteIp: '203.0.113.5', remotePort: 50123, initiator: 'unknown' })]);
    expect(events[0]).toMatchObject({ direction: 'inbound', process: { pid: 80, name: 'nginx' } });
  });
});

describe('Tracker clear and connections()', () => {
  it('holds live and recently closed connections, drops closed ones after retention', () => {
    const { tracker, advance } = setup({ closedRetentionMs: 5_000 });
    tracker.owners([owner(), owner({ localPort: 40001 })]);
    const ended = flow({ localPort: 40001 });
    tracker.flows([flow(), ended]);
    tracker.flowEnds([flowEnd(ended)]);
    expect(tracker.connections().map((event) => event.event).sort()).toEqual(['close', 'open']);
    advance(5_100);
    expect(tracker.connections().map((event) => event.local.port)).toEqual([40000]);
  });

  it('clear() forgets everything; live flows come back as new connections counted from the clear', () => {
    const { events, tracker, advance } = setup();
    tracker.owners([owner()]);
    tracker.flows([flow({ txBytes: 1_000 })]);
    tracker.clear();
    expect(tracker.connections()).toEqual([]);
    tracker.flows([flow({ txBytes: 1_500 })]);
    advance(400);
    const reopened = events.at(-1);
    expect(reopened).toMatchObject({ event: 'open', txBytes: 500 });
    expect(reopened?.id).not.toBe(events[0]?.id);
    expect(tracker.connections()).toHaveLength(1);
  });
});
