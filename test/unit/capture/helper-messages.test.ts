import { describe, expect, it } from 'vitest';
import { decodeHelperLine } from '../../../src/core/capture/helper-messages.js';

const probes = { tc: null, connect: null, accept: null, udp: null, close: null, exec: null, dns: null };

describe('helper line decoding', () => {
  it('accepts the protocol messages', () => {
    const hello = { t: 'hello', protocol: 1, pid: 1, capture: 'ebpf', probes, limitations: [], kernel: null };
    expect(decodeHelperLine(JSON.stringify(hello))).toEqual({ kind: 'message', message: hello });
    expect(decodeHelperLine('{"t":"flows","ts":1,"flows":[]}').kind).toBe('message');
    expect(decodeHelperLine('{"t":"bye","reason":"x"}').kind).toBe('message');
  });

  it('refuses another protocol version and shapeless batches', () => {
    const hello = { t: 'hello', protocol: 2, pid: 1, capture: 'ebpf', probes, limitations: [], kernel: null };
    expect(decodeHelperLine(JSON.stringify(hello))).toEqual({ kind: 'malformed', reason: 'helper speaks protocol 2, expected 1' });
    expect(decodeHelperLine('{"t":"owners","owners":{}}')).toEqual({ kind: 'malformed', reason: 'owners without owners[]' });
    expect(decodeHelperLine('{"t":"error","code":1}').kind).toBe('malformed');
    expect(decodeHelperLine('{"t":"hello","protocol":1}').kind).toBe('malformed');
  });

  it('tells unknown types from junk, and bounds the reported type', () => {
    expect(decodeHelperLine(`{"t":"${'x'.repeat(500)}"}`)).toEqual({ kind: 'unknown', type: 'x'.repeat(40) });
    for (const junk of ['', 'nope', '[]', 'null', '{"type":"flows"}', '{"t":3}', '{"t":"flows"']) {
      expect(decodeHelperLine(junk).kind, junk).toBe('malformed');
    }
  });
});
