import { describe, expect, it } from 'vitest';
import { formatIpv4, formatIpv6 } from '../../../native/flows-address.js';

function v6(hex: string): Buffer {
  return Buffer.from(hex.replaceAll(' ', ''), 'hex');
}

describe('flows-address', () => {
  it('formats IPv4 from the first four bytes', () => {
    expect(formatIpv4(Buffer.from([10, 213, 7, 1, 0, 0]))).toBe('10.213.7.1');
  });

  it.each([
    ['2001 0db8 0000 0000 0000 0000 0000 0001', '2001:db8::1'],
    ['0000 0000 0000 0000 0000 0000 0000 0000', '::'],
    ['0000 0000 0000 0000 0000 0000 0000 0001', '::1'],
    ['2001 0db8 0000 0001 0000 0000 0000 0001', '2001:db8:0:1::1'], // longest run wins
    ['2001 0db8 0000 0000 0001 0000 0000 0001', '2001:db8::1:0:0:1'], // first of equal runs
    ['2001 0db8 0000 0001 0001 0001 0001 0001', '2001:db8:0:1:1:1:1:1'], // a single zero group stays
    ['fe80 0000 0000 0000 abcd 00ef 0000 0001', 'fe80::abcd:ef:0:1'],
    ['0000 0000 0000 0000 0000 ffff c000 0201', '::ffff:192.0.2.1'],
  ])('RFC 5952: %s → %s', (hex, text) => {
    expect(formatIpv6(v6(hex))).toBe(text);
  });
});
