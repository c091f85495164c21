// The event column's key-less form: every contract field comes back as it went in (the process with
// its optional parts, fleet's `instance`, null places), an event with a field the codec does not
// know is kept whole, and a row in an unknown format is a named error.

import { describe, expect, it } from 'vitest';
import { decodeEvent, encodeEvent, StoredEventError } from '../../../../src/core/history/stored-event.js';
import type { ConnectionEvent } from '../../../../src/shared/contract.js';
import { connection } from './fake-engine.js';

describe('stored event', () => {
  const full: ConnectionEvent = connection({
    id: 'x1',
    ts: 1_767_225_600_123,
    event: 'update',
    txBytes: 12,
    rxBytes: 34,
    txPackets: 5,
    rxPackets: 6,
    remote: { ip: '2001:db8::7', port: 853, host: 'dns.example.test', scope: 'internet', geo: { country: 'DE', city: null, lat: 52.5, lon: 13.4 }, asn: { number: 64501, org: 'Example "quoted" Org' } },
    process: { pid: 7, name: 'resolved', exe: null, cmdline: null, uid: 0, user: null, parents: [{ pid: 1, name: 'systemd' }], cgroup: '/system.slice/x.service', app: { kind: 'systemd', id: 'x.service', unit: 'x.service' }, netns: 4026531840 },
  });

  it('round-trips every field, smaller than the object', () => {
    for (const event of [full, { ...full, instance: 'host-a:9100' }, connection({ id: 'y', ts: 1, process: null, remote: { ip: '10.0.0.9', port: 22, host: null, scope: 'lan', geo: null, asn: null } })]) {
      const text = encodeEvent(event);
      expect(text.startsWith('[')).toBe(true);
      expect(decodeEvent(text)).toEqual(event);
      expect(text.length).toBeLessThan(JSON.stringify(event).length * 0.8);
    }
  });

  it('keeps an event with a field it does not know whole, and reads whole objects', () => {
    const later = { ...full, remote: { ...full.remote, rdns: 'later.example.test' } } as ConnectionEvent;
    const text = encodeEvent(later);
    expect(text).toBe(JSON.stringify(later));
    expect(decodeEvent(text)).toEqual(later);
  });

  it('names a row in an unknown format', () => {
    expect(() => decodeEvent('[2,"open"]')).toThrow(StoredEventError);
    expect(() => decodeEvent('"text"')).toThrow(StoredEventError);
  });
});
