import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatAddress, formatIpv6 } from '../../../src/common/ip-text.js';
import { decodeHexAddress, isConnection, parseProcNet } from '../../../src/core/capture/proc-net.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('/proc/net parsing', () => {
  it('decodes IPv4 tables (little-endian words), counts bad lines, and keeps state, uid and inode', () => {
    const { sockets, errors } = parseProcNet(fixture('proc-net-tcp.txt'), 'tcp', true);
    expect(errors).toBe(1);
    expect(sockets[0]).toEqual({ proto: 'tcp', family: 4, localIp: '127.0.0.1', localPort: 53, remoteIp: '0.0.0.0', remotePort: 0, state: 0x0a, uid: 101, inode: 12345 });
    expect(sockets[1]).toMatchObject({ localIp: '10.0.2.15', localPort: 40000, remoteIp: '192.168.0.34', remotePort: 443, state: 1, uid: 1000, inode: 23456 });
    expect(sockets.map(isConnection)).toEqual([false, true, false]); // LISTEN, ESTABLISHED, TIME_WAIT
  });

  it('reports IPv4-mapped IPv6 as IPv4 and formats IPv6 per RFC 5952', () => {
    const { sockets, errors } = parseProcNet(fixture('proc-net-tcp6.txt'), 'tcp', true);
    expect(errors).toBe(0);
    expect(sockets[0]).toMatchObject({ family: 4, localIp: '127.0.0.1', localPort: 8080, remoteIp: '127.0.0.1', remotePort: 54321 });
    expect(sockets[1]).toMatchObject({ family: 6, localIp: 'fd5e:213:5::1', localPort: 22, remoteIp: 'fd5e:213:5::2', remotePort: 50000 });
    expect(sockets[2]).toMatchObject({ family: 6, localIp: '::1', remoteIp: '::', state: 0x0a });
  });

  it('treats connected UDP sockets as connections and unconnected ones not', () => {
    const { sockets } = parseProcNet(fixture('proc-net-udp.txt'), 'udp', true);
    expect(sockets[0]).toMatchObject({ proto: 'udp', localIp: '10.0.2.15', localPort: 58097, remoteIp: '192.168.1.1', remotePort: 53 });
    expect(sockets.map(isConnection)).toEqual([true, false]);
  });

  it('decodes big-endian words in order', () => {
    expect(Array.from(decodeHexAddress('7F000001', false) ?? [])).toEqual([127, 0, 0, 1]);
    expect(decodeHexAddress('7F00001', true)).toBeNull();
    expect(decodeHexAddress('zz000001', true)).toBeNull();
  });

  it('formats IPv6 per RFC 5952: longest zero run, first on ties, no single-group ::', () => {
    const bytes = (groups: number[]) => new Uint8Array(groups.flatMap((g) => [g >> 8, g & 0xff]));
    expect(formatIpv6(bytes([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(bytes([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(bytes([0x2001, 0, 0, 1, 0, 0, 0, 1]))).toBe('2001:0:0:1::1');
    expect(formatIpv6(bytes([0xfe80, 0, 0, 0, 0xabcd, 0, 0, 0]))).toBe('fe80::abcd:0:0:0');
    expect(formatIpv6(new Uint8Array(16))).toBe('::');
    expect(formatAddress(bytes([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]))).toEqual({ family: 4, ip: '192.0.2.1' });
  });
});
