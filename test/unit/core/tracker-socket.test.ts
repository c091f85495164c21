// Socket identity in the tracker: flows carry the cookie of the socket that sent on them; owners
// join by it first; a reuse end (another socket took over the 5-tuple) closes the old connection with
// its final row; ICMP echo flows are connections.
import { describe, expect, it } from 'vitest';
import { flow, flowEnd, owner, UDP } from './fakes/records.js';
import { trackerSetup } from './fakes/tracker-setup.js';

const setup = (): ReturnType<typeof trackerSetup> => trackerSetup({ userOf: () => null });

const udp = { proto: UDP, localPort: 47000, remotePort: 9000, tcpFlags: 0, remoteIp: '10.213.7.2', localIp: '10.213.7.1' };

describe('Tracker socket identity', () => {
  it('two sockets on one UDP 5-tuple, one after the other: two connections, own owners, own bytes', () => {
    const { events, tracker } = setup();
    const first = owner({ ...udp, how: 'udp-send', remoteIp: null, remotePort: null, cookie: '11', pid: 100, comm: 'first' });
    const second = owner({ ...udp, how: 'udp-send', remoteIp: null, remotePort: null, cookie: '22', pid: 200, comm: 'second' });
    tracker.owners([first]);
    tracker.flows([flow({ ...udp, txBytes: 3 * 40, txPackets: 3, firstSeen: 1_000, cookie: '11' })]);
    // The second process's owner record arrives with the take-over (the owner ring is drained
    // first): by tuple it would win; by cookie the old row still finds the first process.
    tracker.owners([second]);
    const final = flow({ ...udp, txBytes: 4 * 40, txPackets: 4, firstSeen: 1_000, cookie: '11' });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    tracker.flows([flow({ ...udp, txBytes: 5 * 40, txPackets: 5, firstSeen: 2_000, cookie: '22' })]);
    expect(events.map((event) => [event.event, event.process?.name, event.txPackets])).toEqual([
      ['open', 'first', 3],
      ['close', 'first', 4],
      ['open', 'second', 5],
    ]);
    expect(new Set(events.map((event) => event.id)).size).toBe(2);
  });

  it('never borrows the owner of the previous socket on a tuple while the new socket\'s record is on its way', () => {
    const { events, tracker, clock } = setup();
    const tcp = { localIp: '10.213.7.1', localPort: 48000, remoteIp: '10.213.7.2', remotePort: 9001 };
    tracker.owners([owner({ ...tcp, cookie: '11', pid: 100, comm: 'old' })]);
    tracker.flows([flow({ ...tcp, firstSeen: 1_000, cookie: '11' })]);
    const final = flow({ ...tcp, firstSeen: 1_000, cookie: '11', tcpFlags: 0x16 });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    tracker.flows([flow({ ...tcp, firstSeen: 2_000, cookie: '22' })]);
    expect(events.filter((event) => event.event === 'open').map((event) => event.process?.name)).toEqual(['old']);
    clock.now += 100;
    tracker.owners([owner({ ...tcp, cookie: '22', pid: 200, comm: 'new' })]);
    expect(events.filter((event) => event.event === 'open').map((event) => event.process?.name)).toEqual(['old', 'new']);
  });

  it('without cookies (5.10), a TCP port reused after a reset: each connection gets the record made for it, by time', () => {
    const { events, tracker, clock } = setup();
    const tcp = { localIp: '10.213.7.1', localPort: 48100, remoteIp: '10.213.7.2', remotePort: 9001 };
    tracker.owners([owner({ ...tcp, ts: 900, pid: 100, comm: 'old' })]);
    tracker.flows([flow({ ...tcp, firstSeen: 1_000, cookie: null })]);
    const final = flow({ ...tcp, firstSeen: 1_000, tcpFlags: 0x16, cookie: null });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    // The new socket's row before its record: the old record is older than the old flow, not its.
    tracker.flows([flow({ ...tcp, firstSeen: 2_000, cookie: null })]);
    expect(events.map((event) => [event.event, event.process?.name])).toEqual([['open', 'old'], ['close', 'old']]);
    tracker.owners([owner({ ...tcp, ts: 1_990, pid: 200, comm: 'new' })]);
    clock.now += 10;
    tracker.tick();
    expect(events.map((event) => [event.event, event.process?.name])).toEqual([['open', 'old'], ['close', 'old'], ['open', 'new']]);
  });

  it('without cookies, the final row of a flow taken over before any row was read finds its own record, not the newer one', () => {
    const { events, tracker } = setup();
    const tcp = { localIp: '10.213.7.1', localPort: 48200, remoteIp: '10.213.7.2', remotePort: 9001 };
    // Both records were drained before the take-over was delivered: the newer one is the latest.
    tracker.owners([owner({ ...tcp, ts: 900, pid: 100, comm: 'old' })]);
    tracker.owners([owner({ ...tcp, ts: 1_990, pid: 200, comm: 'new' })]);
    const final = flow({ ...tcp, firstSeen: 1_000, tcpFlags: 0x16, cookie: null });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    tracker.flows([flow({ ...tcp, firstSeen: 2_000, cookie: null })]);
    expect(events.map((event) => [event.event, event.process?.name])).toEqual([['open', 'old'], ['close', 'old'], ['open', 'new']]);
  });

  it('without cookies, an idle-closed UDP flow that resumes keeps its socket\'s old record', () => {
    const { events, tracker, clock } = setup();
    const local = { ...udp, localPort: 47100 };
    tracker.owners([owner({ ...local, how: 'udp-send', remoteIp: null, remotePort: null, ts: 900, pid: 100, comm: 'ntp' })]);
    tracker.flows([flow({ ...local, firstSeen: 1_000, cookie: null })]);
    clock.now += 61_000;
    tracker.tick();
    tracker.flows([flow({ ...local, firstSeen: 70_000, txBytes: 40, txPackets: 1, cookie: null })]);
    expect(events.map((event) => [event.event, event.process?.name])).toEqual([['open', 'ntp'], ['close', 'ntp'], ['open', 'ntp']]);
  });

  it('a flow that came and went before any row was read opens and closes from its reuse end', () => {
    const { events, tracker } = setup();
    tracker.owners([owner({ ...udp, how: 'udp-send', remoteIp: null, remotePort: null, cookie: '11', pid: 100, comm: 'gone' })]);
    const final = flow({ ...udp, txBytes: 120, txPackets: 3, firstSeen: 1_000, cookie: '11' });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]); // a duplicate changes nothing
    expect(events.map((event) => [event.event, event.process?.name, event.txPackets])).toEqual([
      ['open', 'gone', 3],
      ['close', 'gone', 3],
    ]);
  });

  it('the old flow still gets its own connection when the new socket\'s row was read before its reuse end', () => {
    const { events, tracker } = setup();
    tracker.owners([owner({ ...udp, how: 'udp-send', remoteIp: null, remotePort: null, cookie: '11', pid: 100, comm: 'first' })]);
    tracker.owners([owner({ ...udp, how: 'udp-send', remoteIp: null, remotePort: null, cookie: '22', pid: 200, comm: 'second' })]);
    // The old flow's open was read late: the row is already the new socket's.
    tracker.flows([flow({ ...udp, txBytes: 5 * 40, txPackets: 5, firstSeen: 2_000, cookie: '22' })]);
    const final = flow({ ...udp, txBytes: 3 * 40, txPackets: 3, firstSeen: 1_000, cookie: '11' });
    tracker.flowEnds([{ ...flowEnd(final, 'reuse'), final }]);
    tracker.flows([flow({ ...udp, txBytes: 6 * 40, txPackets: 6, firstSeen: 2_000, cookie: '22' })]);
    expect(events.map((event) => [event.event, event.process?.name, event.txPackets])).toEqual([
      ['open', 'second', 5],
      ['open', 'first', 3],
      ['close', 'first', 3],
    ]);
    expect(tracker.stats().live).toBe(1);
    expect(tracker.connections().find((event) => event.process?.name === 'second')?.event).toBe('open');
  });

  it('a row from another socket with a new firstSeen restarts the connection even if its counters are higher', () => {
    const { events, tracker, clock } = setup();
    tracker.flows([flow({ ...udp, txBytes: 40, txPackets: 1, firstSeen: 1_000, cookie: '11' })]);
    tracker.flows([flow({ ...udp, txBytes: 400, txPackets: 10, firstSeen: 2_000, cookie: '22' })]);
    clock.now += 300; // the new one waits for an owner, then opens unattributed
    tracker.tick();
    expect(events.filter((event) => event.event === 'close')).toHaveLength(1);
    expect(new Set(events.map((event) => event.id)).size).toBe(2);
  });

  it('joins an inbound flow to its socket once the first reply carries the cookie', () => {
    const { events, tracker, clock } = setup();
    tracker.owners([owner({ ...udp, how: 'udp-recv', localIp: '0.0.0.0', remoteIp: null, remotePort: null, localPort: 1, cookie: '77', pid: 300, comm: 'server' })]);
    tracker.flows([flow({ ...udp, rxBytes: 40, txBytes: 0, rxPackets: 1, txPackets: 0, initiator: 'remote', cookie: null })]);
    expect(events).toEqual([]);
    tracker.flows([flow({ ...udp, rxBytes: 40, txBytes: 40, rxPackets: 1, txPackets: 1, initiator: 'remote', cookie: '77' })]);
    clock.now += 50;
    expect(events[0]).toMatchObject({ event: 'open', process: { pid: 300, name: 'server' } });
  });

  it('ICMP echo is a connection owned by the socket that sent it; other ICMP stays a counter', () => {
    const { events, tracker } = setup();
    tracker.owners([owner({ how: 'create', proto: 1, localIp: '0.0.0.0', localPort: 0, remoteIp: null, remotePort: null, cookie: '5', pid: 42, comm: 'ping' })]);
    const echo = { proto: 1, localPort: 777, remotePort: 0, tcpFlags: 0, localIp: '10.213.7.1', remoteIp: '10.213.7.2' };
    tracker.flows([flow({ ...echo, txBytes: 84, rxBytes: 84, txPackets: 1, rxPackets: 1, cookie: '5' })]);
    tracker.flows([flow({ ...echo, localPort: 0, cookie: null })]); // e.g. a port unreachable
    tracker.flows([flow({ ...echo, family: 6, proto: 58, localIp: 'fd5e:213:7::1', remoteIp: 'fd5e:213:7::2', cookie: '5' })]);
    expect(events.map((event) => [event.proto, event.local.port, event.remote.port, event.process?.name])).toEqual([
      ['icmp', 777, 0, 'ping'],
      ['icmpv6', 777, 0, 'ping'],
    ]);
    expect(tracker.stats().otherProtocols).toBe(1);
  });

  it('an ICMP echo connection closes 10 s after its last packet', () => {
    const { events, tracker, clock } = setup();
    tracker.flows([flow({ proto: 1, localPort: 9, remotePort: 0, tcpFlags: 0, cookie: null })]);
    clock.now += 400;
    tracker.tick();
    clock.now += 9_000;
    tracker.tick();
    expect(events.map((event) => event.event)).toEqual(['open']);
    clock.now += 1_000;
    tracker.tick();
    expect(events.map((event) => event.event)).toEqual(['open', 'close']);
  });

  it('tick() says when it next has work, and Infinity when only input can change anything', () => {
    const { tracker, clock } = setup();
    expect(tracker.tick()).toBe(Infinity);
    tracker.flows([flow({ ...udp })]);
    expect(tracker.tick()).toBe(clock.now + 300); // the owner wait
  });
});
