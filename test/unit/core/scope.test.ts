import { describe, expect, it } from 'vitest';
import { formatIPv6, normalizeIp, parseCidr, parseIp } from '../../../src/core/scope/ip.js';
import { scopeOf } from '../../../src/core/scope/scope.js';

describe('scopeOf', () => {
  const table: Array<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'lan'],
    ['172.16.0.1', 'lan'],
    ['172.31.255.255', 'lan'],
    ['172.32.0.1', 'internet'],
    ['192.168.1.1', 'lan'],
    ['100.64.0.1', 'lan'],
    ['100.127.255.254', 'lan'],
    ['100.128.0.1', 'internet'],
    ['fd12:3456::1', 'lan'],
    ['fc00::1', 'lan'],
    ['169.254.10.20', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'multicast'],
    ['ff02::fb', 'multicast'],
    ['192.0.2.5', 'unknown'],
    ['198.51.100.7', 'unknown'],
    ['203.0.113.9', 'unknown'],
    ['2001:db8::1', 'unknown'],
    ['240.0.0.1', 'unknown'],
    ['0.0.0.0', 'unknown'],
    ['0.1.2.3', 'unknown'],
    ['::', 'unknown'],
    ['198.18.0.1', 'unknown'],
    ['198.19.255.255', 'unknown'],
    ['198.20.0.1', 'internet'],
    ['8.8.8.8', 'internet'],
    ['2606:4700:4700::1111', 'internet'],
    ['::ffff:8.8.8.8', 'internet'],
    ['::ffff:10.0.0.1', 'lan'],
    ['not an address', 'unknown'],
    ['', 'unknown'],
    ['1.2.3', 'unknown'],
  ];
  it.each(table)('%s is %s', (address, scope) => {
    expect(scopeOf(address)).toBe(scope);
  });
});

describe('ip parsing', () => {
  it('reports IPv4-mapped IPv6 as IPv4', () => {
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ family: 4, value: 0xc0000201n });
    expect(parseIp('::ffff:c000:201')).toEqual({ family: 4, value: 0xc0000201n });
    expect(normalizeIp('::ffff:1.2.3.4')).toBe('1.2.3.4');
  });

  it('normalizes IPv6 to RFC 5952', () => {
    expect(normalizeIp('2001:0DB8:0000:0000:0000:0000:0000:0001')).toBe('2001:db8::1');
    expect(normalizeIp('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(normalizeIp('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIPv6(0n)).toBe('::');
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
  });

  it('parses prefixes and rejects junk', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 4, network: 0x0a000000n, prefix: 8 });
    expect(parseCidr('10.1.2.3/8')?.network).toBe(0x0a000000n);
    expect(parseCidr('2001:db8::/32')?.prefix).toBe(32);
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 4, network: 0x0a000000n, prefix: 8 });
    for (const junk of ['10.0.0.0/33', '10.0.0.0/-1', '10.0.0.0/8/8', 'x/8', '::/129', '10.0.0.0/ 8', '']) {
      expect(parseCidr(junk)).toBeNull();
    }
  });
});
