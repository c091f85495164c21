// DNS responses as the capture source delivers them (base64 payload in a DnsPayload).
import dnsPacket from 'dns-packet';
import type { DnsPayload } from '../../../../src/shared/capture.js';

export type Answer = dnsPacket.Answer;

export function response(question: string, answers: Answer[], type: 'A' | 'AAAA' = 'A'): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id: 4242,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type, class: 'IN', name: question }],
    answers,
  });
}

export function payload(bytes: Buffer, ts = 0, truncated = false): DnsPayload {
  return {
    ts,
    direction: 'rx',
    proto: 17,
    localIp: '10.0.0.2',
    localPort: 40000,
    remoteIp: '10.0.0.1',
    remotePort: 53,
    payload: bytes.toString('base64'),
    truncated,
  };
}
