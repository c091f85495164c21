// DNS messages as the capture source delivers them (base64 payload in a DnsPayload), and the query
// this machine would have sent first so that an answer is believed (src/core/dns/answer-gate.ts).
import dnsPacket from 'dns-packet';
import type { DnsPayload } from '../../../../src/shared/capture.js';

export type Answer = dnsPacket.Answer;

export function response(question: string, answers: Answer[], type: 'A' | 'AAAA' = 'A', id = 4242): Buffer {
  return dnsPacket.encode({
    type: 'response',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE,
    questions: [{ type, class: 'IN', name: question }],
    answers,
  });
}

export function query(question: string, type: 'A' | 'AAAA' = 'A', id = 4242): Buffer {
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, class: 'IN', name: question }] });
}

export interface Tuple {
  proto: number;
  localIp: string;
  localPort: number;
  remoteIp: string;
  remotePort: number;
}

/** The default exchange: this machine (10.0.0.2:40000) and its resolver (10.0.0.1:53), UDP. */
export const RESOLVER: Tuple = { proto: 17, localIp: '10.0.0.2', localPort: 40000, remoteIp: '10.0.0.1', remotePort: 53 };

/** An arriving message (a response) on `tuple`, in the capture's orientation (local = this machine). */
export function payload(bytes: Buffer, ts = 0, truncated = false, tuple: Tuple = RESOLVER, direction: 'rx' | 'tx' = 'rx'): DnsPayload {
  return { ts, direction, ...tuple, payload: bytes.toString('base64'), truncated };
}

/** A message this machine sent on `tuple`. */
export function sent(bytes: Buffer, tuple: Tuple = RESOLVER, ts = 0): DnsPayload {
  return payload(bytes, ts, false, tuple, 'tx');
}

/** Query then answer on the default tuple: what a real lookup looks like to the engine. */
export function lookup(name: string, answers: Answer[], type: 'A' | 'AAAA' = 'A', id = 4242): DnsPayload[] {
  return [sent(query(name, type, id)), payload(response(name, answers, type, id))];
}
